"""A new row was created and last updated at the same moment, whatever its service passes."""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import FastAPI

from api_server.database import SessionDep
from api_server.domains.patients.base_model import Sex
from api_server.domains.patients.db_model import Patient


async def test_a_row_built_with_the_defaults_has_one_timestamp(
    api: httpx.AsyncClient, backend_app: FastAPI
) -> None:
    @backend_app.post("/test-only/plain-insert")
    async def plain_insert(session: SessionDep) -> dict[str, str]:
        patient = Patient(
            patient_id="T-1",
            first_name="A",
            last_name="B",
            date_of_birth=date(2000, 1, 1),
            sex=Sex.OTHER,
        )  # created_at and updated_at from two calls of their default factories
        session.add(patient)
        await session.flush()
        return {"id": str(patient.id)}

    created = (await api.post("/test-only/plain-insert")).json()
    patient = (await api.get(f"/api/v1/patients/{created['id']}")).json()
    assert patient["created_at"] == patient["updated_at"]
