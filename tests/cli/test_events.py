"""`api-server-cli events`: the outbox's pending and dead events, retries, and the stream."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import sqlalchemy as sa

from api_server.database.connection import create_database
from api_server.domains.patients.events import PatientCreated
from api_server.event_bus.outbox import DEAD, PENDING, record_for
from api_server.event_bus.relay import OUTBOX
from api_server.settings import Settings
from tests.cli.test_db import admin_cli, db_cli
from tests.fixtures.nats import NatsStream


def _stage(url: str, *, status: str) -> uuid.UUID:
    event = PatientCreated(patient_id=uuid.uuid4(), patient_code="P-CLI")

    async def run() -> None:
        database = create_database(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        try:
            async with database.write_sessionmaker() as session, session.begin():
                record = record_for(event)
                record.status, record.attempts, record.last_error = status, 10, "boom"
                session.add(record)
        finally:
            await database.dispose()

    asyncio.run(run())
    return event.event_id


def _status(url: str, event_id: uuid.UUID) -> tuple[str, int]:
    async def run() -> tuple[str, int]:
        database = create_database(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        try:
            async with database.engine.connect() as connection:
                query = sa.select(OUTBOX.c.status, OUTBOX.c.attempts).where(
                    OUTBOX.c.event_id == event_id
                )
                status, attempts = (await connection.execute(query)).one()
                return status, attempts
        finally:
            await database.dispose()

    return asyncio.run(run())


def test_dead_events_are_listed_and_retried(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0
    assert (
        "no dead-lettered events"
        in admin_cli("events", "list", "--dead", url=url, cwd=tmp_path).stdout
    )
    dead = _stage(url, status=DEAD)
    listed = admin_cli("events", "list", "--dead", url=url, cwd=tmp_path)
    assert (
        str(dead) in listed.stdout and "PatientCreated" in listed.stdout and "boom" in listed.stdout
    )
    assert "no pending events" in admin_cli("events", "list", url=url, cwd=tmp_path).stdout

    bad = admin_cli("events", "retry", "not-an-id", url=url, cwd=tmp_path)
    assert bad.returncode == 2 and "EVENT_IDS" in bad.stderr
    retried = admin_cli("events", "retry", "--all-dead", url=url, cwd=tmp_path)
    assert retried.returncode == 0 and "1 event(s) due again" in retried.stdout
    assert _status(url, dead) == (PENDING, 0)


def test_tail_follows_the_stream(tmp_path: Path, nats_stream: NatsStream) -> None:
    async def publish() -> None:
        import nats

        client = await nats.connect(nats_stream.url)
        js = client.jetstream()
        await js.add_stream(name=nats_stream.stream, subjects=[f"{nats_stream.prefix}.>"])
        await js.publish(
            f"{nats_stream.prefix}.PatientCreated",
            b'{"event_id": "e-1"}',
            headers={"Nats-Msg-Id": "e-1"},
        )
        await client.close()

    asyncio.run(publish())
    settings = {key: value for key, value in nats_stream.settings().items()}
    tailed = admin_cli(
        "events",
        "tail",
        "--count",
        "1",
        url=f"sqlite:///{tmp_path / 'x.db'}",
        cwd=tmp_path,
        **settings,
    )
    assert tailed.returncode == 0, tailed.stderr
    assert (
        tailed.stdout.strip() == f'{nats_stream.prefix}.PatientCreated\te-1\t{{"event_id": "e-1"}}'
    )
