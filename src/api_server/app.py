"""Application factory: builds the FastAPI app once, with every router mounted up front."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from loguru import logger

from api_server.api import health, system, v1
from api_server.api.docs import install_docs
from api_server.api.routing import include_flat
from api_server.database.connection import dispose_db, init_db
from api_server.database.startup import prepare_database_at_startup
from api_server.event_bus.install import drain_event_bus, install_event_bus
from api_server.exception_handlers import register_exception_handlers
from api_server.middleware import install_middleware
from api_server.openapi import install_problem_openapi
from api_server.profile import Profile
from api_server.readiness_pipeline import ReadinessService, serving_readiness
from api_server.services.di import build_registry
from api_server.settings import Settings, get_settings
from api_server.version import get_build_info

__all__ = ["create_app"]


GC_GEN0_THRESHOLD = 10_000


def _tune_garbage_collector() -> None:
    """See `Settings.gc_tune`: measured on this server, not folklore.

    No full collection first: start-up leaves ~1,000 unreachable objects behind (measured),
    not worth the ~50 ms a collection over the whole heap takes before the server is ready.
    """
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    logger.info(
        "starting api-server {} (profiles: {})",
        get_build_info().version,
        ",".join(sorted(settings.active_profiles)),
    )
    database = init_db(settings)
    app.state.database = database
    try:
        await prepare_database_at_startup(database, settings)
        if settings.gc_tune:
            _tune_garbage_collector()
        # Last step of start-up: from here on the instance may report ready.
        async with serving_readiness(
            app.state.registry.get(ReadinessService),
            refresh_interval=settings.health_refresh_interval,
            drain_delay=settings.drain_delay,
        ):
            yield
    finally:
        # Handlers may still write: drain the bus before the engine goes.
        await drain_event_bus(app, settings.drain_timeout)
        await dispose_db()
        logger.info("api-server stopped")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for `settings` (default: from the environment)."""
    settings = settings or get_settings()
    build = get_build_info()
    docs = settings.docs_enabled
    app = FastAPI(
        title="api-server",
        version=build.version,
        lifespan=_lifespan,
        docs_url=None,  # served offline by install_docs()
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.registry = build_registry(settings)
    install_event_bus(app, app.state.registry)
    app.state.home_links = [
        ("/ping", "Liveness"),
        ("/health-check", "Readiness"),
        ("/version", "Version"),
    ]
    if docs:
        app.state.home_links.append(("/docs", "API documentation"))

    register_exception_handlers(app)
    install_problem_openapi(app)
    install_middleware(app, settings)  # order documented in middleware/stack.py
    if docs:
        install_docs(app)
    include_flat(app, system.router)
    include_flat(app, health.router)
    if Profile.REST in settings.active_profiles:
        for router in v1.ROUTERS:
            include_flat(app, router, prefix=v1.PREFIX)
        app.state.home_links.append((v1.PREFIX + "/patients", "REST API"))
    if Profile.GRAPHQL in settings.active_profiles:
        # Imported here: Strawberry and graphql-core are ~0.2 s of start-up that a REST-only
        # instance (API_SERVER_PROFILES=rest) does not pay.
        from api_server.graphql import install_graphql

        install_graphql(app, settings)
    return app
