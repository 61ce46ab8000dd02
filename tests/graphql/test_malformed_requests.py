"""Malformed GraphQL requests are client errors (4xx, or a coded document error), never 500."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.graphql.client import PATH, only_error

JSON = {"content-type": "application/json"}
TYPENAME = b'{"query": "{ __typename }", "variables": '


@pytest.mark.parametrize(
    "body",
    [
        TYPENAME + b"[" * 5000 + b"]" * 5000 + b"}",  # nesting deeper than the JSON parser goes
        TYPENAME + b'{"x": ' + b"1" * 5000 + b"}}",  # a number too long to convert
        b'{"query": "\xff\xfe"}',  # not UTF-8
        b'{"query": ',  # cut short
        b"null",
        b"1",
        b'"x"',
        b"true",
    ],
    ids=["deep-nesting", "5000-digit-number", "not-utf8", "truncated", "null", "1", "x", "true"],
)
async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(PATH, content=body, headers=JSON)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert only_error(response.json())["extensions"]["code"] == "BAD_REQUEST"


async def test_deeply_nested_variables_in_a_get_are_400(client: httpx.AsyncClient) -> None:
    params = {"query": "{ __typename }", "variables": "[" * 5000}
    response = await client.get(PATH, params=params)
    code = only_error(response.json())["extensions"]["code"]
    assert (response.status_code, code) == (400, "BAD_REQUEST")


async def test_an_int_literal_too_long_to_read_is_a_document_error(
    client: httpx.AsyncClient,
) -> None:
    document = "{ patients(first: %s) { edges { cursor } } }" % ("1" * 5000)
    response = await client.post(PATH, content=json.dumps({"query": document}), headers=JSON)
    body = response.json()
    assert response.status_code == 200 and "data" not in body  # a request error
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "1111" not in response.text  # the value is not echoed


async def test_a_document_nested_too_deeply_is_a_document_error(
    client: httpx.AsyncClient,
) -> None:
    document = "{ patients(lastName: %s) { edges { cursor } } }" % ("[" * 2000 + "]" * 2000)
    body = (await client.post(PATH, json={"query": document})).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("content_type", ["text/plain", "application/graphql", None])
async def test_a_body_that_is_not_json_by_its_content_type_is_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(PATH, content=b"{ __typename }", headers=headers)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/json"
    error = only_error(response.json())
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "application/json" in error["message"]
