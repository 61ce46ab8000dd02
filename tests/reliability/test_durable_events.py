"""Three instances on one PostgreSQL database, nine clients creating patients round-robin,
NATS cut for 5 s and one instance SIGKILLed mid-load: within 60 s every committed patient has
exactly one PatientCreated message on the stream, and no rolled-back change has any."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import httpx

from tests.domains.patients.factories import V1, patient_body
from tests.faults.tcp_proxy import TcpProxy
from tests.fixtures.nats import NatsStream, stream_messages
from tests.reliability.server import serving
from tests.serverproc import ServerProcess

INSTANCES, CLIENTS, LOAD_SECONDS = 3, 9, 12.0
CUT_AT, CUT_FOR, KILL_AT = 2.0, 5.0, 6.0
WITHIN = 60.0


async def _client(
    number: int, servers: list[ServerProcess], stop: asyncio.Event, tally: Counter[str]
) -> None:
    turn = number
    async with httpx.AsyncClient(headers=servers[0].headers, timeout=10) as http:
        while not stop.is_set():
            server = servers[turn % len(servers)]
            turn += 1
            failing = turn % 7 == 0  # now and then, a change that rolls back
            path = "/test-only/create-then-fail" if failing else f"{V1}/patients"
            try:
                response = await http.post(server.url + path, json=patient_body())
            except httpx.TransportError:
                tally["transport_errors"] += 1  # the killed instance
                continue
            key = "rolled_back" if failing else "created"
            expected = 500 if failing else 201
            tally[key if response.status_code == expected else f"http_{response.status_code}"] += 1


async def _committed_patients(database_url: str) -> set[str]:
    connection = await asyncpg.connect(database_url)
    try:
        return {str(row["id"]) for row in await connection.fetch("SELECT id FROM patients")}
    finally:
        await connection.close()


async def test_every_committed_patient_reaches_the_stream_exactly_once(
    fresh_pg_database_url: str, tmp_path: Path, nats_stream: NatsStream
) -> None:
    async with AsyncExitStack() as stack:
        proxy = await stack.enter_async_context(TcpProxy(upstream=("127.0.0.1", 4222)))
        settings = {**nats_stream.settings(), "nats_url": f"nats://127.0.0.1:{proxy.port}"}
        servers = []
        for number in range(INSTANCES):
            cwd = tmp_path / f"instance-{number}"
            cwd.mkdir()
            server = serving(fresh_pg_database_url, cwd, test_routes=True, **settings)
            servers.append(await stack.enter_async_context(server))

        tally: Counter[str] = Counter()
        stop = asyncio.Event()
        clients = [asyncio.create_task(_client(n, servers, stop, tally)) for n in range(CLIENTS)]
        started = time.monotonic()
        await asyncio.sleep(CUT_AT)
        proxy.cut()
        await asyncio.sleep(KILL_AT - CUT_AT)
        os.killpg(servers[0].process.pid, signal.SIGKILL)
        await asyncio.sleep(CUT_AT + CUT_FOR - KILL_AT)
        proxy.heal()
        await asyncio.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
        stop.set()
        await asyncio.gather(*clients)
        load_ended = time.monotonic()

        committed = await _committed_patients(fresh_pg_database_url)
        published: list[str] = []
        while time.monotonic() - load_ended < WITHIN:
            messages = await stream_messages(nats_stream)
            published = [json.loads(body)["patient_id"] for _, _, body in messages]
            if set(published) >= committed:
                break
            await asyncio.sleep(1)
        took = time.monotonic() - load_ended
        ids = [message_id for _, message_id, _ in messages]

    print(
        f"\n{tally}; {len(committed)} committed, {len(published)} messages, "
        f"all on the stream {took:.1f} s after the load"
    )
    assert tally["created"] > 100 and tally["rolled_back"] > 10, tally
    assert set(published) == committed, (
        len(committed - set(published)),
        set(published) - committed,
    )
    assert len(published) == len(committed)  # exactly one each
    assert len(set(ids)) == len(ids)  # each message's id is its event's, never repeated
    assert all(subject.endswith(".PatientCreated") for subject, _, _ in messages)
