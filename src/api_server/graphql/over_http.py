"""GraphQL over HTTP (the GraphQL Foundation's spec): which media type a response uses, and
what its status is.

- `application/graphql-response+json` when the request's `Accept` prefers it, or has no
  `Accept` at all (the spec's default since 2025); `application/json` otherwise, including
  `*/*` (what most legacy clients send) and an `Accept` naming neither (the spec allows
  ignoring it, rather than a 406).
- A request error (the document does not parse or validate, no operation can be selected,
  variables cannot be coerced, the caller may not use a root field, the cost is too high)
  answers `{"errors": [...]}` without `data`. With `application/json` its status is 200, as
  for every request that is well-formed JSON; with `application/graphql-response+json` it is
  a 4xx (400 for a document error, 403 for FORBIDDEN, ...).
- Once execution started the status is 200 in both (`data`, maybe null, and any errors).
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from api_server.compat.strawberry import is_pre_execution_error
from api_server.graphql.errors import classify

__all__ = [
    "GRAPHQL_RESPONSE_JSON",
    "JSON",
    "content_type",
    "in_media_type",
    "is_request_error",
    "negotiated_media_type",
    "request_error_status",
    "response_media_type",
]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
_CANDIDATES = (GRAPHQL_RESPONSE_JSON, JSON)
_SCOPE_KEY = "api_server.graphql.media_type"


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def _specificity(media_range: str, candidate: str) -> int | None:
    if media_range == candidate:
        return 2
    return {"application/*": 1, "*/*": 0}.get(media_range)


def response_media_type(accept: str | None) -> str:
    """The media type of the response to a request with this `Accept` header."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    # Per candidate, its most specific matching range: (specificity, quality, position).
    found: dict[str, tuple[int, float, int]] = {}
    for position, media_range in enumerate(accept.split(",")):
        media, *parameters = media_range.split(";")
        for candidate in _CANDIDATES:
            specificity = _specificity(media.strip().lower(), candidate)
            if specificity is not None and specificity > found.get(candidate, (-1,))[0]:
                found[candidate] = (specificity, _quality(parameters), position)
    # The higher quality, then the type named rather than matched by a wildcard, then the
    # one listed first; a tie (`*/*`) keeps legacy clients on application/json.
    ranks = {c: (q, specificity, -position) for c, (specificity, q, position) in found.items()}
    preferred = ranks.get(GRAPHQL_RESPONSE_JSON, (0.0,))
    if preferred[0] > 0 and preferred > ranks.get(JSON, (0.0,)):
        return GRAPHQL_RESPONSE_JSON
    return JSON


def content_type(media_type: str) -> str:
    """The `Content-Type` of a response in `media_type` (the spec asks to name UTF-8 for
    its own type; `application/json` has no charset parameter)."""
    return f"{media_type}; charset=utf-8" if media_type == GRAPHQL_RESPONSE_JSON else media_type


def negotiated_media_type(request: Request) -> str:
    """`response_media_type()` of the request's `Accept`, chosen once per request."""
    media_type: str | None = request.scope.get(_SCOPE_KEY)
    if media_type is None:
        media_type = request.scope[_SCOPE_KEY] = response_media_type(request.headers.get("accept"))
    return media_type


def in_media_type(response: Response, media_type: str) -> Response:
    """A GraphQL response (Strawberry writes application/json) in the chosen media type;
    other responses (the GraphiQL page, streams) are left as they are."""
    if response.media_type == JSON:
        response.headers["content-type"] = content_type(media_type)
        response.headers.add_vary_header("Accept")
    return response


def is_request_error(result: ExecutionResult) -> bool:
    """True when `result` is a GraphQL request error: nothing was executed, the response has
    no `data`. Strawberry's pre-execution results, and graphql-core's refusal to start
    (variables that cannot be coerced): no data and no error at a field path."""
    if is_pre_execution_error(result):
        return True
    errors = result.errors or ()
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def request_error_status(errors: Sequence[GraphQLError]) -> int:
    """The status of a request error with `application/graphql-response+json`: the
    errors' own status (403 FORBIDDEN, 503 DATABASE_UNAVAILABLE ...), 400 for a document
    error; of several, the lowest, so a client error wins over a server one."""
    statuses = []
    for error in errors:
        found = classify(error)
        if found.api_error is not None:
            statuses.append(found.api_error.status)
        else:
            statuses.append(500 if found.unexpected else 400)
    return min(statuses, default=400)
