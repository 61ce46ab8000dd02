"""OpenAPI document that says what the server sends.

FastAPI documents its automatic 422 (and any `responses=` entry with a model) as
`application/json` with its own `HTTPValidationError` schema, and knows nothing of the
middleware and the credential check around a route, while the server answers every
4xx/5xx as an RFC 9457 problem. `install_problem_openapi(app)` rewrites the generated
document once: every problem an operation can answer, typed (`openapi_problems.py`,
`problem_types.py`); public operations marked public; the root's `servers`, `tags`
(`api/tags.py`) and `info.license`. Clients, generators and contract tests (schemathesis)
see the truth.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, metadata
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api_server.openapi_problems import document_problems, operations
from api_server.problem_types import problem_components

__all__ = ["API_DESCRIPTION", "install_problem_openapi", "problem_openapi"]

API_DESCRIPTION = """\
The REST resources under `/api/v1` (one tag each) and, where served, GraphQL at `/graphql`.

**Credentials.** Every operation marked with `bearerAuth` takes `Authorization: Bearer` with
an API key (`api-server-cli auth create-key`) or a JWT access token, holding the scope the
operation names; the others are public.

**Errors** are `application/problem+json` (RFC 9457) with a stable `code` and the request id;
each operation lists every status it can answer, typed where a problem has members of its own
(`VersionConflictProblem`, `ValidationProblem`, ...). A method a path does not list answers
405 `METHOD_NOT_ALLOWED` with an `Allow` header naming those it does. A 503
`DATABASE_UNAVAILABLE` says, in `Retry-After`, when to try again.

**Changes** name the `version` they were based on (a stale one is 409 `VERSION_CONFLICT`);
reads and writes of a resource return its `ETag`, which `If-Match` may send back (412 when it
is no longer current). A create answers 201 with `Location`. Lists are pages: pass
`next_cursor` as `cursor` until it is null.
"""

# Relative: the server that serves the document. Behind a proxy that mounts it under a
# prefix (ASGI root_path), FastAPI lists that prefix first when it serves the document.
_THIS_SERVER = {"url": "/"}
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _license() -> dict[str, str] | None:
    # The package's own (pyproject.toml `license`): one place says it.
    try:
        package = metadata("api-server")
    except PackageNotFoundError:
        return None
    names = package.get_all("License-Expression") or package.get_all("License") or []
    return {"name": names[0], "identifier": names[0]} if names else None


def _mark_public(document: dict[str, Any], app: FastAPI) -> None:
    # An operation without a credential says so (`security: []`) rather than leaving readers
    # (and linters) to guess whether one was forgotten.
    for _, _, operation, _ in operations(document, app.routes):
        operation.setdefault("security", [])


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every problem each operation can answer, typed."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers or [_THIS_SERVER],
        license_info=_license(),
    )
    document_problems(document, app.routes)
    _mark_public(document, app)
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
