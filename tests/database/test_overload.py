"""Past the queue deadline, a request waiting for a database turn is answered at once with
503 OVERLOADED and Retry-After (counted in /metrics), not left to its client's timeout."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx

from api_server.database.connection import borrow_db_session
from api_server.exceptions import OverloadedError
from tests.domains.patients.factories import V1, patient_body
from tests.fixtures.logs import LogCapture


@asynccontextmanager
async def holding_turn(*, write: bool) -> AsyncIterator[None]:
    """A session holding a turn, taken even if the outbox relay holds it for a moment."""
    async with AsyncExitStack() as stack:
        for _ in range(20):
            try:
                await stack.enter_async_context(borrow_db_session(write=write))
                break
            except OverloadedError:
                continue
        else:
            raise AssertionError("no turn for the test itself")
        yield


def assert_overloaded(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "OVERLOADED"


async def test_a_request_waiting_past_the_deadline_for_a_connection_is_shed(
    app_client: Any,
) -> None:
    async with app_client(db_pool_size=1, db_max_overflow=0, queue_deadline=0.2) as http:
        async with holding_turn(write=False):  # the only connection
            shed = await asyncio.gather(*(http.get(f"{V1}/patients") for _ in range(3)))
        for response in shed:
            assert_overloaded(response)
        assert (await http.get(f"{V1}/patients")).status_code == 200  # served again
        metrics = (await http.get("/metrics")).text
        shed_total = re.search(r"^requests_shed_total (\S+)$", metrics, re.MULTILINE)
        assert shed_total is not None and float(shed_total.group(1)) >= 3  # (+ the test's own)


async def test_a_writer_waiting_past_the_deadline_for_its_turn_is_shed(app_client: Any) -> None:
    # SQLite: one writer at a time; the others queue for the write turn.
    async with app_client(queue_deadline=0.2) as http:
        async with holding_turn(write=True):  # a write transaction holds the turn
            assert_overloaded(await http.post(f"{V1}/patients", json=patient_body()))
        # Served again once the turn is back (the outbox relay may take it for a moment).
        statuses = [(await http.post(f"{V1}/patients", json=patient_body())).status_code]
        while statuses[-1] != 201 and len(statuses) < 5:
            statuses.append((await http.post(f"{V1}/patients", json=patient_body())).status_code)
        assert statuses[-1] == 201, statuses


def shed_total(metrics: str) -> float:
    found = re.search(r"^requests_shed_total (\S+)$", metrics, re.MULTILINE)
    assert found is not None
    return float(found.group(1))


async def test_a_graphql_operation_refused_its_turn_is_answered_and_counted_once(
    app_client: Any, logs: LogCapture
) -> None:
    query = {"query": "{ patients { nodes { id } } }"}
    async with app_client(db_pool_size=1, db_max_overflow=0, queue_deadline=0.2) as http:
        assert (await http.post("/graphql", json=query)).status_code == 200  # key verified
        before = shed_total((await http.get("/metrics")).text)
        async with holding_turn(write=False):  # the only connection
            refused = await http.post("/graphql", json=query)
        after = shed_total((await http.get("/metrics")).text)
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "OVERLOADED"
    assert "data" not in refused.json() or refused.json()["data"] is None
    assert after == before + 1
    # Counted, not logged one by one (as REST): a line per shed request adds to the overload.
    assert not [line for line in logs.lines() if "OVERLOADED" in line["message"]]
