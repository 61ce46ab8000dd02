"""The real server in a subprocess, entered without blocking the test's event loop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.domains.patients.factories import V1, patient_body
from tests.serverproc import ServerProcess, free_port, running_server

APPLICATION_NAME = "api-server"
ROOT = Path(__file__).resolve().parents[2]


TEST_APP = [sys.executable, "-m", "tests.middleware.server_app"]  # + /test-only routes


@asynccontextmanager
async def serving(
    database_url: str, cwd: Path, *, test_routes: bool = False, **settings: Any
) -> AsyncIterator[ServerProcess]:
    """`api-server run` on `database_url`, ready (/health-check 200) when the block starts
    (`test_routes`: the app of tests/middleware/server_app.py instead).

    The process starts in a thread: a fault proxy in this event loop must keep forwarding.
    """
    port = free_port()
    env = {"API_SERVER_DATABASE_URL": database_url, "API_SERVER_LOG_LEVEL": "WARNING"}
    env.update({f"API_SERVER_{k.upper()}": str(v) for k, v in settings.items()})
    if test_routes:
        env.update({"API_SERVER_PORT": str(port), "PYTHONPATH": str(ROOT)})
        context = running_server([], port=port, env=env, cwd=cwd, program=TEST_APP)
    else:
        context = running_server(["run", "--port", str(port)], port=port, env=env, cwd=cwd)
    server = await asyncio.to_thread(context.__enter__)
    try:
        server.headers = await asyncio.to_thread(server.create_key)  # every scope
        async with httpx.AsyncClient(
            base_url=server.url, headers=server.headers, timeout=5
        ) as http:
            async with asyncio.timeout(30):
                while (await http.get("/health-check")).status_code != 200:
                    await asyncio.sleep(0.1)
        yield server
    finally:
        await asyncio.to_thread(context.__exit__, None, None, None)


async def create_patient(server: ServerProcess) -> str:
    async with httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=10) as http:
        response = await http.post(f"{V1}/patients", json=patient_body())
        assert response.status_code == 201, response.text
        patient_id: str = response.json()["id"]
        return patient_id


async def terminate_server_connections(database_url: str) -> int:
    """pg_terminate_backend() every connection the server holds; the number terminated."""
    database = database_url.rpartition("/")[2]
    conn = await asyncpg.connect(database_url.rpartition("/")[0] + "/postgres", timeout=3)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = $2",
            APPLICATION_NAME,
            database,
        )
    finally:
        await conn.close()
    return sum(1 for row in rows if row[0])


@asynccontextmanager
async def table_locked(database_url: str, table: str = "patients") -> AsyncIterator[None]:
    """Hold an ACCESS EXCLUSIVE lock on `table`: every query on it waits until the block ends."""
    conn = await asyncpg.connect(database_url, timeout=3)
    try:
        async with conn.transaction():
            await conn.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
            yield
    finally:
        await conn.close()


async def waiting_on_lock(database_url: str) -> int:
    """How many of the server's connections are waiting for a lock right now."""
    conn = await asyncpg.connect(database_url, timeout=3)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = $1 AND wait_event_type = 'Lock'",
            APPLICATION_NAME,
        )
    finally:
        await conn.close()
    return count
