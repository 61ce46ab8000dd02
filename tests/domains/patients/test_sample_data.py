"""The sample data set loads once: a second run adds nothing and changes nothing."""

from __future__ import annotations

import httpx

from api_server.domains.patients.sample_data import SAMPLE_PATIENTS, seed_sample_patients
from tests.domains.patients.factories import V1


async def test_seeding_twice_adds_the_sample_once(api: httpx.AsyncClient) -> None:
    assert await seed_sample_patients() == len(SAMPLE_PATIENTS)
    first = (await api.get(f"{V1}/patients", params={"limit": 100})).json()["items"]
    assert await seed_sample_patients() == 0
    again = (await api.get(f"{V1}/patients", params={"limit": 100})).json()["items"]
    assert again == first
    assert sorted(p["patient_id"] for p in first) == sorted(
        s["patient_id"] for s in SAMPLE_PATIENTS
    )
    two_addresses = next(p for p in first if p["patient_id"] == "DEMO-0004")
    listed = await api.get(f"{V1}/patients/{two_addresses['id']}/addresses")
    assert [address["type"] for address in listed.json()["items"]] == ["home", "work"]


async def test_seeding_keeps_a_sample_patient_someone_changed(api: httpx.AsyncClient) -> None:
    await seed_sample_patients()
    patient = (await api.get(f"{V1}/patients", params={"limit": 1})).json()["items"][0]
    changed = await api.patch(
        f"{V1}/patients/{patient['id']}", json={"first_name": "Changed", "version": 1}
    )
    assert changed.status_code == 200
    assert await seed_sample_patients() == 0
    assert (await api.get(f"{V1}/patients/{patient['id']}")).json()["first_name"] == "Changed"
