"""The admission gate (`middleware/admission.py`): at most `max_in_flight` requests inside
the app; the others wait first come first served within the queue deadline, else a 503
OVERLOADED problem at once. Probes and /metrics always pass."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI

from api_server.settings import SettingsError, load_settings
from tests.fixtures.app import AppClient

PATH = "/test-held"


def held_route(release: asyncio.Event, inside: list[int]) -> Callable[[FastAPI], None]:
    """A route that stays inside the app until `release` is set."""

    def routes(app: FastAPI) -> None:
        @app.get(PATH)
        async def held() -> dict[str, int]:
            inside.append(1)
            await release.wait()
            return {"n": len(inside)}

    return routes


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


def shed_total(metrics: str) -> float:
    found = re.search(r"^requests_shed_total (\S+)$", metrics, re.MULTILINE)
    assert found is not None
    return float(found.group(1))


async def test_a_request_past_the_limit_waits_its_turn_and_is_served(
    app_client: AppClient,
) -> None:
    release, inside = asyncio.Event(), []
    async with app_client(routes=held_route(release, inside), max_in_flight=2) as http:
        first = [asyncio.create_task(http.get(PATH)) for _ in range(2)]
        await until(lambda: len(inside) == 2)
        third = asyncio.create_task(http.get(PATH))
        await asyncio.sleep(0.1)
        assert len(inside) == 2  # not let in while two are inside
        release.set()
        responses = await asyncio.gather(*first, third)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len(inside) == 3


async def test_a_request_that_cannot_be_let_in_within_the_deadline_is_refused(
    app_client: AppClient,
) -> None:
    release, inside = asyncio.Event(), []
    routes = held_route(release, inside)
    async with app_client(routes=routes, max_in_flight=1, queue_deadline=0.2) as http:
        held = asyncio.create_task(http.get(PATH))
        await until(lambda: len(inside) == 1)
        refused = await http.get(PATH)
        # Probes and the metrics scrape pass a full gate.
        assert (await http.get("/ping")).status_code == 200
        assert (await http.get("/health-check")).status_code in (200, 503)
        metrics = await http.get("/metrics")
        release.set()
        assert (await held).status_code == 200
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["x-request-id"]
    assert refused.headers["x-content-type-options"] == "nosniff"
    body = refused.json()
    assert (body["code"], body["instance"]) == ("OVERLOADED", PATH)
    assert "turn to be served" in body["detail"]
    assert metrics.status_code == 200 and shed_total(metrics.text) >= 1
    assert len(inside) == 1  # the refused request never ran


async def test_at_graphql_the_refusal_is_a_graphql_response(app_client: AppClient) -> None:
    release, inside = asyncio.Event(), []
    routes = held_route(release, inside)
    async with app_client(routes=routes, max_in_flight=1, queue_deadline=0.2) as http:
        held = asyncio.create_task(http.get(PATH))
        await until(lambda: len(inside) == 1)
        refused = await http.post("/graphql", json={"query": "{ __typename }"})
        release.set()
        await held
    assert refused.status_code == 503
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "OVERLOADED"


async def test_a_flood_is_answered_whole_served_or_refused_never_hung(
    app_client: AppClient,
) -> None:
    """200 requests at once through a gate of 4 with a 0.3 s deadline: each gets 200 or a 503
    OVERLOADED; none fails otherwise, and the gate is free afterwards."""
    async with app_client(max_in_flight=4, queue_deadline=0.3) as http:
        responses = await asyncio.gather(
            *(http.get("/api/v1/patients", params={"limit": 100}) for _ in range(200))
        )
        statuses = {r.status_code for r in responses}
        assert statuses <= {200, 503}, statuses
        for response in responses:
            if response.status_code == 503:
                assert response.json()["code"] == "OVERLOADED"
        after = await asyncio.gather(*(http.get("/api/v1/patients") for _ in range(4)))
    assert [r.status_code for r in after] == [200] * 4


async def test_no_limit_when_max_in_flight_is_zero(app_client: AppClient) -> None:
    release, inside = asyncio.Event(), []
    routes = held_route(release, inside)
    async with app_client(routes=routes, max_in_flight=0, queue_deadline=0.2) as http:
        tasks = [asyncio.create_task(http.get(PATH)) for _ in range(100)]
        await until(lambda: len(inside) == 100)  # all inside at once
        release.set()
        responses = await asyncio.gather(*tasks)
    assert {r.status_code for r in responses} == {200}


@pytest.mark.parametrize("value", ["-1", "100001", "many"])
def test_a_limit_out_of_bounds_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("API_SERVER_MAX_IN_FLIGHT", value)
    with pytest.raises(SettingsError, match=r"^invalid settings: max_in_flight: "):
        load_settings(_env_file=None)
