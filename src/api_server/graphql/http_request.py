"""What the GraphQL router reads off a request: is it JSON, the one operation of a plain
POST, and the sub-response resolvers may set headers or a status on."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.responses import Response
from strawberry.http import GraphQLRequestData

__all__ = ["is_json", "plain_operation", "sub_response"]


def sub_response() -> Response:
    """An empty response for resolvers to set headers or a status on, as FastAPI's own."""
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]  # "not set by a resolver"
    return response


def is_json(content_type: str | None) -> bool:
    return (
        content_type is not None
        and content_type.partition(";")[0].strip().lower() == "application/json"
    )


def plain_operation(body: bytes) -> GraphQLRequestData | None:
    """The operation of a plain POST: a JSON object with a `query` string (and optional
    `variables`, `operationName`, `extensions`). None for anything else, which Strawberry
    then handles (or refuses) itself; a 400 for an `operationName` that is not a string,
    which Strawberry would look for in the document."""
    try:
        data = json.loads(body)  # what Strawberry decodes with; it would refuse the same
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None  # a batch (a list) or not an operation: Strawberry answers 400
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if not isinstance(name, str | None):
        raise HTTPException(400, "`operationName` must be a string or null, if provided")
    if not (
        isinstance(query, str)
        and isinstance(variables, dict | None)
        and isinstance(name, str | None)
        and isinstance(extensions, dict | None)
    ):
        return None
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=name, extensions=extensions
    )
