"""Checks with scripted outcomes for the pipeline tests; they count their executions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from api_server.readiness_pipeline import (
    PipelineBuilder,
    ReadinessCheck,
    ReadinessCheckResult,
    ReadinessPipeline,
)

Outcome = str  # "success" | "failed" | "warning" | "not_applicable" | "skip_stage" | "raise"


class ScriptedCheck(ReadinessCheck):
    """Returns `outcome` (a name of a helper, or "raise"); `calls` counts executions."""

    def __init__(
        self,
        name: str,
        outcome: Outcome = "success",
        *,
        is_critical: bool = False,
        run_once: bool = False,
        timeout: float | None = None,
    ) -> None:
        super().__init__(name, is_critical=is_critical, run_once=run_once, timeout=timeout)
        self.outcome = outcome
        self.calls = 0

    async def _execute(self) -> ReadinessCheckResult:
        self.calls += 1
        if self.outcome == "raise":
            raise ConnectionRefusedError("connect to postgresql://admin:s3cret@db.internal/app")
        helper: Callable[[str], ReadinessCheckResult] = getattr(self, self.outcome)
        return helper(f"{self.name} {self.outcome}")


class GatedCheck(ReadinessCheck):
    """Waits for `gate` before succeeding, so a run can be held in flight."""

    def __init__(self, name: str = "gated", *, run_once: bool = False) -> None:
        super().__init__(name, run_once=run_once)
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()
        self.calls = 0

    async def _execute(self) -> ReadinessCheckResult:
        self.calls += 1
        self.entered.set()
        await self.gate.wait()
        return self.success("released")


def one_stage(*checks: ReadinessCheck, timeout: float = 5.0, **stage: bool) -> ReadinessPipeline:
    builder = PipelineBuilder(default_timeout=timeout)
    with builder.stage("only", **stage):
        for check in checks:
            builder.add_check(check)
    return builder.build()
