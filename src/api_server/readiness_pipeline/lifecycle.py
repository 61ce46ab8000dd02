"""The readiness part of the app's lifespan: start, refresh in the background, drain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from loguru import logger

from api_server.readiness_pipeline.drain import DrainOnSignal
from api_server.readiness_pipeline.service import ReadinessService, ServingState

__all__ = ["serving_readiness"]


async def _refresh_periodically(service: ReadinessService, interval: float) -> None:
    """Re-run the pipeline every `interval` seconds, so an instance that was not ready (a
    dependency down) becomes ready by itself once the dependency is back."""
    last_ready: bool | None = None
    while service.state is ServingState.SERVING:
        try:
            result = await service.refresh()
        except Exception:
            # A bug in the pipeline machinery, not a failing check (those are results):
            # keep the loop alive, say so loudly.
            logger.exception("background readiness run failed")
        else:
            if result.is_ready != last_ready:
                logger.info("readiness: {}", result.status.value)
                last_ready = result.is_ready
        await asyncio.sleep(interval)


@asynccontextmanager
async def serving_readiness(
    service: ReadinessService, *, refresh_interval: float, drain_delay: float
) -> AsyncIterator[None]:
    """Enter when the rest of start-up is done: the instance may become ready from here on.
    On exit (shutdown) it is not ready any more and the background run is stopped."""
    hook = DrainOnSignal(service.begin_drain, delay=drain_delay)
    hook.install(asyncio.get_running_loop())
    service.mark_started()
    refresher = asyncio.create_task(
        _refresh_periodically(service, refresh_interval), name="readiness-refresh"
    )
    try:
        yield
    finally:
        service.begin_drain()
        refresher.cancel()
        await asyncio.wait([refresher])
        await service.aclose()
        hook.uninstall()
