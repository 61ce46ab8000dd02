from __future__ import annotations

from fastapi import APIRouter, FastAPI

from tests.fixtures.app import AppClient
from tests.fixtures.logs import LogCapture


def _routes(app: FastAPI) -> None:
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("boom")

    app.include_router(router, prefix="/test")


async def test_one_line_per_request_with_its_fields(
    app_client: AppClient, logs: LogCapture
) -> None:
    async with app_client(routes=_routes) as http:
        await http.get("/test/things/p-123?token=secret", headers={"X-Request-ID": "r-1"})
    [line] = logs.access_lines()
    assert line["method"] == "GET"
    assert line["route"] == "/test/things/{thing_id}"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == "r-1"
    assert line["client"] == "127.0.0.1"
    assert line["message"].startswith("GET /test/things/{thing_id} 200 ")
    assert "p-123" not in line["message"] and "secret" not in str(line)


async def test_unmatched_paths_are_logged_raw_without_query(
    app_client: AppClient, logs: LogCapture
) -> None:
    async with app_client() as http:
        await http.get("/no/such%0Apath?token=secret")
    [line] = logs.access_lines()
    assert line["route"] == "/no/such%0Apath"
    assert line["status"] == 404


async def test_sampling_keeps_server_errors(app_client: AppClient, logs: LogCapture) -> None:
    async with app_client(routes=_routes, access_log_sample_rate=0.0) as http:
        for _ in range(5):
            await http.get("/ping")
        await http.get("/bug")
    assert [(line["route"], line["status"]) for line in logs.access_lines()] == [("/bug", 500)]


async def test_access_log_off(app_client: AppClient, logs: LogCapture) -> None:
    async with app_client(access_log=False) as http:
        await http.get("/ping")
    assert logs.access_lines() == []


async def test_metrics_scrapes_are_not_logged(app_client: AppClient, logs: LogCapture) -> None:
    async with app_client() as http:
        await http.get("/metrics")
    assert logs.access_lines() == []
