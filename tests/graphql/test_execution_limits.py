"""The execution deadline and the response-size cap: whole operations stopped with a code."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api_server.domains.patients.service import PatientService
from tests.domains.patients.graphql_documents import CREATE_PATIENT, create_patient, patient_input
from tests.graphql.client import data, gql, only_error

ID = "01890000-0000-7000-8000-000000000000"


async def test_an_operation_past_the_deadline_is_stopped(
    app_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stuck(*_args: Any, **_kwargs: Any) -> None:
        await asyncio.sleep(60)

    monkeypatch.setattr(PatientService, "read", stuck)
    async with app_client(graphql_timeout=0.2) as http:
        for send in (
            lambda: http.post("/graphql", json={"query": f'{{ patient(id: "{ID}") {{ id }} }}'}),
            lambda: http.get("/graphql", params={"query": f'{{ patient(id: "{ID}") {{ id }} }}'}),
        ):
            response = await send()
            assert response.status_code == 200
            body = response.json()
            assert body["data"] is None
            error = only_error(body)
            assert error["extensions"]["code"] == "QUERY_TIMEOUT"
            assert error["extensions"]["timeout_seconds"] == 0.2


async def test_a_mutation_past_the_deadline_keeps_nothing(
    app_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create = PatientService.create

    async def slow_create(self: PatientService, **kwargs: Any) -> Any:
        created = await create(self, **kwargs)  # inserted, not committed
        await asyncio.sleep(60)
        return created

    monkeypatch.setattr(PatientService, "create", slow_create)
    async with app_client(graphql_timeout=0.2) as http:
        body = await gql(http, CREATE_PATIENT, {"input": patient_input()})
        assert only_error(body)["extensions"]["code"] == "QUERY_TIMEOUT"
        monkeypatch.setattr(PatientService, "create", create)
        listed = await http.get("/api/v1/patients")
        assert listed.json()["items"] == []


async def test_a_response_over_the_size_cap_is_replaced_by_an_error(app_client: Any) -> None:
    async with app_client(graphql_max_response_bytes=2048) as http:
        for _ in range(12):  # about 3 KiB listed
            await create_patient(http)
        small = "{ patients(first: 1) { nodes { id } } }"
        assert len(data(await gql(http, small))["patients"]["nodes"]) == 1
        large = "{ patients { nodes { id patientId firstName lastName createdAt updatedAt } } }"
        body = await gql(http, large)
        error = only_error(body)
        assert body["data"] is None
        assert error["extensions"]["code"] == "RESPONSE_TOO_LARGE"
        assert error["extensions"]["size"] > error["extensions"]["max_size"] == 2048
