"""Request bodies for the sample domain."""

from __future__ import annotations

from typing import Any

import httpx

V1 = "/api/v1"


def patient_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": "1815-12-10",
        "sex": "female",
        "conditions": ["asthma"],
        "allergies": [],
    }
    body.update(overrides)
    return body


def address_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "home",
        "street": "12 St James's Square",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
    }
    body.update(overrides)
    return body


async def create_patient(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await api.post(f"{V1}/patients", json=patient_body(**overrides))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def create_address(
    api: httpx.AsyncClient, patient_id: str, **overrides: Any
) -> dict[str, Any]:
    response = await api.post(
        f"{V1}/addresses", json=address_body(patient_id=patient_id, **overrides)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def audit_trail(
    http: httpx.AsyncClient, *, at_least: int = 1, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The audit trail (newest first) once it holds `at_least` entries: the outbox relay
    writes it after the commit, off the request."""
    import asyncio

    entries: list[dict[str, Any]] = []
    for _ in range(250):
        response = await http.get(f"{V1}/audit-events", headers=headers)
        assert response.status_code == 200, response.text
        entries = response.json()
        if len(entries) >= at_least:
            return entries
        await asyncio.sleep(0.02)
    raise AssertionError(f"the audit trail holds {len(entries)} entries, not {at_least}")
