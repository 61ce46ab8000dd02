"""/metrics carries the database pool, event bus and readiness besides HTTP."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.domains.patients.factories import V1, patient_body


async def _samples(api: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = (await api.get("/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_pool_events_and_readiness_are_published(api: httpx.AsyncClient) -> None:
    before = await _samples(api)
    assert (await api.post(f"{V1}/patients", json=patient_body())).status_code == 201
    assert (await api.post("/health-check")).status_code == 200
    after = await _samples(api)

    events = ("event_bus_events_total", ())
    assert after[events] >= before.get(events, 0) + 1
    assert ("db_pool_connections", (("state", "idle"),)) in after
    assert ("db_pool_connections", (("state", "checked_out"),)) in after
    assert after[("readiness_ready", ())] == 1
