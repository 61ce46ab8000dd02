"""Optimistic locking under real concurrency: of two PATCHes with the same version, exactly one
wins, the other gets 409, and the stored row is the winner's.
"""

from __future__ import annotations

import asyncio

import httpx

from tests.domains.patients.factories import V1, create_patient

ROUNDS = 50


async def test_two_concurrent_patches_one_wins_one_conflicts(api: httpx.AsyncClient) -> None:
    for round_number in range(ROUNDS):
        patient = await create_patient(api, last_name="Start")
        url = f"{V1}/patients/{patient['id']}"
        names = (f"Left{round_number}", f"Right{round_number}")
        responses = await asyncio.gather(
            *(api.patch(url, json={"last_name": name, "version": 1}) for name in names)
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 200)
        loser = next(r.json() for r in responses if r.status_code == 409)
        assert (loser["expected_version"], loser["current_version"]) == (1, 2)
        stored = (await api.get(url)).json()
        assert stored["last_name"] == winner["last_name"]
        assert stored["version"] == 2
