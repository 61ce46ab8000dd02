"""The outcome rules of stages and the pipeline (docs/architecture.md, "Readiness pipeline")."""

from __future__ import annotations

import pytest

from api_server.readiness_pipeline import (
    PipelineBuilder,
    PipelineResult,
    PipelineStatus,
    ReadinessStatus,
)
from tests.readiness_pipeline.fakes import ScriptedCheck

S = ReadinessStatus


def _statuses(result: PipelineResult) -> dict[str, str]:
    return {check.name: check.status.value for check in result.checks()}


async def _run(*stages: tuple[str, bool, bool, list[ScriptedCheck]]) -> PipelineResult:
    builder = PipelineBuilder(default_timeout=5)
    for name, critical, fail_fast, checks in stages:
        with builder.stage(name, is_critical=critical, fail_fast=fail_fast):
            for check in checks:
                builder.add_check(check)
    return await builder.build().run()


def later() -> tuple[str, bool, bool, list[ScriptedCheck]]:
    return ("later", False, False, [ScriptedCheck("later_check")])


async def test_all_success_is_operational() -> None:
    result = await _run(("a", True, True, [ScriptedCheck("a1"), ScriptedCheck("a2")]), later())
    assert result.status is PipelineStatus.OPERATIONAL
    assert result.is_ready
    assert [stage.status for stage in result.stages] == [S.SUCCESS, S.SUCCESS]


async def test_empty_pipeline_is_operational() -> None:
    result = await PipelineBuilder(default_timeout=1).build().run()
    assert (result.status, result.stages) == (PipelineStatus.OPERATIONAL, ())


@pytest.mark.parametrize("outcome", ["failed", "raise"])
async def test_non_critical_failure_in_non_critical_stage_degrades_and_continues(
    outcome: str,
) -> None:
    result = await _run(("a", False, False, [ScriptedCheck("a1", outcome)]), later())
    assert result.status is PipelineStatus.DEGRADED
    assert result.is_ready
    assert _statuses(result) == {"a1": "failed", "later_check": "success"}
    assert result.stages[0].status is S.FAILED


async def test_warning_degrades_but_never_fails() -> None:
    result = await _run(("a", True, True, [ScriptedCheck("a1", "warning", is_critical=True)]))
    assert result.status is PipelineStatus.DEGRADED
    assert result.stages[0].status is S.WARNING


@pytest.mark.parametrize("outcome", ["failed", "raise"])
async def test_critical_check_failure_is_error_and_skips_later_stages(outcome: str) -> None:
    tail = ScriptedCheck("a2")
    stage = ("a", False, False, [ScriptedCheck("a1", outcome, is_critical=True), tail])
    result = await _run(stage, later())
    assert result.status is PipelineStatus.ERROR
    assert not result.is_ready
    # Without fail_fast the rest of the stage still runs; later stages do not.
    assert _statuses(result) == {"a1": "failed", "a2": "success", "later_check": "skipped"}
    assert result.stages[1].status is S.SKIPPED
    assert result.checks()[-1].message == "not run: critical failure in stage a"


async def test_any_failure_in_a_critical_stage_is_error() -> None:
    later_check = ScriptedCheck("later_check")
    stage = ("a", True, False, [ScriptedCheck("a1", "failed", is_critical=False)])
    result = await _run(stage, ("later", False, False, [later_check]))
    assert result.status is PipelineStatus.ERROR
    assert later_check.calls == 0


async def test_warning_in_a_critical_stage_is_only_degraded() -> None:
    result = await _run(("a", True, False, [ScriptedCheck("a1", "warning")]), later())
    assert result.status is PipelineStatus.DEGRADED
    assert _statuses(result)["later_check"] == "success"


async def test_fail_fast_skips_the_rest_of_the_stage() -> None:
    rest = ScriptedCheck("a3")
    stage = ("a", False, True, [ScriptedCheck("a1"), ScriptedCheck("a2", "failed"), rest])
    result = await _run(stage, later())
    assert _statuses(result) == {
        "a1": "success",
        "a2": "failed",
        "a3": "skipped",
        "later_check": "success",  # non-critical: the pipeline goes on
    }
    assert rest.calls == 0
    assert result.checks()[2].message == "not run: a2 failed and the stage is fail_fast"
    assert result.status is PipelineStatus.DEGRADED


async def test_without_fail_fast_every_check_of_the_stage_runs() -> None:
    stage = ("a", False, False, [ScriptedCheck("a1", "failed"), ScriptedCheck("a2", "failed")])
    result = await _run(stage)
    assert _statuses(result) == {"a1": "failed", "a2": "failed"}


async def test_fail_fast_ignores_warnings() -> None:
    stage = ("a", False, True, [ScriptedCheck("a1", "warning"), ScriptedCheck("a2")])
    assert _statuses(await _run(stage)) == {"a1": "warning", "a2": "success"}


async def test_skip_stage_skips_the_rest_of_the_stage_only() -> None:
    rest = ScriptedCheck("a2", "failed", is_critical=True)
    result = await _run(("a", True, True, [ScriptedCheck("a1", "skip_stage"), rest]), later())
    assert rest.calls == 0
    assert _statuses(result) == {"a1": "skipped", "a2": "skipped", "later_check": "success"}
    assert result.checks()[1].message == "stage skipped by a1"
    assert result.stages[0].status is S.SKIPPED
    assert result.status is PipelineStatus.OPERATIONAL


async def test_skip_stage_after_a_success_keeps_the_stage_successful() -> None:
    stage = ("a", False, False, [ScriptedCheck("a1"), ScriptedCheck("a2", "skip_stage")])
    result = await _run(stage)
    assert result.stages[0].status is S.SUCCESS


async def test_not_applicable_is_neutral() -> None:
    result = await _run(("a", True, True, [ScriptedCheck("a1", "not_applicable")]))
    assert result.status is PipelineStatus.OPERATIONAL
    assert result.stages[0].status is S.NOT_APPLICABLE


async def test_results_carry_message_details_and_duration() -> None:
    result = await _run(("a", False, False, [ScriptedCheck("a1", "warning")]))
    check = result.checks()[0]
    assert (check.message, dict(check.details)) == ("a1 warning", {})
    assert check.duration_ms >= 0 and result.duration_ms >= 0
    assert result.finished_at.tzinfo is not None


def test_builder_rejects_wiring_mistakes() -> None:
    builder = PipelineBuilder(default_timeout=1)
    with pytest.raises(RuntimeError, match="outside"):
        builder.add_check(ScriptedCheck("x"))
    with pytest.raises(ValueError, match="no checks"), builder.stage("empty"):
        pass
    with pytest.raises(RuntimeError, match="inside"), builder.stage("a"), builder.stage("b"):
        pass
    with pytest.raises(ValueError, match="duplicate check"), builder.stage("dup"):
        builder.add_check(ScriptedCheck("x")).add_check(ScriptedCheck("x"))
    with builder.stage("s"):
        builder.add_check(ScriptedCheck("x"))
    with builder.stage("s"):
        builder.add_check(ScriptedCheck("y"))
    with pytest.raises(ValueError, match="duplicate readiness stage"):
        builder.build()
