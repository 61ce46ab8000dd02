"""The real server on PostgreSQL under database faults: 503 problems, never hangs or 500s."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from tests.domains.patients.factories import V1
from tests.reliability.load import Tally, drive
from tests.reliability.server import (
    create_patient,
    serving,
    table_locked,
    terminate_server_connections,
    waiting_on_lock,
)

WORKERS = 16


async def _until_waiting_on_lock(database_url: str, count: int) -> None:
    # PostgreSQL raises no event when a backend starts waiting: observe pg_stat_activity.
    async with asyncio.timeout(10):
        while await waiting_on_lock(database_url) < count:
            await asyncio.sleep(0.05)


async def test_killed_connections_fail_only_the_requests_using_them(
    fresh_pg_database_url: str, tmp_path: Path
) -> None:
    async with serving(fresh_pg_database_url, tmp_path) as server:
        patient_id = await create_patient(server)
        tally, stop = Tally(), asyncio.Event()
        async with httpx.AsyncClient(
            base_url=server.url, headers=server.headers, timeout=15
        ) as http:
            load = asyncio.create_task(
                drive(
                    http,
                    lambda c: c.get(f"{V1}/patients/{patient_id}"),
                    tally=tally,
                    workers=WORKERS,
                    stop=stop,
                )
            )
            await tally.until(lambda t: t.succeeded >= 200, timeout=30)
            killed = await terminate_server_connections(fresh_pg_database_url)
            recovered_from = tally.succeeded
            await tally.until(lambda t: t.succeeded >= recovered_from + 200, timeout=15)
            stop.set()
            await load

    assert killed >= 1
    tally.assert_accounted()
    # Only a request running on a connection at the moment it died may fail.
    assert tally.unavailable <= min(killed, WORKERS)


async def test_exhausted_pool_answers_503_with_retry_after_instead_of_waiting(
    fresh_pg_database_url: str, tmp_path: Path
) -> None:
    async with serving(
        fresh_pg_database_url,
        tmp_path,
        db_pool_size=1,
        db_max_overflow=0,
        db_pool_timeout=1,
        health_refresh_interval=3600,
    ) as server:
        patient_id = await create_patient(server)
        tally = Tally()
        async with httpx.AsyncClient(
            base_url=server.url, headers=server.headers, timeout=15
        ) as http:

            async def get_patient() -> None:
                tally.sent += 1
                await tally.record(await http.get(f"{V1}/patients/{patient_id}"))

            async with table_locked(fresh_pg_database_url):
                holder = asyncio.create_task(get_patient())  # takes the only connection
                await _until_waiting_on_lock(fresh_pg_database_url, 1)
                await asyncio.gather(*(get_patient() for _ in range(5)))
                assert tally.unavailable == 5
                assert (await http.get("/ping")).status_code == 200
            await holder
            await get_patient()  # the pool serves again once its connection is back

    tally.assert_accounted()
    assert (tally.sent, tally.succeeded, tally.unavailable) == (7, 2, 5)


async def test_statement_timeout_answers_503(fresh_pg_database_url: str, tmp_path: Path) -> None:
    async with serving(fresh_pg_database_url, tmp_path, db_statement_timeout_ms=500) as server:
        patient_id = await create_patient(server)
        tally = Tally()
        async with httpx.AsyncClient(
            base_url=server.url, headers=server.headers, timeout=15
        ) as http:

            async def get_patient() -> httpx.Response:
                tally.sent += 1
                response = await http.get(f"{V1}/patients/{patient_id}")
                await tally.record(response)
                return response

            async with table_locked(fresh_pg_database_url):
                blocked = await asyncio.gather(*(get_patient() for _ in range(4)))
            assert {r.json()["detail"] for r in blocked} == {"the database statement timed out"}
            assert (await get_patient()).status_code == 200

    tally.assert_accounted()
    assert (tally.sent, tally.succeeded, tally.unavailable) == (5, 1, 4)
