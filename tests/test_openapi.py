"""The OpenAPI document describes error responses as the server sends them."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from api_server.app import create_app
from api_server.problem import PROBLEM_MEDIA_TYPE
from api_server.settings import Settings


async def test_every_error_response_is_documented_as_a_problem(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    errors = [
        (path, method, status, response)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        # /health-check has a body of its own; /graphql answers GraphQL responses
        # (tests/graphql/test_over_http.py).
        if status[0] in "45" and path not in ("/health-check", "/graphql")
    ]
    assert errors, "the API documents no error responses"
    for path, method, status, response in errors:
        assert list(response["content"]) == [PROBLEM_MEDIA_TYPE], (path, method, status)
    assert document["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "code",
    ]
    health_503 = document["paths"]["/health-check"]["get"]["responses"]["503"]["content"]
    assert health_503 == {
        "application/json": {"schema": {"$ref": "#/components/schemas/HealthBody"}}
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_a_body_that_is_not_utf8_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/patients",
        content=b"\xff\xfe{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert response.json()["errors"] == [
        {"loc": ["body"], "msg": "the body is not valid UTF-8 JSON", "type": "json_invalid"}
    ]


async def test_the_patients_operations_have_short_unique_ids(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    operations = [op for item in document["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)), sorted(ids)
    patients = {
        op["operationId"] for op in operations if {"patients", "addresses"} & set(op["tags"])
    }
    assert patients == {
        "listPatients",
        "createPatient",
        "getPatient",
        "updatePatient",
        "deletePatient",
        "setPrimaryAddress",
        "listPatientAddresses",
        "createAddress",
        "getAddress",
        "updateAddress",
        "deleteAddress",
    }


def _strings(node: Any, schemas: dict[str, Any], seen: set[str]) -> Iterator[dict[str, Any]]:
    """Every string schema reachable from `node`, following `$ref`s once each."""
    if isinstance(node, list):
        for item in node:
            yield from _strings(item, schemas, seen)
    elif isinstance(node, dict):
        if node.get("type") == "string":
            yield node
        reference = node.get("$ref", "").rpartition("/")[2]
        if reference and reference not in seen:
            seen.add(reference)
            yield from _strings(schemas[reference], schemas, seen)
        for key, value in node.items():
            if key != "$ref":
                yield from _strings(value, schemas, seen)


async def test_every_string_a_request_body_takes_says_what_it_refuses(
    client: httpx.AsyncClient,
) -> None:
    # InputModel refuses control characters; a document that allowed them sent schemathesis's
    # positive cases (and any client that trusts the document) to a 422.
    document = (await client.get("/openapi.json")).json()
    bodies = [
        op["requestBody"]
        for path, item in document["paths"].items()
        for op in item.values()
        if "requestBody" in op and path.startswith("/api/")
    ]
    strings = list(_strings(bodies, document["components"]["schemas"], set()))
    assert strings
    for string in strings:
        assert {"pattern", "format", "enum"} & set(string), string


async def test_every_rest_operation_documents_the_database_being_unavailable(
    client: httpx.AsyncClient,
) -> None:
    # Every /api/v1 route reads or writes the database, which can answer 503 (pool exhausted,
    # statement timeout, server down); an undocumented status fails status_code_conformance.
    paths = (await client.get("/openapi.json")).json()["paths"]
    operations = [
        (method, path, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if path.startswith("/api/v1/")
    ]
    assert operations
    for method, path, operation in operations:
        assert "503" in operation["responses"], (method, path)


async def test_the_root_says_where_what_and_under_which_license(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    license_name = project["project"]["license"]["text"]
    assert document["info"]["license"] == {"name": license_name, "identifier": license_name}
    assert "application/problem+json" in document["info"]["description"]
    assert document["servers"] == [{"url": "/"}]  # relative: wherever it is served from


async def test_a_public_operation_says_it_needs_no_credential(client: httpx.AsyncClient) -> None:
    # `security: []`, not nothing: a reader (and Redocly's security-defined rule) can tell a
    # public operation from one whose credential was forgotten.
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert paths["/ping"]["get"]["security"] == []
    assert paths["/health-check"]["get"]["security"] == []
    assert paths["/health-check"]["post"]["security"] == [{"bearerAuth": ["admin"]}]


async def test_behind_a_proxy_the_first_server_is_its_root_path(settings: Settings) -> None:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, root_path="/svc")
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        document = (await http.get("/openapi.json")).json()
    assert document["servers"][0] == {"url": "/svc"}
