"""Choosing an address as primary while another request deletes it never leaves the patient
with a silent NULL: the delete waits, then clears it with a new version and an event."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from fastapi import FastAPI

from api_server.database import borrow_db_session
from api_server.domains.patients.address_service import AddressService
from api_server.domains.patients.events import PrimaryAddressChanged
from api_server.domains.patients.service import PatientService
from api_server.event_bus import EventBus
from tests.domains.patients.factories import V1, create_address, create_patient

pytestmark = pytest.mark.postgres  # SQLite runs one writer at a time: no interleaving there


@pytest.fixture
def backend_url(pg_database_url: str) -> str:
    return pg_database_url


async def test_a_delete_racing_a_primary_choice_bumps_the_version(
    api: httpx.AsyncClient, backend_app: FastAPI
) -> None:
    patient = await create_patient(api)
    address = await create_address(api, patient["id"])
    patient_id, address_id = uuid.UUID(patient["id"]), uuid.UUID(address["id"])
    registry = backend_app.state.registry
    changes: list[PrimaryAddressChanged] = []

    async def record(event: PrimaryAddressChanged) -> None:
        changes.append(event)

    registry.get(EventBus).register(PrimaryAddressChanged, record)
    chosen, may_commit = asyncio.Event(), asyncio.Event()

    async def choose() -> None:
        async with borrow_db_session() as session:
            await registry.get(PatientService).set_primary_address(
                session=session, patient_id=patient_id, address_id=address_id
            )
            chosen.set()
            await may_commit.wait()  # commits at the end of the block

    async def delete() -> None:
        await chosen.wait()
        async with borrow_db_session() as session:
            await registry.get(AddressService).delete(session=session, address_id=address_id)

    choosing, deleting = asyncio.create_task(choose()), asyncio.create_task(delete())
    await asyncio.sleep(0.5)  # the delete is under way, behind the uncommitted choice
    may_commit.set()
    await asyncio.gather(choosing, deleting)
    await registry.get(EventBus).drain(5)

    final = (await api.get(f"{V1}/patients/{patient_id}")).json()
    assert final["primary_address_id"] is None
    assert final["version"] == 3  # 1, then chosen (2), then cleared by the delete (3)
    assert [event.address_id for event in changes] == [address_id, None]
