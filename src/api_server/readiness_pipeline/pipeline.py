"""`ReadinessPipeline`: stages run in order; the outcome rules live here and in the stage."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from api_server.readiness_pipeline.result import (
    PipelineResult,
    PipelineStatus,
    ReadinessStatus,
    StageResult,
)
from api_server.readiness_pipeline.stage import ReadinessStage

__all__ = ["ReadinessPipeline"]

_DEGRADING = (ReadinessStatus.FAILED, ReadinessStatus.WARNING)


def _pipeline_status(stages: Sequence[StageResult]) -> PipelineStatus:
    if any(stage.stops_pipeline for stage in stages):
        return PipelineStatus.ERROR
    if any(check.status in _DEGRADING for stage in stages for check in stage.checks):
        return PipelineStatus.DEGRADED
    return PipelineStatus.OPERATIONAL


class ReadinessPipeline:
    """Runs its stages in order and decides the outcome.

    - ERROR: a critical check FAILED, or any check of a critical stage FAILED. The stages
      after that one are not run (their checks are SKIPPED).
    - DEGRADED: otherwise, some check FAILED or returned WARNING.
    - OPERATIONAL: everything else (SUCCESS, NOT_APPLICABLE, SKIPPED); also an empty pipeline.

    Build one with `PipelineBuilder`; `default_timeout` applies to checks without their own.
    """

    def __init__(self, stages: Sequence[ReadinessStage], *, default_timeout: float) -> None:
        names = [stage.name for stage in stages]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate readiness stage names: {names}")
        if default_timeout <= 0:
            raise ValueError("default_timeout must be positive")
        self.stages = tuple(stages)
        self.default_timeout = default_timeout

    async def run(self, *, force_rerun: bool = False) -> PipelineResult:
        """Run every stage; `force_rerun` also re-executes run_once checks. Never raises for a
        failing check: failures are results."""
        started = time.perf_counter()
        results: list[StageResult] = []
        stopped_by: str | None = None
        for stage in self.stages:
            if stopped_by is not None:
                results.append(stage.skipped(f"not run: critical failure in stage {stopped_by}"))
                continue
            result = await stage.run(default_timeout=self.default_timeout, force_rerun=force_rerun)
            results.append(result)
            if result.stops_pipeline:
                stopped_by = stage.name
        return PipelineResult(
            status=_pipeline_status(results),
            stages=tuple(results),
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            finished_at=datetime.now(UTC),
        )
