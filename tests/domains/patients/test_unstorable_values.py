"""Values the database cannot store are 422 naming the field, on both databases and both
surfaces: control characters (NUL above all) in any string, integers outside the column."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from api_server.database import SessionDep
from tests.domains.patients.factories import V1, address_body, create_patient, patient_body
from tests.graphql.client import only_error

NUL = "a\x00b"


def _loc(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (patient_body(first_name=NUL), ["body", "first_name"]),
        (patient_body(conditions=["ok", NUL]), ["body", "conditions"]),
        (
            patient_body(addresses=[address_body(street="x\x01y")]),
            ["body", "addresses", 0, "street"],
        ),
        (patient_body(patient_id="P-\x00"), ["body", "patient_id"]),
    ],
    ids=["name", "list-entry", "nested-address", "patient-id"],
)
async def test_control_characters_in_a_body_are_422_naming_the_field(
    api: httpx.AsyncClient, body: dict[str, Any], loc: list[Any]
) -> None:
    response = await api.post(f"{V1}/patients", json=body)
    assert loc in _loc(response)
    assert "\\u0000" not in response.text  # the value is never echoed


async def test_control_characters_in_a_query_string_are_422(api: httpx.AsyncClient) -> None:
    response = await api.get(f"{V1}/patients", params={"last_name": NUL})
    assert _loc(response) == [["query", "last_name"]]


async def test_tabs_and_newlines_are_ordinary_characters(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{V1}/patients", json=patient_body(conditions=["a\tb"]))
    assert response.status_code == 201
    assert response.json()["conditions"] == ["a\tb"]


@pytest.mark.parametrize("version", [2**31, 10**30, 0, -1])
async def test_a_version_outside_the_column_is_422(api: httpx.AsyncClient, version: int) -> None:
    patient = await create_patient(api)
    response = await api.patch(f"{V1}/patients/{patient['id']}", json={"version": version})
    assert _loc(response) == [["body", "version"]]


@pytest.mark.parametrize(
    ("document", "loc"),
    [
        ("query($v: String) { patients(lastName: $v) { edges { cursor } } }", ["lastName"]),
        ("query($v: String!) { patientByPatientId(patientId: $v) { id } }", ["patientId"]),
        (
            'mutation($v: String!) { createPatient(input: {firstName: $v, lastName: "x", '
            'dateOfBirth: "2000-01-01", sex: MALE}) { id } }',
            ["input", "firstName"],
        ),
    ],
    ids=["list-argument", "lookup-argument", "input-field"],
)
@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"], ids=["nul", "lone-surrogate"])
async def test_graphql_refuses_unstorable_text_naming_the_argument(
    api: httpx.AsyncClient, document: str, loc: list[str], bad: str
) -> None:
    # json.dumps escapes a lone surrogate (\ud800), as a client's JSON encoder would send it.
    body = json.dumps({"query": document, "variables": {"v": bad}}).encode()
    response = await api.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    error = only_error(response.json())
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert [e["loc"] for e in error["extensions"]["errors"]] == [loc]


async def test_a_data_error_the_validation_missed_is_422_not_500(
    api: httpx.AsyncClient, backend_app: FastAPI, backend_url: str
) -> None:
    if backend_url.startswith("sqlite"):
        pytest.skip("SQLite stores NUL in text; SQLSTATE class 22 is PostgreSQL's")

    @backend_app.get("/test-only/store-nul")
    async def store_nul(session: SessionDep) -> None:
        # What a route without input validation would send.
        await session.execute(text("SELECT CAST(:value AS text) || ''"), {"value": NUL})

    @backend_app.get("/test-only/divide-by-zero")
    async def divide(session: SessionDep) -> None:
        await session.execute(text("SELECT 1 / 0"))  # class 22 too, but a server bug

    response = await api.get("/test-only/store-nul")
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "VALIDATION_ERROR"
    bug = await api.get("/test-only/divide-by-zero")
    assert (bug.status_code, bug.json()["code"]) == (500, "INTERNAL_ERROR")
