"""The OpenAPI document describes error responses as the server sends them."""

from __future__ import annotations

import httpx

from api_server.problem import PROBLEM_MEDIA_TYPE


async def test_every_error_response_is_documented_as_a_problem(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    errors = [
        (path, method, status, response)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status[0] in "45" and path != "/health-check"
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
