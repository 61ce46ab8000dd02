"""GraphQL documents of patients and addresses, and helpers that create them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.graphql.client import data, gql

PATIENT_FIELDS = """
  id patientId firstName lastName dateOfBirth sex conditions allergies primaryAddressId
  createdAt updatedAt version
"""

CREATE_PATIENT = (
    "mutation($input: PatientCreateInput!) { createPatient(input: $input) {"
    + PATIENT_FIELDS
    + "addresses { nodes { id city type patient { id } } } } }"
)

UPDATE_PATIENT = (
    "mutation($id: ID!, $input: PatientUpdateInput!) { updatePatient(id: $id, input: $input) {"
    + PATIENT_FIELDS
    + "} }"
)

CREATE_ADDRESS = """
mutation($input: AddressCreateInput!) {
  createAddress(input: $input) { id patientId type street city postalCode country version }
}"""


def patient_input(**overrides: object) -> dict[str, object]:
    value: dict[str, object] = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "dateOfBirth": "1815-12-10",
        "sex": "FEMALE",
        "conditions": ["asthma"],
    }
    value.update(overrides)
    return value


def address_input(**overrides: object) -> dict[str, object]:
    value: dict[str, object] = {
        "type": "HOME",
        "street": "12 St James's Square",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    }
    value.update(overrides)
    return value


async def create_patient(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = await gql(api, CREATE_PATIENT, {"input": patient_input(**overrides)})
    patient: dict[str, Any] = data(body)["createPatient"]
    return patient


async def create_address(
    api: httpx.AsyncClient, patient_id: str, **overrides: Any
) -> dict[str, Any]:
    variables = {"input": address_input(patientId=patient_id, **overrides)}
    address: dict[str, Any] = data(await gql(api, CREATE_ADDRESS, variables))["createAddress"]
    return address
