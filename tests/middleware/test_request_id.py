from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from loguru import logger

from tests.fixtures.app import AppClient
from tests.fixtures.logs import LogCapture


async def test_well_formed_id_is_kept_in_header_problem_and_logs(
    client: httpx.AsyncClient, logs: LogCapture
) -> None:
    rid = "req-1.2:abc_DEF"
    response = await client.get("/no-such-route", headers={"X-Request-ID": rid})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == rid
    assert response.json()["request_id"] == rid
    access = logs.access_lines()
    assert [line["request_id"] for line in access] == [rid]


@pytest.mark.parametrize(
    "sent",
    ["", "has space", "x" * 129, 'quote"d', "semi;colon", "new\\nline", "ünïcode"],
)
async def test_malformed_id_is_replaced(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/ping", headers=[(b"X-Request-ID", sent.encode("utf-8"))])
    returned = response.headers["x-request-id"]
    assert returned != sent
    assert len(returned) == 32 and all(c in "0123456789abcdef" for c in returned)


async def test_ids_are_unique_per_request(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/ping")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


async def test_log_lines_inside_a_route_carry_the_id(
    app_client: AppClient, logs: LogCapture
) -> None:
    def routes(app: FastAPI) -> None:
        @app.get("/work")
        async def work() -> dict[str, bool]:
            logger.info("doing work")
            return {"ok": True}

    async with app_client(routes=routes) as http:
        await http.get("/work", headers={"X-Request-ID": "trace-77"})
    work_lines = [line for line in logs.lines() if line["message"] == "doing work"]
    assert [line["request_id"] for line in work_lines] == ["trace-77"]


async def test_unhandled_error_500_carries_the_id(app_client: AppClient, logs: LogCapture) -> None:
    def routes(app: FastAPI) -> None:
        @app.get("/bug")
        async def bug() -> None:
            raise RuntimeError("boom")

    async with app_client(routes=routes) as http:
        response = await http.get("/bug", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "bug-1"
    assert response.json()["request_id"] == "bug-1"
    errors = [line for line in logs.lines() if line["level"] == "ERROR"]
    assert errors and all(line["request_id"] == "bug-1" for line in errors)
