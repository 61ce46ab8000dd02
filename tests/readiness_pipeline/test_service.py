"""ReadinessService: serving states, TTL cache and one shared run for concurrent callers."""

from __future__ import annotations

import asyncio

from api_server.readiness_pipeline import PipelineStatus, ReadinessService, ServingState
from tests.readiness_pipeline.fakes import GatedCheck, ScriptedCheck, one_stage


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _service(*checks: ScriptedCheck | GatedCheck, ttl: float = 5.0) -> ReadinessService:
    service = ReadinessService(one_stage(*checks), cache_ttl=ttl, clock=FakeClock())
    service.mark_started()
    return service


async def test_not_ready_and_not_run_before_start_up() -> None:
    check = ScriptedCheck("c")
    service = ReadinessService(one_stage(check), cache_ttl=5)
    report = await service.report()
    assert (report.state, report.result, report.is_ready) == (ServingState.STARTING, None, False)
    assert check.calls == 0


async def test_draining_is_not_ready_and_runs_nothing() -> None:
    check = ScriptedCheck("c")
    service = _service(check)
    assert (await service.report()).is_ready
    service.begin_drain()
    report = await service.report(force_rerun=True)
    assert (report.state, report.is_ready, check.calls) == (ServingState.DRAINING, False, 1)
    assert report.result is not None  # the last result stays visible for diagnosis


async def test_error_result_is_not_ready() -> None:
    service = _service(ScriptedCheck("c", "failed", is_critical=True))
    report = await service.report()
    assert report.result is not None and report.result.status is PipelineStatus.ERROR
    assert not report.is_ready


async def test_result_is_cached_for_the_ttl_then_refreshed() -> None:
    check = ScriptedCheck("c")
    service = ReadinessService(one_stage(check), cache_ttl=5, clock=(clock := FakeClock()))
    service.mark_started()
    first = await service.report()
    clock.now += 4.9
    assert (await service.report()).result is first.result
    assert check.calls == 1
    clock.now += 0.2
    refreshed = await service.report()
    assert refreshed.result is not first.result
    assert check.calls == 2


async def test_fresh_ignores_the_cache_but_keeps_run_once_results() -> None:
    once, always = ScriptedCheck("once", run_once=True), ScriptedCheck("always")
    service = _service(once, always)
    await service.report()
    report = await service.report(fresh=True)
    assert (once.calls, always.calls) == (1, 2)
    assert report.result is not None and report.result.checks()[0].cached


async def test_concurrent_callers_share_one_run() -> None:
    gated = GatedCheck()
    service = _service(gated, ttl=0)  # no cache: only coalescing can keep it at one run
    callers = [asyncio.create_task(service.report()) for _ in range(200)]
    await gated.entered.wait()
    gated.gate.set()
    reports = await asyncio.gather(*callers)
    assert gated.calls == 1
    assert all(report.is_ready for report in reports)
    assert len({id(report.result) for report in reports}) == 1


async def test_concurrent_force_reruns_share_one_run() -> None:
    gated = GatedCheck(run_once=True)
    service = _service(gated)
    gated.gate.set()
    await service.report()
    gated.gate.clear()
    callers = [asyncio.create_task(service.report(force_rerun=True)) for _ in range(200)]
    await gated.entered.wait()
    gated.gate.set()
    await asyncio.gather(*callers)
    assert gated.calls == 2


async def test_force_rerun_waits_for_a_plain_run_then_re_executes_run_once() -> None:
    once = ScriptedCheck("once", run_once=True)
    gated = GatedCheck()
    service = _service(once, gated, ttl=0)
    plain = asyncio.create_task(service.report())
    await gated.entered.wait()
    forced = asyncio.create_task(service.report(force_rerun=True))
    for _ in range(20):  # give a wrongly started parallel run every chance to execute
        await asyncio.sleep(0)
    assert (once.calls, gated.calls) == (1, 1)
    gated.gate.set()
    await asyncio.gather(plain, forced)
    assert (once.calls, gated.calls) == (2, 2)


async def test_a_caller_going_away_does_not_cancel_the_shared_run() -> None:
    gated = GatedCheck()
    service = _service(gated, ttl=0)
    impatient = asyncio.create_task(service.report())
    patient = asyncio.create_task(service.report())
    await gated.entered.wait()
    impatient.cancel()
    gated.gate.set()
    assert (await patient).is_ready
    assert impatient.cancelled()
    assert gated.calls == 1


async def test_aclose_cancels_a_run_in_flight() -> None:
    gated = GatedCheck()
    service = _service(gated)
    caller = asyncio.create_task(service.report())
    await gated.entered.wait()
    await service.aclose()
    assert service.state is ServingState.DRAINING
    await asyncio.wait([caller])
    assert caller.cancelled()
