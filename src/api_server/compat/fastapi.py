"""FastAPI internals (written against FastAPI 0.165; see tests/compat/test_contracts.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from fastapi import APIRouter, Request
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, _DefaultLifespan
from starlette.types import Scope

__all__ = [
    "effective_route_template",
    "function_exit_stack",
    "has_default_lifespan",
    "own_unique_id_function",
    "route_options",
]

# FastAPI's per-request exit stack for function-scoped dependencies: it closes when the
# endpoint has returned and its response is serialised, before the response is sent.
FUNCTION_EXIT_STACK = "fastapi_function_astack"


def function_exit_stack(request: Request) -> AsyncExitStack:
    """The exit stack a `yield` dependency with `scope="function"` would end on."""
    exit_stack: AsyncExitStack | None = request.scope.get(FUNCTION_EXIT_STACK)
    if exit_stack is None:  # FastAPI moved its exit stack: fail loudly, never leak a connection
        raise RuntimeError(f"database dependencies need FastAPI's {FUNCTION_EXIT_STACK}")
    return exit_stack


def has_default_lifespan(router: APIRouter) -> bool:
    """False when a lifespan was given to the router."""
    return isinstance(router.lifespan_context, _DefaultLifespan)


def own_unique_id_function(route: APIRoute) -> Callable[[APIRoute], str] | None:
    """The operation-id function the route or its router was given, or None for FastAPI's
    default (kept as a `DefaultPlaceholder`, which `include_router()` lets a later one replace)."""
    function = route.generate_unique_id_function
    return None if isinstance(function, DefaultPlaceholder) else function


def route_options(route: APIRoute) -> dict[str, Any]:
    """Every keyword of `APIRouter.add_api_route()` that an `APIRoute` keeps as an attribute
    (the router-level ones, prefix, tags, dependencies and responses, are merged in already)."""
    return {
        "response_model": route.response_model,
        "status_code": route.status_code,
        "tags": route.tags,
        "dependencies": route.dependencies,
        "summary": route.summary,
        "description": route.description,
        "response_description": route.response_description,
        "responses": route.responses,
        "deprecated": route.deprecated,
        "methods": route.methods,
        "operation_id": route.operation_id,
        "response_model_include": route.response_model_include,
        "response_model_exclude": route.response_model_exclude,
        "response_model_by_alias": route.response_model_by_alias,
        "response_model_exclude_unset": route.response_model_exclude_unset,
        "response_model_exclude_defaults": route.response_model_exclude_defaults,
        "response_model_exclude_none": route.response_model_exclude_none,
        "include_in_schema": route.include_in_schema,
        "response_class": route.response_class,
        "name": route.name,
        "callbacks": route.callbacks,
        "openapi_extra": route.openapi_extra,
        "generate_unique_id_function": route.generate_unique_id_function,
        "strict_content_type": route.strict_content_type,
        "max_body_size": route.max_body_size,
        "form_limits": route.form_limits or None,
    }


def effective_route_template(scope: Scope) -> str | None:
    """The full, prefixed path template of the route that served the request, or None.

    FastAPI resolves routes of included routers lazily and keeps the effective route under
    `scope["fastapi"]`; `scope["route"]` then holds the router-relative route.
    """
    context = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(context, "path_format", None)
    return template if isinstance(template, str) else None
