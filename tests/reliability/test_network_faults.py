"""A TCP proxy between the server and PostgreSQL adds latency or black-holes traffic."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.domains.patients.factories import V1
from tests.faults.tcp_proxy import TcpProxy
from tests.reliability.load import Tally
from tests.reliability.server import create_patient, serving

# The server's timeouts, small so a black hole is detected quickly:
# asyncpg command_timeout = statement timeout + 5 s; connecting = 1 s; pool checkout = 1 s.
TIMEOUTS = {
    "db_statement_timeout_ms": 500,
    "db_connect_timeout": 1,
    "db_pool_timeout": 1,
    "health_check_timeout": 1,
}
# Far above those: a request still unanswered by then has hung and counts as lost.
CLIENT_TIMEOUT = 20


def _through(proxy: TcpProxy, database_url: str) -> str:
    parts = urlsplit(database_url)
    return parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl()


async def test_partitioned_database_answers_503_and_service_recovers_on_heal(
    fresh_pg_database_url: str, tmp_path: Path
) -> None:
    upstream = urlsplit(fresh_pg_database_url)
    async with (
        TcpProxy(upstream=(upstream.hostname or "127.0.0.1", upstream.port or 5432)) as proxy,
        serving(_through(proxy, fresh_pg_database_url), tmp_path, **TIMEOUTS) as server,
        httpx.AsyncClient(
            base_url=server.url, headers=server.headers, timeout=CLIENT_TIMEOUT
        ) as http,
    ):
        patient_id = await create_patient(server)
        tally = Tally()

        async def get_patient() -> httpx.Response:
            tally.sent += 1
            try:
                response = await http.get(f"{V1}/patients/{patient_id}")
            except httpx.TransportError as error:
                await tally.record(error)
                raise
            await tally.record(response)
            return response

        proxy.add_latency(0.05)
        slow = await asyncio.gather(*(get_patient() for _ in range(8)))
        assert {r.status_code for r in slow} == {200}

        proxy.black_hole()
        cut_off = await asyncio.gather(*(get_patient() for _ in range(8)))
        assert {r.status_code for r in cut_off} == {503}
        assert (await http.get("/ping")).status_code == 200

        proxy.heal()
        healed_from = tally.succeeded
        async with asyncio.timeout(30):
            while (await get_patient()).status_code != 200:
                pass
        assert tally.succeeded == healed_from + 1

    tally.assert_accounted()
    assert tally.unavailable >= 8
