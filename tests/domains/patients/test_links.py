"""The OpenAPI links of each create lead somewhere: followed as a client (or schemathesis's
stateful phase) follows them, from the response they are declared on, each one succeeds."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.domains.patients.factories import V1, address_body, create_patient, patient_body

# What a link leaves to the client: the rest of the target's body.
CLIENT_PART: dict[str, dict[str, Any]] = {
    "updatePatient": {"last_name": "Byron"},
    "setPrimaryAddress": {"address_id": None},  # from an address, the link sets it
    "createAddress": address_body(),
    "updateAddress": {"city": "Paris"},
}
PATIENT_LINKS = [
    "getPatient",
    "updatePatient",
    "deletePatient",
    "setPrimaryAddress",
    "listPatientAddresses",
    "createAddress",
]
ADDRESS_LINKS = ["getAddress", "updateAddress", "deleteAddress", "setPrimaryAddress"]


def _evaluate(expression: Any, response: httpx.Response) -> Any:
    """The OpenAPI runtime expressions the links use; anything else is a constant."""
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    if expression.startswith("$response.body#/"):
        value = response.json()
        for part in expression.removeprefix("$response.body#/").split("/"):
            value = value[part]
        return value
    if expression.startswith("$response.header."):
        return response.headers[expression.removeprefix("$response.header.")]
    raise AssertionError(f"an expression this test does not know: {expression}")


def _target(document: dict[str, Any], operation_id: str) -> tuple[str, str]:
    return next(
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if operation["operationId"] == operation_id
    )


async def _create_and_follow(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], operation_id: str
) -> tuple[httpx.Response, httpx.Response]:
    """POST `body` to `path`, then follow the 201 response's link to `operation_id`."""
    document = (await client.get("/openapi.json")).json()
    link = document["paths"][path]["post"]["responses"]["201"]["links"][operation_id]
    created = await client.post(path, json=body)
    assert created.status_code == 201, created.text
    method, target = _target(document, operation_id)
    headers: dict[str, str] = {}
    for key, expression in link.get("parameters", {}).items():
        location, name = key.split(".", 1)
        value = str(_evaluate(expression, created))
        if location == "path":
            target = target.replace("{" + name + "}", value)
        else:
            assert location == "header", key
            headers[name] = value
    linked = {
        name: _evaluate(value, created) for name, value in link.get("requestBody", {}).items()
    }
    sent = (
        CLIENT_PART.get(operation_id, {}) | linked if method in {"post", "put", "patch"} else None
    )
    return created, await client.request(method.upper(), target, headers=headers, json=sent)


async def test_each_create_declares_the_links_that_follow_it(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert list(paths[f"{V1}/patients"]["post"]["responses"]["201"]["links"]) == PATIENT_LINKS
    assert list(paths[f"{V1}/addresses"]["post"]["responses"]["201"]["links"]) == ADDRESS_LINKS


@pytest.mark.parametrize("operation_id", PATIENT_LINKS)
async def test_every_link_of_a_new_patient_succeeds(
    client: httpx.AsyncClient, operation_id: str
) -> None:
    _, followed = await _create_and_follow(client, f"{V1}/patients", patient_body(), operation_id)
    assert followed.is_success, followed.text


@pytest.mark.parametrize("operation_id", ADDRESS_LINKS)
async def test_every_link_of_a_new_address_succeeds(
    client: httpx.AsyncClient, operation_id: str
) -> None:
    patient = await create_patient(client)
    body = address_body(patient_id=patient["id"])
    created, followed = await _create_and_follow(client, f"{V1}/addresses", body, operation_id)
    assert followed.is_success, followed.text
    if operation_id == "setPrimaryAddress":
        assert followed.json()["primary_address_id"] == created.json()["id"]
