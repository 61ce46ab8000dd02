"""Posting GraphQL documents in tests."""

from __future__ import annotations

from typing import Any

import httpx

PATH = "/graphql"


async def gql(
    api: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The response body of a GraphQL POST (always HTTP 200 for an executed document)."""
    response = await api.post(PATH, json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def data(body: dict[str, Any]) -> dict[str, Any]:
    """`data` of a response that must have no errors."""
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    """The single error of a response."""
    errors = body.get("errors")
    assert errors is not None and len(errors) == 1, body
    error: dict[str, Any] = errors[0]
    return error
