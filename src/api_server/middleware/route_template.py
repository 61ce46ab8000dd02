"""The path template of the route that served a request (`/api/v1/patients/{patient_id}`).

Metrics are labelled with it instead of the raw path, so ids never become label values.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route
from starlette.types import Scope

from api_server.compat.fastapi import effective_route_template

__all__ = ["route_template"]


def _endpoint_index(app: Any) -> dict[int, str]:
    """Top-level plain routes of `app` by endpoint identity (built once, on first use)."""
    return {
        id(route.endpoint): route.path_format
        for route in reversed(getattr(app, "routes", ()))
        if isinstance(route, Route)
    }


def route_template(scope: Scope) -> str | None:
    """The matched route's full template, or None when no route matched (404, redirects)."""
    template = effective_route_template(scope)
    if template is not None:
        return template
    if "app_root_path" in scope:
        # Inside a mounted app (GraphQL, static files): label by the mount point.
        prefix: str = scope["root_path"][len(scope["app_root_path"]) :]
        return prefix + "/{path}"
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str):
        return template
    endpoint = scope.get("endpoint")
    app = scope.get("app")
    if endpoint is None or app is None:
        return None
    index: dict[int, str] | None = getattr(app.state, "route_template_index", None)
    if index is None:
        index = _endpoint_index(app)
        app.state.route_template_index = index
    return index.get(id(endpoint))
