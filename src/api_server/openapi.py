"""OpenAPI document that says what the server sends: errors are application/problem+json.

FastAPI documents its automatic 422 (and any `responses=` entry with a model) as
`application/json` with its own `HTTPValidationError` schema, while the exception handlers
answer every 4xx/5xx as an RFC 9457 problem. `install_problem_openapi(app)` rewrites the
generated document once (routes that document their own error body, like the health 503,
keep it), so clients and contract tests (schemathesis) see the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api_server.problem import PROBLEM_MEDIA_TYPE, Problem

__all__ = ["install_problem_openapi"]

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_UNUSED_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _is_problem(response: dict[str, Any]) -> bool:
    # Declared with problem_responses(), or FastAPI's automatic 422. A route that documents its
    # own error body (the 503 health body) keeps it.
    # An error documented without any body (e.g. Strawberry's GET /graphql 404) is answered by
    # the same handlers, so it is a problem too.
    content = response.get("content")
    if not content:
        return True
    return PROBLEM_MEDIA_TYPE in content or "HTTPValidationError" in str(content)


def _rewrite_error_responses(document: dict[str, Any]) -> None:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if str(status)[0] in {"4", "5"} and _is_problem(response):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}}


_CHALLENGE = {
    "WWW-Authenticate": {
        "description": "the Bearer challenge (RFC 6750): `error` says why, `scope` what is needed",
        "schema": {"type": "string"},
    }
}
_AUTH_RESPONSES = {
    "401": "Unauthenticated: no credential, or not a valid one (problem code UNAUTHENTICATED)",
    "403": "Forbidden: the credential lacks the operation's scope (problem code FORBIDDEN)",
}


def _document_authentication(document: dict[str, Any]) -> None:
    # Every operation behind a credential can answer 401 and 403: documented here, once.
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or not operation.get("security"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in _AUTH_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "headers": dict(_CHALLENGE),
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}},
                    },
                )


def problem_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every error response as a problem+json `Problem`."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    _rewrite_error_responses(document)
    _document_authentication(document)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    referenced = str(document.get("paths", {}))
    for name in _UNUSED_SCHEMAS:
        if f"#/components/schemas/{name}'" not in referenced:
            schemas.pop(name, None)
    return document


def install_problem_openapi(app: FastAPI) -> None:
    """Serve `problem_openapi(app)` (built on first request, then cached) as /openapi.json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
