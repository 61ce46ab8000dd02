"""Guards of versioned writes hold inside the statement, not only in the read before it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from api_server.database import borrow_db_session
from api_server.domains.patients.db_model import Patient
from api_server.exceptions import PreconditionFailedError
from api_server.services import versioned
from tests.domains.patients.factories import V1, create_patient


@pytest.fixture
def row_moves_after_the_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer bumps the version right after `current_version` read it."""
    real = versioned.current_version

    async def read_then_concurrent_write(session: AsyncSession, model: Any, key: Any) -> Any:
        version = await real(session, model, key)
        if version is not None:
            await session.execute(update(model).where(model.id == key).values(version=version + 1))
        return version

    monkeypatch.setattr(versioned, "current_version", read_then_concurrent_write)


@pytest.mark.usefixtures("row_moves_after_the_read")
async def test_if_match_delete_spares_a_newer_version(api: httpx.AsyncClient) -> None:
    key = uuid.UUID((await create_patient(api))["id"])
    async with borrow_db_session() as session:
        with pytest.raises(PreconditionFailedError):
            await versioned.versioned_delete(
                session, Patient, key, resource="patient", if_match='"v1"'
            )
        assert await session.get(Patient, key) is not None


@pytest.mark.usefixtures("row_moves_after_the_read")
async def test_if_match_only_update_spares_a_newer_version(api: httpx.AsyncClient) -> None:
    key = uuid.UUID((await create_patient(api))["id"])
    async with borrow_db_session() as session:
        with pytest.raises(PreconditionFailedError):
            await versioned.versioned_update(
                session,
                Patient,
                key,
                resource="patient",
                expected=None,
                changes={"last_name": "Overwritten"},
                if_match='"v1"',
            )
        assert (await session.get(Patient, key)).last_name == "Lovelace"  # type: ignore[union-attr]


async def test_primary_address_without_version_applies_to_the_current_one(
    api: httpx.AsyncClient,
) -> None:
    patient = await create_patient(api)
    url = f"{V1}/patients/{patient['id']}"
    assert (await api.patch(url, json={"last_name": "X", "version": 1})).status_code == 200
    response = await api.put(f"{url}/primary-address", json={"address_id": None})
    assert (response.status_code, response.json()["version"]) == (200, 3)
