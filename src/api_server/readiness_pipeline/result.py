"""What a readiness run produces: per-check, per-stage and pipeline results (immutable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "PipelineResult",
    "PipelineStatus",
    "ReadinessCheckResult",
    "ReadinessStatus",
    "StageResult",
]


class ReadinessStatus(StrEnum):
    """Status of one check, and of a stage (the worst of its checks)."""

    SUCCESS = "success"
    WARNING = "warning"  # works, but degraded: the pipeline becomes DEGRADED, never ERROR
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"  # nothing to check here (neutral)
    SKIPPED = "skipped"  # not executed: fail_fast, skip_stage or a critical failure earlier


class PipelineStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED = "degraded"  # a non-critical check failed or warned: still ready
    ERROR = "error"  # a critical check failed, or any check of a critical stage: not ready

    @property
    def is_ready(self) -> bool:
        return self is not PipelineStatus.ERROR


@dataclass(frozen=True, slots=True)
class ReadinessCheckResult:
    """The outcome of one check. `message` and `details` are served by `/health-check`: they
    must never hold connection strings, hosts, users or raw driver messages."""

    name: str
    status: ReadinessStatus
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)
    duration_ms: float = 0.0
    is_critical: bool = False
    cached: bool = False  # a run_once check's earlier success, not executed this time
    skip_stage: bool = False  # the check asked to skip the rest of its stage

    def with_run_info(self, *, duration_ms: float, is_critical: bool) -> ReadinessCheckResult:
        return replace(self, duration_ms=duration_ms, is_critical=is_critical)


@dataclass(frozen=True, slots=True)
class StageResult:
    name: str
    status: ReadinessStatus
    is_critical: bool
    fail_fast: bool
    checks: tuple[ReadinessCheckResult, ...]
    duration_ms: float = 0.0

    @property
    def stops_pipeline(self) -> bool:
        """A critical check failed, or any check of a critical stage failed."""
        failed = [c for c in self.checks if c.status is ReadinessStatus.FAILED]
        return bool(failed) and (self.is_critical or any(c.is_critical for c in failed))


@dataclass(frozen=True, slots=True)
class PipelineResult:
    status: PipelineStatus
    stages: tuple[StageResult, ...]
    duration_ms: float
    finished_at: datetime

    @property
    def is_ready(self) -> bool:
        return self.status.is_ready

    def checks(self) -> list[ReadinessCheckResult]:
        return [check for stage in self.stages for check in stage.checks]
