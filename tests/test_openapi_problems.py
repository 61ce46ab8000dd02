"""Every operation documents every problem it can answer, typed, with the headers the server
sends; and each problem the API answers is valid against what its operation documents."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from api_server.api.deps import SessionDep
from api_server.app import create_app
from api_server.problem import PROBLEM_MEDIA_TYPE
from api_server.settings import Settings
from tests.domains.patients.factories import V1, create_address, create_patient
from tests.fixtures.app import AppClient
from tests.fixtures.auth import bearer, issue_key
from tests.openapi_document import Operation, assert_documented, operations

_ANY = {"400", "500"}  # every operation but the probes: the Host check, and a bug
_SECURED = {"401", "403", "503"}  # the credential check, which reads API keys
_READ = _ANY | _SECURED | {"422"}
_WRITE = _READ | {"408", "413"}
EXPECTED = {
    "ping": {"200", "500"},  # a probe: no Host check, no parameters, nothing else
    "getVersion": {"200"} | _ANY,
    "healthCheck": {"200", "500", "503"},
    "rerunHealthCheck": {"200", "422"} | _ANY | _SECURED,
    "createPatient": {"201", "409"} | _WRITE,
    "listPatients": {"200"} | _READ,
    "getPatient": {"200", "404"} | _READ,
    "updatePatient": {"200", "404", "409", "412"} | _WRITE,
    "deletePatient": {"204", "404", "412"} | _READ,
    "setPrimaryAddress": {"200", "404", "409", "412"} | _WRITE,
    "listPatientAddresses": {"200", "404"} | _READ,
    "createAddress": {"201", "404"} | _WRITE,
    "getAddress": {"200", "404"} | _READ,
    "updateAddress": {"200", "404", "409", "412"} | _WRITE,
    "deleteAddress": {"204", "404", "412"} | _READ,
    "listAuditEvents": {"200"} | _READ,
}


async def _document(http: httpx.AsyncClient) -> dict[str, Any]:
    document: dict[str, Any] = (await http.get("/openapi.json")).json()
    return document


def _operation(document: dict[str, Any], method: str, path: str) -> Operation:
    return next(op for op in operations(document) if op.matches(method, path))


async def test_each_operation_lists_each_status_it_can_answer(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    documented = {
        op.id: set(op.spec["responses"]) for op in operations(document) if op.path != "/graphql"
    }
    assert documented == EXPECTED


async def test_problems_are_typed_by_status(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    schemas = document["components"]["schemas"]
    update = _operation(document, "patch", f"{V1}/patients/{uuid.uuid4()}")

    def schema(status: int) -> dict[str, Any]:
        response = update.response(status)
        assert response is not None
        found: dict[str, Any] = response["content"][PROBLEM_MEDIA_TYPE]["schema"]
        return found

    assert schema(409)["discriminator"] == {
        "propertyName": "code",
        "mapping": {
            "VERSION_CONFLICT": "#/components/schemas/VersionConflictProblem",
            "CONFLICT": "#/components/schemas/ConflictProblem",
        },
    }
    assert schema(422) == {"$ref": "#/components/schemas/ValidationProblem"}
    assert schema(403) == {"$ref": "#/components/schemas/ForbiddenProblem"}
    assert schema(503) == {"$ref": "#/components/schemas/Problem"}
    base, own = schemas["VersionConflictProblem"]["allOf"]
    assert base == {"$ref": "#/components/schemas/Problem"}
    assert own["required"] == ["code", "expected_version", "current_version"]
    assert own["properties"]["expected_version"]["type"] == "integer"
    assert own["properties"]["current_version"]["type"] == "integer"
    validation = schemas["ValidationProblem"]["allOf"][1]
    assert validation["properties"]["errors"]["items"] == {
        "$ref": "#/components/schemas/FieldError"
    }
    assert "errors" in validation["required"]
    assert set(schemas["FieldError"]["required"]) == {"loc", "msg", "type"}
    forbidden = schemas["ForbiddenProblem"]["allOf"][1]
    assert forbidden["properties"]["required_scope"] == {
        "type": "string",
        "description": "The scope the operation needs, e.g. patients:write",
    }


async def test_the_headers_of_problems_are_declared(client: httpx.AsyncClient) -> None:
    document = await _document(client)
    for op in operations(document):
        for status, header in (("401", "WWW-Authenticate"), ("503", "Retry-After")):
            response = op.spec["responses"].get(status)
            if response is None or PROBLEM_MEDIA_TYPE not in response["content"]:
                continue  # the readiness probe's 503 is its health body, never a problem
            # With its own body (the health 503) the header comes with the problem only.
            only_problem = list(response["content"]) == [PROBLEM_MEDIA_TYPE]
            assert response["headers"][header]["required"] is only_problem, (op, status)
    rerun = _operation(document, "post", "/health-check").response(503)
    assert rerun is not None
    assert set(rerun["content"]) == {"application/json", PROBLEM_MEDIA_TYPE}


async def test_each_problem_the_api_answers_is_one_its_operation_documents(
    client: httpx.AsyncClient,
) -> None:
    document = await _document(client)
    patient = await create_patient(client, patient_id="P-1")
    other = await create_patient(client)
    theirs = await create_address(client, other["id"])
    url = f"{V1}/patients/{patient['id']}"
    read_only = bearer(await issue_key("patients:read"))
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("PATCH", url, {"json": {"last_name": "B", "version": 1}}),
        ("PATCH", url, {"json": {"last_name": "C", "version": 1}}),  # 409 VERSION_CONFLICT
        ("POST", f"{V1}/patients", {"json": {**patient_body_of(patient), "patient_id": "P-1"}}),
        ("GET", f"{V1}/patients/{uuid.uuid4()}", {}),  # 404
        ("PATCH", url, {"json": {"version": 2}, "headers": {"If-Match": '"v1"'}}),  # 412
        ("PATCH", url, {"json": {"first_name": None, "version": 2}}),  # 422 at the field
        ("PUT", f"{url}/primary-address", {"json": {"address_id": theirs["id"]}}),  # 422 rule
        ("GET", f"{V1}/patients", {"params": {"cursor": "not-a-cursor"}}),  # 422 cursor
        ("GET", f"{V1}/patients", {"headers": {"Authorization": "Bearer nope"}}),  # 401
        ("DELETE", url, {"headers": read_only}),  # 403
        ("POST", f"{V1}/patients", {"content": b"x" * (1024 * 1024 + 1)}),  # 413
    ]
    statuses = []
    for method, path, options in requests:
        response = await client.request(method, path, **options)
        assert_documented(_operation(document, method, path), response)
        statuses.append(response.status_code)
    assert statuses == [200, 409, 409, 404, 412, 422, 422, 422, 401, 403, 413]


def patient_body_of(patient: dict[str, Any]) -> dict[str, Any]:
    fields = ("first_name", "last_name", "date_of_birth", "sex", "conditions", "allergies")
    return {name: patient[name] for name in fields}


@pytest.mark.parametrize("path", ["/version", f"{V1}/patients"])
async def test_a_host_the_server_does_not_serve_is_a_documented_400(
    app_client: AppClient, path: str
) -> None:
    async with app_client(trusted_hosts=["api.example.com"]) as http:
        trusted = {"Host": "api.example.com"}
        document = (await http.get("/openapi.json", headers=trusted)).json()
        response = await http.get(path, headers={"Host": "elsewhere.example.org"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_HOST"
    assert_documented(_operation(document, "get", path), response)


def test_a_public_route_on_the_database_documents_503_and_no_credential_problem(
    settings: Settings,
) -> None:
    app = create_app(settings)

    @app.get("/stats", operation_id="getStats")
    async def stats(session: SessionDep) -> dict[str, int]:
        return {}

    responses = app.openapi()["paths"]["/stats"]["get"]["responses"]
    assert set(responses) == {"200", "400", "500", "503"}
    assert responses["503"]["headers"]["Retry-After"]["required"] is True
