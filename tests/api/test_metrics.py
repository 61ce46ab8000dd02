from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from prometheus_client.parser import text_string_to_metric_families
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from api_server.metrics import Metrics
from tests.fixtures.app import AppClient


def _routes(app: FastAPI) -> None:
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    app.include_router(router, prefix="/test")

    async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("sub")(scope, receive, send)

    app.mount("/sub", mounted)


async def _samples(http: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _count(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], **labels: str) -> float:
    return samples.get(("http_requests_total", frozenset(labels.items())), 0.0)


async def test_request_counter_moves_by_route_template(app_client: AppClient) -> None:
    async with app_client(routes=_routes) as http:
        before = await _samples(http)
        for patient in ("a", "b", "c"):
            await http.get(f"/test/things/{patient}")
        await http.get("/ping")
        await http.delete("/ping")
        await http.get("/sub/anything")
        after = await _samples(http)
    route = "/test/things/{thing_id}"
    assert (
        _count(after, method="GET", route=route, status="200")
        - _count(before, method="GET", route=route, status="200")
        == 3
    )
    assert _count(after, method="GET", route="/ping", status="200") == 1
    assert _count(after, method="DELETE", route="/ping", status="405") == 1
    assert _count(after, method="GET", route="/sub/{path}", status="200") == 1
    latency = (
        "http_request_duration_seconds_count",
        frozenset({"method": "GET", "route": route, "status": "200"}.items()),
    )
    assert after[latency] == 3
    assert not any("patients/a" in str(labels) for _, labels in after)


async def test_unmatched_paths_share_one_label(app_client: AppClient) -> None:
    async with app_client() as http:
        for i in range(3):
            await http.get(f"/random/{i}")
        samples = await _samples(http)
    assert _count(samples, method="GET", route="<unmatched>", status="404") == 3
    assert not any("/random/" in str(labels) for _, labels in samples)


async def test_scrapes_are_not_counted(app_client: AppClient) -> None:
    async with app_client() as http:
        await _samples(http)
        samples = await _samples(http)
    assert not any(dict(labels).get("route") == "/metrics" for _, labels in samples)


async def test_in_flight_and_process_metrics_present(app_client: AppClient) -> None:
    async with app_client() as http:
        samples = await _samples(http)
    assert samples[("http_requests_in_flight", frozenset())] == 0
    assert ("process_start_time_seconds", frozenset()) in samples


async def test_components_plug_in_gauge_and_counter_sources(
    app_client: AppClient,
) -> None:
    outcomes = {("PatientCreated", "ok"): 4.0, ("PatientCreated", "failed"): 1.0}

    def register(app: FastAPI) -> None:
        metrics = app.state.registry.get(Metrics)
        metrics.register_gauge_source("example_ready", "1 when ready", lambda: 1)
        metrics.register_counter_source(
            "events_handled", "Handled events", lambda: outcomes, labelnames=("event", "outcome")
        )

        def broken() -> float:
            raise RuntimeError("pool gone")

        metrics.register_gauge_source("example_broken", "in use", broken)

    async with app_client(routes=register) as http:
        samples = await _samples(http)
    assert samples[("example_ready", frozenset())] == 1
    key = frozenset({"event": "PatientCreated", "outcome": "failed"}.items())
    assert samples[("events_handled_total", key)] == 1
    assert not any(name.startswith("example_broken") for name, _ in samples)


def test_a_source_name_is_registered_once() -> None:
    metrics = Metrics()
    metrics.register_gauge_source("x", "x", lambda: 1)
    with pytest.raises(ValueError, match="already registered"):
        metrics.register_gauge_source("x", "x", lambda: 2)


async def test_metrics_can_be_switched_off(app_client: AppClient) -> None:
    async with app_client(metrics_enabled=False) as http:
        response = await http.get("/metrics")
    assert response.status_code == 404
