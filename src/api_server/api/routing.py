"""Mount routers' routes on the application itself instead of as included-router nodes.

Since FastAPI 0.137, `include_router()` keeps each included router as a node of the route
table that is matched on every request (its routes once to find the router, then again to
pick the route), a cost that grows with each level of nesting (docs/performance.md).
`include_flat()` adds the routes themselves, with the same path, tags, responses and every
other option, as `include_router()` did up to FastAPI 0.136; tests/api/test_routing.py
checks that the OpenAPI document is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.requests import Request
from starlette.responses import Response

from api_server.compat.fastapi import has_default_lifespan, own_unique_id_function, route_options

__all__ = ["RequestRoute", "include_flat"]


class RequestRoute(APIRoute):
    """A route whose endpoint takes the `Request` and returns its `Response`, called as is:
    no dependencies to solve, no body to parse, no response model to serialize (FastAPI's
    handler costs tens of microseconds for that). Documented in OpenAPI like any route."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
        return endpoint


def include_flat(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str = "",
    customize: Callable[[APIRoute, dict[str, Any]], dict[str, Any]] | None = None,
    generate_unique_id_function: Callable[[APIRoute], str] | None = None,
) -> None:
    """Add every route of `router` (already carrying its own prefix and tags) under `prefix`.

    `customize(route, options)` may change the `add_api_route()` options of an API route
    (how the composition root puts each domain route behind its scope).

    Only `APIRoute`s and `APIWebSocketRoute`s are supported, and only routers without
    start-up/shutdown hooks, a lifespan or router-wide form limits: anything else (an included
    router, a mount, a hook) is refused rather than half-copied. `generate_unique_id_function`
    names the operations of routes whose route and router set none, like `include_router()`'s
    keyword of that name.
    """
    for route in router.routes:  # all checks first: nothing is half-copied
        if not isinstance(route, APIRoute | APIWebSocketRoute):
            raise TypeError(
                f"include_flat() supports API routes only; {route!r} needs app.include_router()"
            )
    _refuse_what_is_not_copied(router)
    for route in router.routes:
        if isinstance(route, APIRoute):
            options = {**route_options(route), "route_class_override": type(route)}
            if generate_unique_id_function and own_unique_id_function(route) is None:
                options["generate_unique_id_function"] = generate_unique_id_function
            if customize is not None:
                options = customize(route, options)
            app.router.add_api_route(prefix + route.path, route.endpoint, **options)
        elif isinstance(route, APIWebSocketRoute):
            app.router.add_api_websocket_route(
                prefix + route.path,
                route.endpoint,
                name=route.name,
                dependencies=route.dependencies,
            )


def _refuse_what_is_not_copied(router: APIRouter) -> None:
    # include_router() would merge these into the app (or apply them per request).
    if router.on_startup or router.on_shutdown:
        raise TypeError("include_flat() does not copy on_startup/on_shutdown handlers")
    if not has_default_lifespan(router):
        raise TypeError("include_flat() does not copy a router's lifespan")
    if router.form_limits:
        raise TypeError("include_flat() does not copy router-wide form limits")
