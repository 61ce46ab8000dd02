"""Mutations on SQLite and PostgreSQL: the REST rules and codes, seen through GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from loguru import logger

from api_server.domains.patients.db_model import Patient
from api_server.domains.patients.service import PatientService
from tests.domains.patients.graphql_documents import (
    CREATE_PATIENT,
    UPDATE_PATIENT,
    address_input,
    create_address,
    create_patient,
    patient_input,
)
from tests.graphql.client import data, gql, only_error

UNKNOWN = str(uuid.uuid4())
SECRET = "sk_live_do_not_echo_9f8e7d"
COUNT = "{ patients(first: 100) { edges { node { id firstName version } } } }"


async def _patients(api: httpx.AsyncClient) -> list[dict[str, Any]]:
    return [e["node"] for e in data(await gql(api, COUNT))["patients"]["edges"]]


async def test_create_patient_with_addresses(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api, addresses=[address_input(), address_input(city="Paris")])
    assert uuid.UUID(patient["id"]).version == 7
    assert patient["version"] == 1 and patient["createdAt"] == patient["updatedAt"]
    assert [a["city"] for a in patient["addresses"]["nodes"]] == ["London", "Paris"]
    assert {a["patient"]["id"] for a in patient["addresses"]["nodes"]} == {patient["id"]}
    assert await _patients(api) == [{"id": patient["id"], "firstName": "Ada", "version": 1}]


async def test_invalid_input_is_a_validation_error_listing_fields_without_values(
    api: httpx.AsyncClient,
) -> None:
    variables = {"input": patient_input(firstName="", lastName="x" * 101, conditions=[SECRET, " "])}
    body = await gql(api, CREATE_PATIENT, variables)
    error = only_error(body)
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    locs = [e["loc"] for e in error["extensions"]["errors"]]
    assert ["input", "firstName"] in locs and ["input", "lastName"] in locs
    assert SECRET not in str(body)
    assert body["data"] is None
    assert await _patients(api) == []


async def test_a_bad_variable_is_rejected_without_echoing_it(api: httpx.AsyncClient) -> None:
    body = await gql(api, CREATE_PATIENT, {"input": patient_input(sex=SECRET)})
    error = only_error(body)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "$input" in error["message"]
    assert SECRET not in str(body)


async def test_duplicate_patient_id_is_a_conflict(api: httpx.AsyncClient) -> None:
    await create_patient(api, patientId="MRN-0001")
    body = await gql(api, CREATE_PATIENT, {"input": patient_input(patientId="MRN-0001")})
    error = only_error(body)
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["field"] == "patient_id"
    assert len(await _patients(api)) == 1


async def test_update_patient_bumps_version_and_conflicts_on_a_stale_one(
    api: httpx.AsyncClient,
) -> None:
    patient = await create_patient(api)
    variables = {"id": patient["id"], "input": {"version": 1, "firstName": "Augusta"}}
    updated = data(await gql(api, UPDATE_PATIENT, variables))["updatePatient"]
    assert (updated["firstName"], updated["version"]) == ("Augusta", 2)
    assert updated["lastName"] == "Lovelace"  # partial: untouched fields stay

    stale = await gql(api, UPDATE_PATIENT, {"id": patient["id"], "input": {"version": 1}})
    error = only_error(stale)
    assert error["extensions"]["code"] == "VERSION_CONFLICT"
    assert error["extensions"]["expected_version"] == 1
    assert error["extensions"]["current_version"] == 2
    assert error["path"] == ["updatePatient"]
    assert stale["data"] is None


async def test_update_rejects_null_for_a_required_field(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    variables = {"id": patient["id"], "input": {"version": 1, "lastName": None}}
    error = only_error(await gql(api, UPDATE_PATIENT, variables))
    assert error["extensions"]["code"] == "VALIDATION_ERROR"
    assert "lastName" in str(error["extensions"]["errors"]) or "last_name" in error[
        "message"
    ] + str(error["extensions"]["errors"])


@pytest.mark.parametrize(
    "document",
    [
        'mutation { updatePatient(id: "%s", input: {version: 1}) { id } }',
        'mutation { deletePatient(id: "%s") }',
        'mutation { setPrimaryAddress(patientId: "%s", addressId: null) { id } }',
        'mutation { updateAddress(id: "%s", input: {version: 1}) { id } }',
        'mutation { deleteAddress(id: "%s") }',
        'mutation { createAddress(input: {patientId: "%s", type: HOME, street: "s", city: "c",'
        ' postalCode: "p", country: "GB"}) { id } }',
    ],
)
async def test_mutations_on_unknown_ids_are_not_found(
    api: httpx.AsyncClient, document: str
) -> None:
    body = await gql(api, document % UNKNOWN)
    error = only_error(body)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["key"] == UNKNOWN
    assert body["data"] is None  # never a silent null or false


async def test_delete_patient_removes_it_and_its_addresses(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api, addresses=[address_input()])
    address_id = patient["addresses"]["nodes"][0]["id"]
    assert data(await gql(api, f'mutation {{ deletePatient(id: "{patient["id"]}") }}')) == {
        "deletePatient": True
    }
    gone = f'{{ patient(id: "{patient["id"]}") {{ id }} address(id: "{address_id}") {{ id }} }}'
    assert data(await gql(api, gone)) == {"patient": None, "address": None}


async def test_set_primary_address(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    other = await create_patient(api)
    address = await create_address(api, patient["id"])
    foreign = await create_address(api, other["id"])
    setp = """mutation($p: ID!, $a: ID, $v: Int) {
      setPrimaryAddress(patientId: $p, addressId: $a, version: $v) {
        version primaryAddressId primaryAddress { city }
      }
    }"""
    chosen = data(await gql(api, setp, {"p": patient["id"], "a": address["id"]}))
    assert chosen["setPrimaryAddress"] == {
        "version": 2,
        "primaryAddressId": address["id"],
        "primaryAddress": {"city": "London"},
    }
    wrong = only_error(await gql(api, setp, {"p": patient["id"], "a": foreign["id"]}))
    assert wrong["extensions"]["code"] == "VALIDATION_ERROR"
    stale = only_error(await gql(api, setp, {"p": patient["id"], "a": None, "v": 1}))
    assert stale["extensions"]["code"] == "VERSION_CONFLICT"
    cleared = data(await gql(api, setp, {"p": patient["id"], "a": None, "v": 2}))
    assert cleared["setPrimaryAddress"]["primaryAddress"] is None


async def test_address_create_update_delete(api: httpx.AsyncClient) -> None:
    patient = await create_patient(api)
    address = await create_address(api, patient["id"], type="WORK")
    assert (address["type"], address["version"], address["patientId"]) == ("WORK", 1, patient["id"])
    update = """mutation($id: ID!, $input: AddressUpdateInput!) {
      updateAddress(id: $id, input: $input) { city version street }
    }"""
    changed = data(
        await gql(api, update, {"id": address["id"], "input": {"version": 1, "city": "York"}})
    )
    assert changed["updateAddress"] == {"city": "York", "version": 2, "street": address["street"]}
    stale = only_error(await gql(api, update, {"id": address["id"], "input": {"version": 1}}))
    assert stale["extensions"]["code"] == "VERSION_CONFLICT"
    assert stale["extensions"]["current_version"] == 2
    deleted = data(await gql(api, f'mutation {{ deleteAddress(id: "{address["id"]}") }}'))
    assert deleted == {"deleteAddress": True}
    assert data(await gql(api, f'{{ address(id: "{address["id"]}") {{ id }} }}')) == {
        "address": None
    }


async def test_an_operation_with_a_failed_mutation_keeps_nothing(api: httpx.AsyncClient) -> None:
    document = """mutation {
      ok: createPatient(input: {firstName: "A", lastName: "B", dateOfBirth: "2000-01-01",
                                sex: OTHER, patientId: "MRN-1"}) { patientId }
      dup: createPatient(input: {firstName: "C", lastName: "D", dateOfBirth: "2000-01-01",
                                 sex: OTHER, patientId: "MRN-1"}) { patientId }
    }"""
    body = await gql(api, document)
    error = only_error(body)
    assert (error["extensions"]["code"], error["path"]) == ("CONFLICT", ["dup"])
    assert body["data"] is None  # no success reported...
    assert await _patients(api) == []  # ...and none kept


async def test_a_failing_mutation_rolls_back_its_writes_and_hides_the_cause(
    api: httpx.AsyncClient, backend_app: FastAPI
) -> None:
    class BrokenAfterInsert(PatientService):
        async def create(self, **kwargs: Any) -> Patient:
            await super().create(**kwargs)  # the row is flushed...
            raise RuntimeError(f"boom {SECRET}")  # ...then the service fails

    broken = BrokenAfterInsert(backend_app.state.registry.get(PatientService)._bus)
    logged: list[str] = []
    sink = logger.add(logged.append, level="ERROR", format="{message}\n{exception}")
    try:
        with backend_app.state.registry.override(PatientService, broken):
            body = await gql(api, CREATE_PATIENT, {"input": patient_input()})
    finally:
        logger.remove(sink)
    error = only_error(body)
    assert error["extensions"]["code"] == "INTERNAL_ERROR"
    assert SECRET not in str(body) and "RuntimeError" not in str(body)
    assert body["data"] is None
    assert await _patients(api) == []
    assert len(logged) == 1  # logged once, with the traceback
    assert "createPatient" in logged[0] and "RuntimeError: boom" in logged[0]
