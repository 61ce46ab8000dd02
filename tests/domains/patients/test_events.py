"""Domain events over REST: delivered once after commit, never for a failed request."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from api_server.database import SessionDep
from api_server.domains.patients.api_model import PatientCreate
from api_server.domains.patients.events import PatientCreated
from api_server.domains.patients.service import PatientService
from api_server.event_bus import EventBus
from tests.domains.patients.factories import V1, audit_trail, patient_body


@pytest.fixture
def recorded(backend_app: FastAPI) -> list[PatientCreated]:
    received: list[PatientCreated] = []

    async def record(event: PatientCreated) -> None:
        received.append(event)

    backend_app.state.registry.get(EventBus).register(PatientCreated, record)

    @backend_app.post("/test-only/create-then-fail")
    async def create_then_fail(session: SessionDep) -> None:
        service = backend_app.state.registry.get(PatientService)
        await service.create(session=session, data=PatientCreate.model_validate(patient_body()))
        raise RuntimeError("after the event was raised")

    return received


@pytest.fixture
def bus(backend_app: FastAPI) -> EventBus:
    bus: EventBus = backend_app.state.registry.get(EventBus)
    return bus


async def test_created_patient_delivers_exactly_one_event(
    api: httpx.AsyncClient, recorded: list[PatientCreated], bus: EventBus, backend_app: FastAPI
) -> None:
    response = await api.post(f"{V1}/patients", json=patient_body())
    assert response.status_code == 201
    assert await bus.drain(5) == 0  # nothing dropped
    assert [e.patient_id for e in recorded] == [uuid.UUID(response.json()["id"])]
    entries = await audit_trail(api)  # the durable handler recorded it too
    assert [entry["subject"] for entry in entries] == [str(recorded[0].patient_id)]


async def test_failed_request_delivers_nothing(
    api: httpx.AsyncClient, recorded: list[PatientCreated], bus: EventBus
) -> None:
    response = await api.post("/test-only/create-then-fail")
    assert response.status_code == 500
    assert await bus.drain(5) == 0
    assert recorded == []
    assert (await api.get(f"{V1}/patients")).json()["items"] == []


async def test_validation_failure_delivers_nothing(
    api: httpx.AsyncClient, recorded: list[PatientCreated], bus: EventBus
) -> None:
    assert (await api.post(f"{V1}/patients", json=patient_body(sex="?"))).status_code == 422
    await bus.drain(5)
    assert recorded == []


async def test_an_event_raised_in_a_read_session_is_an_error_not_lost(
    api: httpx.AsyncClient, bus: EventBus
) -> None:
    from api_server.database import borrow_db_session
    from api_server.event_bus import NoTransactionError, publish_after_commit

    async with borrow_db_session(write=False) as session:
        await session.execute(text("SELECT 1"))
        with pytest.raises(NoTransactionError, match="read session"):
            publish_after_commit(
                session, PatientCreated(patient_id=uuid.uuid4(), patient_code="P"), bus=bus
            )
