"""Application factory: builds the FastAPI app once, with every router mounted up front."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from loguru import logger

from api_server.api import health, system
from api_server.api.docs import install_docs
from api_server.api.operation_ids import operation_id, verify_operation_ids
from api_server.api.routing import include_flat
from api_server.api.tags import declare_tags, verify_tags
from api_server.auth.authenticator import Authenticator
from api_server.auth.dependencies import guarded_options, has_authorization, scope_for_methods
from api_server.auth.jwt import JwtVerifier
from api_server.collector import tune_garbage_collector
from api_server.database.connection import dispose_db, init_db
from api_server.database.startup import prepare_database_at_startup
from api_server.domain import Domain
from api_server.domains import DOMAINS
from api_server.event_bus.install import drain_event_bus, install_event_bus, running_relay
from api_server.exception_handlers import register_exception_handlers
from api_server.middleware import install_middleware
from api_server.openapi import API_DESCRIPTION, install_problem_openapi
from api_server.profile import Profile
from api_server.readiness_pipeline import ReadinessService, serving_readiness
from api_server.services.di import build_registry, verify_route_services
from api_server.settings import Settings, get_settings
from api_server.version import get_build_info

__all__ = ["API_PREFIX", "DOMAINS", "create_app"]

API_PREFIX = "/api/v1"  # the versioned REST surface (the `rest` profile)
_GRAPHQL_TAGS = {
    "graphql": "GraphQL over HTTP: every domain's data and rules in one schema (POST, and GET "
    "for queries)."
}


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
            tune_garbage_collector()
        # Last step of start-up: from here on the instance may report ready.
        async with (
            running_relay(app.state.registry),
            serving_readiness(
                app.state.registry.get(ReadinessService),
                refresh_interval=settings.health_refresh_interval,
                drain_delay=settings.drain_delay,
            ),
        ):
            yield
    finally:
        # Handlers may still write: drain the bus before the engine goes.
        await drain_event_bus(app, settings.drain_timeout)
        await app.state.authenticator.close()
        await dispose_db()
        logger.info("api-server stopped")


def create_app(settings: Settings | None = None, *, domains: Sequence[Domain] = DOMAINS) -> FastAPI:
    """Build the application for `settings` (default: from the environment) and `domains`.

    Fails here, not on a request, when a route needs a service nobody registered, when two
    operations share an operationId, when an OpenAPI link names an unknown one or when an
    operation's tag is not declared.
    """
    settings = settings or get_settings()
    names = [domain.name for domain in domains]
    if len(set(names)) != len(names):
        raise ValueError(f"domain names must be unique: {names}")
    build = get_build_info()
    docs = settings.docs_enabled
    app = FastAPI(
        title="api-server",
        version=build.version,
        lifespan=_lifespan,
        docs_url=None,  # served offline by install_docs()
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        description=API_DESCRIPTION,
    )
    app.state.settings = settings
    app.state.registry = build_registry(settings, domains)
    registry = app.state.registry
    app.state.authenticator = Authenticator(
        cache_ttl=settings.auth_cache_ttl,
        jwt=registry.get(JwtVerifier) if registry.has(JwtVerifier) else None,
    )
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
    declare_tags(app, system.TAGS)
    _mount(app, system.router)
    _mount(app, health.router)
    if Profile.REST in settings.active_profiles:
        _install_rest(app, domains)
    if Profile.GRAPHQL in settings.active_profiles:
        # Imported here: Strawberry and graphql-core are a start-up cost that a REST-only
        # instance (API_SERVER_PROFILES=rest) does not pay.
        from api_server.graphql import install_graphql

        install_graphql(app, settings, domains)
        declare_tags(app, _GRAPHQL_TAGS)
    verify_route_services(app, app.state.registry)
    verify_operation_ids(app)
    verify_tags(app)
    return app


def _mount(app: FastAPI, router: APIRouter, prefix: str = "", customize: Any = None) -> None:
    # Our routes' operationIds are their functions' names in camelCase (`listPatients`); the
    # GraphQL router, mounted by install_graphql(), keeps Strawberry's.
    include_flat(
        app, router, prefix=prefix, generate_unique_id_function=operation_id, customize=customize
    )


def _install_rest(app: FastAPI, domains: Sequence[Domain]) -> None:
    for domain in domains:
        declare_tags(app, domain.tags)

        def guard(
            route: APIRoute, options: dict[str, Any], domain: Domain = domain
        ) -> dict[str, Any]:
            # Deny by default: a route without its own `requires(...)` needs the domain's scope.
            if has_authorization(route.dependencies):
                return options
            scope = scope_for_methods(
                route.methods or (), read=domain.read_scope, write=domain.write_scope
            )
            return guarded_options(options, scope)

        for router in domain.routers:
            _mount(app, router, prefix=API_PREFIX, customize=guard)
        if domain.home_link:
            app.state.home_links.append((API_PREFIX + domain.home_link, f"REST: {domain.name}"))
