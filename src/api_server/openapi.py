"""OpenAPI document that says what the server sends.

FastAPI documents its automatic 422 (and any `responses=` entry with a model) as
`application/json` with its own `HTTPValidationError` schema, and knows nothing of the
middleware and the credential check around a route, while the server answers every
4xx/5xx as an RFC 9457 problem. `install_problem_openapi(app)` rewrites the generated
document once: every problem an operation can answer, typed (`openapi_problems.py`,
`problem_types.py`). Clients, generators and contract tests (schemathesis) see the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api_server.openapi_problems import document_problems
from api_server.problem_types import problem_components

__all__ = ["install_problem_openapi", "problem_openapi"]

_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every problem each operation can answer, typed."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    document_problems(document, app.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(problem_components())
    referenced = str(document.get("paths", {}))
    for name in _UNUSED_SCHEMAS:
        if f"#/components/schemas/{name}'" not in referenced:
            schemas.pop(name, None)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def install_problem_openapi(app: FastAPI) -> None:
    """Serve `problem_openapi(app)` (built on first request, then cached) as /openapi.json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
