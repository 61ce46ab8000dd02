"""The OpenAPI entry of /graphql: every answer, errors included, is a GraphQL response, in
`application/json` or `application/graphql-response+json` (graphql/over_http.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api_server.graphql.over_http import GRAPHQL_RESPONSE_JSON, JSON

__all__ = ["GraphQLErrorBody", "GraphQLResponse", "graphql_content", "graphql_responses"]


class GraphQLErrorBody(BaseModel):
    """A GraphQL error: `extensions.code` is the REST problem `code`."""

    model_config = ConfigDict(extra="allow")

    message: str
    locations: list[dict[str, int]] | None = None
    path: list[str | int] | None = None
    extensions: dict[str, Any] = Field(description="`code`, `request_id`, and the error's own.")


class GraphQLResponse(BaseModel):
    """A GraphQL response: `data` once execution started, `errors` when any."""

    data: dict[str, Any] | None = None
    errors: list[GraphQLErrorBody] | None = None
    extensions: dict[str, Any] | None = None


_ANSWERS = {
    200: "Executed (`data`, maybe with `errors`); with `application/json` also a request "
    "error (`errors` only).",
    400: "Not a GraphQL request (not JSON, a batch, no `query`); with "
    "`application/graphql-response+json` also a document that does not parse or validate.",
    401: "No valid credential.",
    403: "With `application/graphql-response+json`: a root field the caller may not use.",
    413: "The body is too large.",
    415: "The body is not `application/json`.",
    503: "The database cannot serve now (retry after `Retry-After`).",
}


def graphql_content() -> dict[str, Any]:
    """The `content` of a documented answer: a GraphQLResponse in both media types."""
    schema = {"$ref": "#/components/schemas/GraphQLResponse"}
    return {JSON: {"schema": dict(schema)}, GRAPHQL_RESPONSE_JSON: {"schema": dict(schema)}}


_CHALLENGE = {
    "WWW-Authenticate": {
        "description": "the Bearer challenge (RFC 6750): `error` says why",
        "schema": {"type": "string"},
    }
}


def graphql_responses() -> dict[int | str, dict[str, Any]]:
    """`responses=` of the GraphQL routes: each answer in both media types."""
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": GraphQLResponse, "description": text, "content": graphql_content()}
        for status, text in _ANSWERS.items()
    }
    responses[401]["headers"] = dict(_CHALLENGE)
    return responses
