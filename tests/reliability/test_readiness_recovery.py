"""Readiness follows the database: cut access and /health-check turns 503 within its TTL plus
the check timeout while /ping stays up; restore it and readiness returns by itself (no POST).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.faults.tcp_proxy import TcpProxy
from tests.reliability.server import serving

pytestmark = [pytest.mark.reliability, pytest.mark.postgres]

TTL = 1.0
CHECK_TIMEOUT = 3.0  # long enough that /ping clearly answers while a check still hangs
REFRESH = 1.0
SETTINGS = {
    "health_cache_ttl": TTL,
    "health_check_timeout": CHECK_TIMEOUT,
    "health_refresh_interval": REFRESH,
    "db_connect_timeout": 1,
    "db_pool_timeout": 1,
}
# Slack for a loaded 2-core machine; the bound itself is the configuration above.
SLACK = 5.0


async def _wait_for_status(http: httpx.AsyncClient, status: int, *, within: float) -> int:
    """GET /health-check until it answers `status`; returns how many GETs that took."""
    polls = 0
    async with asyncio.timeout(within):
        while True:
            polls += 1
            if (await http.get("/health-check")).status_code == status:
                return polls
            await asyncio.sleep(0.1)


async def test_health_follows_the_database_and_recovers_without_a_post(
    fresh_pg_database_url: str, tmp_path: Path
) -> None:
    upstream = urlsplit(fresh_pg_database_url)
    async with TcpProxy(
        upstream=(upstream.hostname or "127.0.0.1", upstream.port or 5432)
    ) as proxy:
        url = upstream._replace(netloc=f"{upstream.username}@127.0.0.1:{proxy.port}").geturl()
        async with (
            serving(url, tmp_path, **SETTINGS) as server,
            httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=30) as http,
        ):
            assert (await http.get("/health-check")).status_code == 200

            proxy.black_hole()
            await _wait_for_status(http, 503, within=TTL + CHECK_TIMEOUT + SLACK)
            body = (await http.get("/health-check")).json()
            assert body["ready"] is False
            text = str(body)
            assert str(proxy.port) not in text and "postgres" not in text

            # Liveness never waits for the database: with a forced pipeline run hanging on the
            # partitioned database, /ping answers before that run does (ordering, not a clock).
            run = asyncio.create_task(http.post("/health-check", params={"force_rerun": "true"}))
            await asyncio.sleep(0.2)  # let the run reach the hanging check
            for _ in range(5):
                assert (await http.get("/ping")).status_code == 200
            assert not run.done(), "the forced run should still be waiting on the database"
            assert (await run).status_code == 503

            proxy.heal()
            # Only GETs from here on: the background refresh brings readiness back.
            await _wait_for_status(http, 200, within=TTL + REFRESH + CHECK_TIMEOUT + SLACK)
