"""How many outbox events per second one relay delivers.

    .venv/bin/python bench/outbox_relay.py [--events N] [--database sqlite|postgresql]

Builds the real app (its durable audit handler included) with NATS JetStream at
127.0.0.1:4222 when it answers, stages N `PatientCreated` rows in the outbox directly (as N
committed transactions would have), then times the app's relay draining them, round after
round: published to the stream with their acknowledgements and recorded by the audit trail.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import nats
from nats.js.errors import NotFoundError
from pydantic import SecretStr

from api_server.app import create_app
from api_server.database.connection import borrow_db_session
from api_server.domains.patients.events import PatientCreated
from api_server.event_bus.outbox import record_for
from api_server.event_bus.relay import OutboxRelay
from api_server.logging import setup_logging
from api_server.settings import Settings

PG = "postgresql://postgres@127.0.0.1:5432"
NATS_URL = "nats://127.0.0.1:4222"


def nats_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close()
    except OSError:
        return False
    return True


async def run(events: int, database: str) -> None:
    tag = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as directory:
        if database == "postgresql":
            admin = await asyncpg.connect(f"{PG}/postgres")
            await admin.execute(f'CREATE DATABASE "bench_relay_{tag}"')
            url = f"{PG}/bench_relay_{tag}"
        else:
            url = f"sqlite:///{Path(directory) / 'relay.db'}"
        with_nats = nats_answers()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            database_url=SecretStr(url),
            log_level="WARNING",
            outbox_poll_interval=60,  # the bench runs the rounds itself
            outbox_batch_size=500,
            nats_url=NATS_URL if with_nats else None,
            nats_stream=f"BENCH_{tag}",
            nats_subject_prefix=f"bench_{tag}.events",
        )
        setup_logging(settings)  # as the server does: WARNING and above
        app = create_app(settings)
        try:
            async with app.router.lifespan_context(app):
                relay: OutboxRelay = app.state.registry.get(OutboxRelay)
                async with borrow_db_session() as session:
                    for number in range(events):
                        code = f"P-{number}"
                        session.add(
                            record_for(PatientCreated(patient_id=uuid.uuid4(), patient_code=code))
                        )
                started = time.perf_counter()
                delivered = 0
                while True:
                    claimed, paused = await relay.run_round()
                    assert not paused, "NATS refused the events"
                    if claimed == 0:
                        break
                    delivered += claimed
                took = time.perf_counter() - started
        finally:
            if database == "postgresql":
                await admin.execute(f'DROP DATABASE "bench_relay_{tag}" WITH (FORCE)')
                await admin.close()
            if with_nats:
                client = await nats.connect(NATS_URL)
                with contextlib.suppress(NotFoundError):
                    await client.jetstream().delete_stream(f"BENCH_{tag}")
                await client.close()
    target = "NATS JetStream (acknowledged) + durable audit" if with_nats else "durable audit only"
    print(
        f"outbox relay, {database}: {delivered} events in {took:.2f} s = "
        f"{delivered / took:,.0f} events/s to {target} (target >= 1,000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    args = parser.parse_args()
    asyncio.run(run(args.events, args.database))


if __name__ == "__main__":
    main()
