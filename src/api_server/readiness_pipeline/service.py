"""`ReadinessService`: one per app; caches the pipeline result and coalesces runs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from api_server.readiness_pipeline.pipeline import ReadinessPipeline
from api_server.readiness_pipeline.result import PipelineResult

__all__ = ["ReadinessReport", "ReadinessService", "ServingState"]


class ServingState(StrEnum):
    STARTING = "starting"  # the lifespan start-up has not finished
    SERVING = "serving"
    DRAINING = "draining"  # SIGTERM received or shutting down: never ready again


@dataclass(frozen=True, slots=True)
class ReadinessReport:
    """What `/health-check` answers: the serving state and, when serving, the pipeline result."""

    state: ServingState
    result: PipelineResult | None

    @property
    def is_ready(self) -> bool:
        return (
            self.state is ServingState.SERVING and self.result is not None and self.result.is_ready
        )


class ReadinessService:
    """Readiness of this instance.

    - A result younger than `cache_ttl` seconds is served as is.
    - Concurrent callers share one run: while a run is in flight, everyone awaits it.
      A `force_rerun` caller joins an in-flight forced run, or waits for the plain one to end
      and then starts (or joins) a forced one, so each check runs at most once at a time.
    - Before `mark_started()` and after `begin_drain()` the pipeline is not run and the
      instance is not ready.
    """

    def __init__(
        self,
        pipeline: ReadinessPipeline,
        *,
        cache_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pipeline = pipeline
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._started = False
        self._draining = False
        self._last: PipelineResult | None = None
        self._last_at = 0.0
        self._run: asyncio.Task[PipelineResult] | None = None
        self._run_forced = False

    @property
    def state(self) -> ServingState:
        if self._draining:
            return ServingState.DRAINING
        return ServingState.SERVING if self._started else ServingState.STARTING

    @property
    def last_result(self) -> PipelineResult | None:
        return self._last

    def mark_started(self) -> None:
        self._started = True

    def begin_drain(self) -> None:
        """Not ready from now on. Only sets a flag, so it is safe inside a signal handler."""
        self._draining = True

    async def report(self, *, fresh: bool = False, force_rerun: bool = False) -> ReadinessReport:
        """The current readiness; `fresh` ignores the cache, `force_rerun` also re-runs
        run_once checks (and implies `fresh`)."""
        state = self.state
        if state is not ServingState.SERVING:
            return ReadinessReport(state=state, result=self._last)
        if not (fresh or force_rerun) and self._is_fresh():
            return ReadinessReport(state=state, result=self._last)
        result = await self.refresh(force_rerun=force_rerun)
        # The instance may have started draining while the run was in flight.
        return ReadinessReport(state=self.state, result=result)

    async def refresh(self, *, force_rerun: bool = False) -> PipelineResult:
        """Run the pipeline now, or join the run already in flight."""
        while True:
            run = self._run
            if run is None or run.done():
                run = self._start(force_rerun)
            elif force_rerun and not self._run_forced:
                # A plain run does not re-execute run_once checks: let it end, then force.
                await asyncio.wait([run])
                continue
            # Shielded: a caller that goes away (client disconnect) does not cancel the run
            # the other callers are waiting for.
            return await asyncio.shield(run)

    async def aclose(self) -> None:
        """Stop serving readiness: cancel a run in flight (lifespan shutdown)."""
        self.begin_drain()
        run = self._run
        if run is not None:
            run.cancel()
            await asyncio.wait([run])

    def _is_fresh(self) -> bool:
        return self._last is not None and self._clock() - self._last_at < self._cache_ttl

    def _start(self, force_rerun: bool) -> asyncio.Task[PipelineResult]:
        run = asyncio.create_task(self._execute(force_rerun), name="readiness-pipeline")
        self._run, self._run_forced = run, force_rerun
        run.add_done_callback(self._finished)
        return run

    async def _execute(self, force_rerun: bool) -> PipelineResult:
        result = await self.pipeline.run(force_rerun=force_rerun)
        self._last, self._last_at = result, self._clock()
        return result

    def _finished(self, run: asyncio.Task[PipelineResult]) -> None:
        if self._run is run:
            self._run = None
