"""`ReadinessStage`: an ordered group of checks with `is_critical` and `fail_fast`."""

from __future__ import annotations

import time
from collections.abc import Sequence

from api_server.readiness_pipeline.check import ReadinessCheck
from api_server.readiness_pipeline.result import (
    ReadinessCheckResult,
    ReadinessStatus,
    StageResult,
)

__all__ = ["ReadinessStage"]

# A stage's status is the first of these its checks have (SKIPPED when all were skipped).
_PRECEDENCE = (
    ReadinessStatus.FAILED,
    ReadinessStatus.WARNING,
    ReadinessStatus.SUCCESS,
    ReadinessStatus.NOT_APPLICABLE,
)


def _stage_status(results: Sequence[ReadinessCheckResult]) -> ReadinessStatus:
    present = {result.status for result in results}
    return next((status for status in _PRECEDENCE if status in present), ReadinessStatus.SKIPPED)


def _skipped(check: ReadinessCheck, reason: str) -> ReadinessCheckResult:
    return ReadinessCheckResult(
        name=check.name,
        status=ReadinessStatus.SKIPPED,
        message=reason,
        is_critical=check.is_critical,
    )


class ReadinessStage:
    """Checks run one after another, in the order added.

    - `fail_fast`: the first FAILED check ends the stage; the remaining checks are SKIPPED.
    - A check returning `skip_stage(...)` ends the stage too; the rest are SKIPPED (neutral).
    - `is_critical`: any FAILED check in this stage (critical or not) makes the pipeline ERROR.
    """

    def __init__(
        self,
        name: str,
        checks: Sequence[ReadinessCheck],
        *,
        is_critical: bool = False,
        fail_fast: bool = False,
    ) -> None:
        if not checks:
            raise ValueError(f"readiness stage {name!r} has no checks")
        names = [check.name for check in checks]
        if len(set(names)) != len(names):
            raise ValueError(f"readiness stage {name!r} has duplicate check names: {names}")
        self.name = name
        self.checks = tuple(checks)
        self.is_critical = is_critical
        self.fail_fast = fail_fast

    async def run(self, *, default_timeout: float, force_rerun: bool = False) -> StageResult:
        started = time.perf_counter()
        results: list[ReadinessCheckResult] = []
        stop_reason: str | None = None
        for check in self.checks:
            if stop_reason is not None:
                results.append(_skipped(check, stop_reason))
                continue
            result = await check.run(default_timeout=default_timeout, force_rerun=force_rerun)
            results.append(result)
            if result.skip_stage:
                stop_reason = f"stage skipped by {check.name}"
            elif result.status is ReadinessStatus.FAILED and self.fail_fast:
                stop_reason = f"not run: {check.name} failed and the stage is fail_fast"
        return self._result(results, duration_ms=(time.perf_counter() - started) * 1000)

    def skipped(self, reason: str) -> StageResult:
        """The result of a stage the pipeline did not run."""
        return self._result([_skipped(check, reason) for check in self.checks], duration_ms=0.0)

    def _result(self, results: list[ReadinessCheckResult], *, duration_ms: float) -> StageResult:
        return StageResult(
            name=self.name,
            status=_stage_status(results),
            is_critical=self.is_critical,
            fail_fast=self.fail_fast,
            checks=tuple(results),
            duration_ms=round(duration_ms, 3),
        )
