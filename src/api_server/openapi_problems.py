"""Which problems each operation of the OpenAPI document answers: the rules, in one place.

A route lists only the problems its own logic raises (`problem_responses(404, 409, 412)`);
everything the framework around it can answer is added here, from what the operation is:

- every operation: 500 INTERNAL_ERROR (`UnhandledErrorMiddleware`), and 400 INVALID_HOST
  (`TrustedHostMiddleware`, where hosts are configured) except the probes it lets through;
- with parameters or a body: 422 VALIDATION_ERROR; with a body: 413 PAYLOAD_TOO_LARGE and
  408 REQUEST_TIMEOUT (the body did not arrive in time);
- behind a credential: 401 and 403 with the `WWW-Authenticate` challenge, and 503
  DATABASE_UNAVAILABLE (an API key is looked up in the database);
- depending on the database session or read connection: 503 DATABASE_UNAVAILABLE, with
  `Retry-After` as the server sends it (`DatabaseUnavailableError`).

Every problem response is `application/problem+json` with its status's typed schema
(`problem_types.problem_schema`). A response the route documents with a body of its own (the
health 503) keeps it; a problem the operation can also answer there is added beside it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api_server.database.dependencies import get_db_read_connection, get_db_session
from api_server.middleware.trusted_host import PROBE_PATHS
from api_server.problem import PROBLEM_MEDIA_TYPE
from api_server.problem_types import problem_schema

__all__ = ["document_problems", "operations"]

_DATABASE_DEPENDENCIES = frozenset({get_db_session, get_db_read_connection})
_STRING = {"type": "string"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}
_CHALLENGE = {
    "WWW-Authenticate": {
        "description": "The Bearer challenge (RFC 6750): `error` says why, `scope` what is needed.",
        "required": True,
        "schema": _STRING,
    }
}
_DESCRIPTIONS = {
    400: "Bad Request (INVALID_HOST: the Host header names a host this server does not serve, "
    "where the deployment lists its hosts; BAD_REQUEST: a request this operation cannot read)",
    401: "Unauthenticated: no credential, or not a valid one (UNAUTHENTICATED)",
    403: "Forbidden: the credential lacks the operation's scope (FORBIDDEN)",
    404: "Not found (NOT_FOUND): `resource` and `key` name what is missing",
    409: "Conflict: a stale `version` (VERSION_CONFLICT) or a taken unique value (CONFLICT)",
    412: "Precondition failed: `If-Match` names no current ETag (PRECONDITION_FAILED)",
    408: "Request timeout: the body did not arrive within the server's limit (REQUEST_TIMEOUT)",
    413: "Content too large: the body exceeds the server's limit (PAYLOAD_TOO_LARGE)",
    422: "Validation failed (VALIDATION_ERROR): `errors` names each refused input",
    500: "Internal error (INTERNAL_ERROR): logged with the request id; no details are sent",
    503: "Database unavailable (DATABASE_UNAVAILABLE): try again after `Retry-After` seconds",
}
_HEADERS = {401: _CHALLENGE, 403: _CHALLENGE, 503: _RETRY_AFTER}
GRAPHQL_RESPONSE_MEDIA_TYPE = "application/graphql-response+json"


def operations(
    document: dict[str, Any], routes: list[Any]
) -> Iterator[tuple[str, str, dict[str, Any], APIRoute | None]]:
    """(path, method, operation, its route) of every operation in `document`."""
    by_operation = {
        (route.path_format, method.lower()): route
        for route in routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    for path, path_item in document.get("paths", {}).items():
        for method, operation in path_item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation, by_operation.get((path, method))


def _uses_database(dependant: Dependant) -> bool:
    return dependant.call in _DATABASE_DEPENDENCIES or any(
        _uses_database(dependency) for dependency in dependant.dependencies
    )


def _statuses(
    path: str, method: str, operation: dict[str, Any], route: APIRoute | None
) -> set[int]:
    """The problems the framework can answer for this operation (see the module docstring)."""
    statuses = {500}
    if not (method == "get" and path in PROBE_PATHS):
        statuses.add(400)
    if operation.get("parameters") or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {408, 413}
    if operation.get("security"):
        statuses |= {401, 403, 503}
    if route is not None and _uses_database(route.dependant):
        statuses.add(503)
    return statuses


def _answers_graphql(responses: dict[str, Any]) -> bool:
    return any(
        GRAPHQL_RESPONSE_MEDIA_TYPE in (response.get("content") or {})
        for response in responses.values()
        if isinstance(response, dict)
    )


def _is_problem(response: dict[str, Any]) -> bool:
    # Declared with problem_responses(), FastAPI's automatic 422, or an error documented
    # without a body (answered by the same handlers). The health 503 documents its own body.
    content = response.get("content")
    return not content or PROBLEM_MEDIA_TYPE in content or "HTTPValidationError" in str(content)


def _problem_content(status: int) -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": problem_schema(status)}}


def _document(responses: dict[str, Any], status: int, *, beside_own_body: bool) -> None:
    response = responses.get(str(status))
    if response is None or _is_problem(response):
        kept = {k: v for k, v in (response or {}).items() if k not in {"description", "content"}}
        responses[str(status)] = {
            "description": _DESCRIPTIONS.get(status, (response or {}).get("description", "")),
            **({"headers": copy.deepcopy(_HEADERS[status])} if status in _HEADERS else {}),
            **kept,
            "content": _problem_content(status),
        }
    elif beside_own_body:  # a body of its own (the health 503); the problem is the other one
        response["description"] += f"; or, as a problem, {_DESCRIPTIONS[status]}"
        response["content"].update(_problem_content(status))
        for name, header in _HEADERS.get(status, {}).items():  # sent with the problem only
            response.setdefault("headers", {})[name] = {**header, "required": False}


def document_problems(document: dict[str, Any], routes: list[Any]) -> None:
    """Give every operation of `document` (built from `routes`) each problem it can answer,
    as `application/problem+json` with its typed schema, its description and headers."""
    for path, method, operation, route in operations(document, routes):
        responses = operation["responses"]
        if _answers_graphql(responses):
            continue  # /graphql answers every refusal as a GraphQL response (graphql/)
        framework = _statuses(path, method, operation, route)
        declared = {int(s) for s in map(str, responses) if s.isdigit() and s[0] in "45"}
        for status in sorted(framework | declared):
            _document(responses, status, beside_own_body=status in framework)
        operation["responses"] = dict(sorted(responses.items()))
