"""GraphQL over HTTP: the media type follows `Accept`, request errors have no `data` and the
status the media type gives them, and every refusal at /graphql is a GraphQL response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api_server.graphql.over_http import response_media_type
from tests.domains.patients.graphql_documents import CREATE_PATIENT, patient_input
from tests.fixtures.app import AppClient, serving
from tests.graphql.client import PATH

GRAPHQL_RESPONSE = "application/graphql-response+json"
GRAPHQL_RESPONSE_UTF8 = "application/graphql-response+json; charset=utf-8"
JSON = "application/json"
ACCEPT_GRAPHQL = {"Accept": GRAPHQL_RESPONSE}
ACCEPT_JSON = {"Accept": JSON}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, GRAPHQL_RESPONSE),  # the spec's default since 2025-01-01
        ("", GRAPHQL_RESPONSE),
        ("*/*", JSON),  # legacy clients
        ("application/json", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("application/json;q=0.9, */*", GRAPHQL_RESPONSE),  # */* covers it, at q=1
        ("application/graphql-response+json;q=0, */*", JSON),
        ("Application/GraphQL-Response+JSON", GRAPHQL_RESPONSE),
        ("text/html", JSON),  # neither: the spec allows ignoring Accept
        ("application/graphql-response+json;q=nonsense, application/json", JSON),
    ],
)
def test_the_media_type_is_the_one_accept_prefers(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


async def _post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str], **extra: Any
) -> httpx.Response:
    return await client.post(PATH, json={"query": query, **extra}, headers=headers)


async def test_a_response_is_in_the_media_type_the_request_accepts(
    client: httpx.AsyncClient,
) -> None:
    for headers, content_type in ((ACCEPT_GRAPHQL, GRAPHQL_RESPONSE_UTF8), (ACCEPT_JSON, JSON)):
        response = await _post(client, "{ __typename }", headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == content_type
        assert response.headers["vary"] == "Accept"
        assert response.json() == {"data": {"__typename": "Query"}}
        query = await client.get(PATH, params={"query": "{ __typename }"}, headers=headers)
        assert (query.status_code, query.headers["content-type"]) == (200, content_type)


async def test_without_accept_the_response_is_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    request = client.build_request("POST", PATH, json={"query": "{ __typename }"})
    del request.headers["accept"]
    response = await client.send(request)
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_UTF8


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ("{ patient(id: 1) { nope } }", {}, "nope"),  # does not validate
        ("{ patients(", {}, "Syntax Error"),  # does not parse
        ("query($n: Int) { patients(first: $n) { nodes { id } } }", {"n": "x"}, "$n"),
        ("query A { __typename } query B { __typename }", {}, "Must provide operation name"),
    ],
    ids=["validation", "parse", "variables", "two-operations"],
)
async def test_a_request_error_is_400_with_graphql_response_json_and_200_with_json(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], message: str
) -> None:
    for headers, status in ((ACCEPT_GRAPHQL, 400), (ACCEPT_JSON, 200)):
        response = await _post(client, query, headers, variables=variables)
        assert response.status_code == status
        body = response.json()
        assert list(body) == ["errors"]  # no `data`: nothing was executed
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert message in body["errors"][0]["message"]


async def test_a_request_error_over_get_has_the_same_status(client: httpx.AsyncClient) -> None:
    for headers, status in ((ACCEPT_GRAPHQL, 400), (ACCEPT_JSON, 200)):
        response = await client.get(PATH, params={"query": "{ nope }"}, headers=headers)
        assert response.status_code == status
        assert list(response.json()) == ["errors"]


async def test_an_executed_operation_is_200_even_when_its_data_is_null(
    client: httpx.AsyncClient,
) -> None:
    # `first: 0` fails in the resolver of a non-null field: executed, data null.
    for headers in (ACCEPT_GRAPHQL, ACCEPT_JSON):
        response = await _post(client, "{ patients(first: 0) { nodes { id } } }", headers)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["path"] == ["patients"]


async def test_an_unknown_operation_name_is_400_with_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await _post(client, "query A { __typename }", ACCEPT_GRAPHQL, operationName="B")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == 'Unknown operation named "B".'


@pytest.fixture
async def reader(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(app, scopes=("patients:read",)) as http:
        yield http


async def test_a_forbidden_root_field_is_403_with_graphql_response_json(
    reader: httpx.AsyncClient,
) -> None:
    variables = {"input": patient_input()}
    refused = await _post(reader, CREATE_PATIENT, ACCEPT_GRAPHQL, variables=variables)
    assert refused.status_code == 403
    assert list(refused.json()) == ["errors"]
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    legacy = await _post(reader, CREATE_PATIENT, ACCEPT_JSON, variables=variables)
    assert legacy.status_code == 200


def _assert_refusal(response: httpx.Response, status: int, code: str, content_type: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == content_type
    assert response.headers["vary"] == "Accept"
    body = response.json()
    assert list(body) == ["errors"], body  # a GraphQL response: no problem members
    [error] = body["errors"]
    assert error["message"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("headers", "content_type"), [(ACCEPT_GRAPHQL, GRAPHQL_RESPONSE_UTF8), (ACCEPT_JSON, JSON)]
)
async def test_a_request_refused_before_graphql_runs_gets_graphql_errors(
    client: httpx.AsyncClient, headers: dict[str, str], content_type: str
) -> None:
    batch = await client.post(PATH, json=[{"query": "{ __typename }"}], headers=headers)
    _assert_refusal(batch, 400, "BAD_REQUEST", content_type)
    assert "Batching" in batch.json()["errors"][0]["message"]
    malformed = await client.post(
        PATH, content=b'{"query": ', headers={**headers, "Content-Type": JSON}
    )
    _assert_refusal(malformed, 400, "BAD_REQUEST", content_type)
    text = await client.post(
        PATH, content=b"{ __typename }", headers={**headers, "Content-Type": "text/plain"}
    )
    _assert_refusal(text, 415, "UNSUPPORTED_MEDIA_TYPE", content_type)
    mutation = await client.get(
        PATH, params={"query": "mutation { deletePatient(id: 1) }"}, headers=headers
    )
    _assert_refusal(mutation, 400, "BAD_REQUEST", content_type)


@pytest.mark.parametrize(
    ("headers", "content_type"), [(ACCEPT_GRAPHQL, GRAPHQL_RESPONSE_UTF8), (ACCEPT_JSON, JSON)]
)
async def test_an_unauthenticated_request_is_401_with_graphql_errors(
    app: FastAPI, headers: dict[str, str], content_type: str
) -> None:
    async with serving(app, scopes=None) as anonymous:
        response = await _post(anonymous, "{ __typename }", headers)
        garbage = await _post(anonymous, "{ __typename }", {**headers, "Authorization": "x"})
        rest = await anonymous.get("/api/v1/patients", headers=headers)
    _assert_refusal(response, 401, "UNAUTHENTICATED", content_type)
    assert response.headers["www-authenticate"].startswith("Bearer ")
    _assert_refusal(garbage, 401, "UNAUTHENTICATED", content_type)
    assert 'error="invalid_token"' in garbage.headers["www-authenticate"]
    # Everywhere else a refusal stays a problem.
    assert (rest.status_code, rest.headers["content-type"]) == (401, "application/problem+json")
    assert rest.json()["code"] == "UNAUTHENTICATED"


async def test_a_body_over_the_limit_is_413_with_graphql_errors(app_client: AppClient) -> None:
    document = {"query": "{ __typename }", "variables": {"pad": "x" * 2000}}
    async with app_client(max_body_size=1000) as http:
        declared = await http.post(PATH, json=document, headers=ACCEPT_GRAPHQL)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield b" " * 600

        streamed = await http.post(
            PATH, content=chunks(), headers={**ACCEPT_JSON, "Content-Type": JSON}
        )
    _assert_refusal(declared, 413, "PAYLOAD_TOO_LARGE", GRAPHQL_RESPONSE_UTF8)
    assert declared.headers["connection"] == "close"
    _assert_refusal(streamed, 413, "PAYLOAD_TOO_LARGE", JSON)


async def test_the_openapi_document_says_graphql_answers_are_graphql_responses(
    app: FastAPI,
) -> None:
    operations = app.openapi()["paths"][PATH]
    for method in ("get", "post"):
        for status, answer in operations[method]["responses"].items():
            graphiql = {"text/html"} if (method, status) == ("get", "200") else set()
            assert set(answer["content"]) == {JSON, GRAPHQL_RESPONSE, *graphiql}, (method, status)
    assert {"400", "401", "413", "415"} <= set(operations["post"]["responses"])
    assert "WWW-Authenticate" in operations["post"]["responses"]["401"]["headers"]
