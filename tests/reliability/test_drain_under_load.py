"""SIGTERM under load: a balancer-like client stops on 503, and no in-flight request is lost."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx

from tests.domains.patients.factories import V1
from tests.reliability.load import Tally, drive
from tests.reliability.server import create_patient, serving, table_locked, waiting_on_lock

WORKERS = 16


async def _balancer(http: httpx.AsyncClient, stop: asyncio.Event) -> None:
    # What a load balancer does: probe readiness and stop routing on the first 503.
    while (await http.get("/health-check")).status_code == 200:
        await asyncio.sleep(0.05)
    stop.set()


async def _until_refusing(http: httpx.AsyncClient) -> None:
    while True:
        try:
            await http.get("/ping")
        except httpx.ConnectError:
            return
        except httpx.RemoteProtocolError:
            # The probe's idle keep-alive connection, closed by the server as it stopped
            # listening, raced with the next probe. Probes only: the load is tallied apart.
            continue
        await asyncio.sleep(0.05)


async def test_sigterm_under_load_loses_no_in_flight_request(
    fresh_pg_database_url: str, tmp_path: Path
) -> None:
    async with serving(fresh_pg_database_url, tmp_path, drain_delay=1, drain_timeout=10) as server:
        patient_id = await create_patient(server)
        tally, stop = Tally(), asyncio.Event()
        async with (
            httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=20) as http,
            httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=5) as probe,
        ):
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
            async with table_locked(fresh_pg_database_url):
                # Every worker now has a request in flight, held in the database.
                async with asyncio.timeout(10):
                    while await waiting_on_lock(fresh_pg_database_url) < WORKERS:
                        await asyncio.sleep(0.05)
                server.process.send_signal(signal.SIGTERM)
                async with asyncio.timeout(10):
                    await _balancer(probe, stop)
                    await _until_refusing(probe)  # the listener is closed ...
                in_flight = tally.sent - (tally.succeeded + tally.unavailable + len(tally.lost))
                assert in_flight == WORKERS
            await load  # ... and the held requests still complete.
            exit_code = await asyncio.to_thread(server.process.wait, 15)

    assert exit_code == 0, server.log()
    tally.assert_accounted()
    assert tally.unavailable == 0
