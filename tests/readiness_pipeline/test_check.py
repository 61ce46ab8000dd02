"""ReadinessCheck: helpers, sync/async execution, errors, timeouts and run_once caching."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api_server.readiness_pipeline import ReadinessCheck, ReadinessCheckResult, ReadinessStatus
from tests.readiness_pipeline.fakes import ScriptedCheck

everything_ok = True


class MyCheck(ReadinessCheck):  # the seed's example, verbatim
    def __init__(self):
        super().__init__("my_check", is_critical=False, run_once=False)

    def _execute(self) -> ReadinessCheckResult:
        if everything_ok:
            return self.success("All good", {"detail": "value"})
        return self.failed("Problem", {"error": "reason"})


async def test_seed_example_works_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    check = MyCheck()
    ok = await check.run(default_timeout=1)
    assert (ok.name, ok.status, ok.message) == ("my_check", ReadinessStatus.SUCCESS, "All good")
    assert ok.details == {"detail": "value"}
    monkeypatch.setitem(globals(), "everything_ok", False)
    bad = await check.run(default_timeout=1)
    assert (bad.status, bad.message, bad.details) == (
        ReadinessStatus.FAILED,
        "Problem",
        {"error": "reason"},
    )


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("success", ReadinessStatus.SUCCESS),
        ("failed", ReadinessStatus.FAILED),
        ("warning", ReadinessStatus.WARNING),
        ("not_applicable", ReadinessStatus.NOT_APPLICABLE),
        ("skip_stage", ReadinessStatus.SKIPPED),
    ],
)
async def test_helpers_set_status_and_message(outcome: str, status: ReadinessStatus) -> None:
    result = await ScriptedCheck("c", outcome, is_critical=True).run(default_timeout=1)
    assert result.status is status
    assert result.message == f"c {outcome}"
    assert result.is_critical
    assert result.skip_stage is (outcome == "skip_stage")
    assert result.duration_ms >= 0


async def test_sync_check_runs_in_a_thread_while_the_loop_keeps_running() -> None:
    # The check waits for an event only the event loop can set: run on the loop, it would
    # block the loop and time out instead.
    loop_ran = threading.Event()

    class BlockingCheck(ReadinessCheck):
        def _execute(self) -> ReadinessCheckResult:
            if threading.current_thread() is threading.main_thread():
                return self.failed("ran on the event loop thread")
            if not loop_ran.wait(timeout=5):
                return self.failed("the event loop was blocked")
            return self.success("ran in a worker thread")

    async def set_from_loop() -> None:
        await asyncio.sleep(0)
        loop_ran.set()

    result, _ = await asyncio.gather(
        BlockingCheck("blocking").run(default_timeout=10), set_from_loop()
    )
    assert result.status is ReadinessStatus.SUCCESS, result.message


async def test_exception_becomes_failed_naming_only_the_error_type() -> None:
    result = await ScriptedCheck("db", "raise").run(default_timeout=1)
    assert result.status is ReadinessStatus.FAILED
    assert "ConnectionRefusedError" in result.message
    assert result.details == {"error_type": "ConnectionRefusedError"}
    text = repr(result)
    for secret in ("db.internal", "admin", "s3cret", "postgresql://"):
        assert secret not in text


async def test_exception_in_a_sync_check_is_reported_by_type_too() -> None:
    class SyncRaises(ReadinessCheck):
        def _execute(self) -> ReadinessCheckResult:
            raise PermissionError("open /srv/secret-host/db.sqlite")

    result = await SyncRaises("file").run(default_timeout=5)
    assert (result.status, result.message) == (
        ReadinessStatus.FAILED,
        "PermissionError raised by the check",
    )
    assert "secret-host" not in repr(result)


async def test_timeout_becomes_failed_timeout_error() -> None:
    class Hangs(ReadinessCheck):
        async def _execute(self) -> ReadinessCheckResult:
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    own = await Hangs("hangs", timeout=0.01).run(default_timeout=60)
    assert own.status is ReadinessStatus.FAILED
    assert own.message.startswith("TimeoutError: no answer within 0.01 s")
    default = await Hangs("hangs").run(default_timeout=0.02)
    assert default.message.startswith("TimeoutError: no answer within 0.02 s")


async def test_a_hung_sync_check_times_out_and_is_abandoned_in_a_daemon_thread() -> None:
    release = threading.Event()
    seen: list[threading.Thread] = []

    class HangsInThread(ReadinessCheck):
        def _execute(self) -> ReadinessCheckResult:
            seen.append(threading.current_thread())
            release.wait(timeout=30)
            return self.success("too late")

    try:
        result = await HangsInThread("hang", timeout=0.05).run(default_timeout=60)
        assert result.status is ReadinessStatus.FAILED
        assert result.details == {"error_type": "TimeoutError"}
        # A daemon thread cannot hold the process (or the default executor) hostage.
        assert seen[0].daemon and seen[0].name == "readiness-hang"
    finally:
        release.set()


async def test_a_timeout_error_raised_by_the_check_is_reported_as_raised() -> None:
    class Raises(ReadinessCheck):
        async def _execute(self) -> ReadinessCheckResult:
            raise TimeoutError("connect to 10.0.0.7 timed out")

    result = await Raises("r").run(default_timeout=5)
    assert result.status is ReadinessStatus.FAILED
    assert result.message == "TimeoutError raised by the check"
    assert "10.0.0.7" not in repr(result)


async def test_a_check_returning_no_result_fails() -> None:
    class Wrong(ReadinessCheck):
        def _execute(self) -> ReadinessCheckResult:
            return "fine"  # type: ignore[return-value]

    result = await Wrong("wrong").run(default_timeout=1)
    assert result.status is ReadinessStatus.FAILED
    assert result.details == {"error_type": "TypeError"}


async def test_run_once_caches_the_first_success() -> None:
    check = ScriptedCheck("init", run_once=True)
    first = await check.run(default_timeout=1)
    second = await check.run(default_timeout=1)
    assert check.calls == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.status is ReadinessStatus.SUCCESS


async def test_run_once_never_caches_a_failure() -> None:
    check = ScriptedCheck("init", "failed", run_once=True)
    assert (await check.run(default_timeout=1)).status is ReadinessStatus.FAILED
    assert (await check.run(default_timeout=1)).status is ReadinessStatus.FAILED
    assert check.calls == 2
    check.outcome = "success"
    assert (await check.run(default_timeout=1)).status is ReadinessStatus.SUCCESS
    assert check.calls == 3


async def test_force_rerun_re_executes_and_a_failed_rerun_drops_the_cache() -> None:
    check = ScriptedCheck("init", run_once=True)
    await check.run(default_timeout=1)
    check.outcome = "failed"
    assert (await check.run(default_timeout=1)).status is ReadinessStatus.SUCCESS  # cached
    forced = await check.run(default_timeout=1, force_rerun=True)
    assert (forced.status, forced.cached, check.calls) == (ReadinessStatus.FAILED, False, 2)
    # The failure is not masked by the old success on the next plain run.
    assert (await check.run(default_timeout=1)).status is ReadinessStatus.FAILED
    assert check.calls == 3


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout"):
        ScriptedCheck("c", timeout=0)
