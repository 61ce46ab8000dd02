"""`events`: the outbox (pending and dead-lettered events, retries) and the NATS stream."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated
from uuid import UUID

import sqlalchemy as sa
import typer

from api_server.cli.commands.db import ExitCode, require_head, run_on_database
from api_server.cli.output import fail, info
from api_server.clock import utcnow
from api_server.database.alembic_utils import AlembicManager
from api_server.database.connection import borrow_db_read_connection, borrow_db_session
from api_server.event_bus.outbox import DEAD, PENDING, OutboxRecord
from api_server.settings import get_settings

__all__ = ["app"]

app = typer.Typer(help="Durable events: the outbox and the NATS stream.", no_args_is_help=True)
OUTBOX = OutboxRecord.__table__  # type: ignore[attr-defined]


@app.command("list")
def list_events(
    dead: Annotated[bool, typer.Option("--dead", help="Dead-lettered events instead.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
) -> None:
    """Events not delivered yet (or dead-lettered), oldest first."""

    async def read(manager: AlembicManager) -> list[sa.RowMapping]:
        await require_head(manager)
        query = (
            sa.select(OUTBOX)
            .where(OUTBOX.c.status == (DEAD if dead else PENDING))
            .order_by(OUTBOX.c.event_id)
            .limit(limit)
        )
        async with borrow_db_read_connection() as connection:
            return list((await connection.execute(query)).mappings())

    rows = run_on_database(read)
    if not rows:
        info("no dead-lettered events" if dead else "no pending events")
        return
    info("EVENT ID\tTYPE\tCREATED\tATTEMPTS\tLAST ERROR")
    for r in rows:
        created = r["created_at"].isoformat(timespec="seconds")
        info(f"{r['event_id']}\t{r['name']}\t{created}\t{r['attempts']}\t{r['last_error'] or ''}")


@app.command("retry")
def retry(
    event_ids: Annotated[list[str] | None, typer.Argument(help="Events to retry.")] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Every dead event.")] = False,
) -> None:
    """Make dead-lettered (or waiting) events due now, with their attempts reset."""
    if not event_ids and not all_dead:
        fail("name EVENT_IDS or pass --all-dead", code=ExitCode.USAGE)
    ids: list[UUID] = []
    for raw in event_ids or ():
        try:
            ids.append(UUID(raw))
        except ValueError:
            fail(f"EVENT_IDS: {raw!r} is not an event id (a UUID)", code=ExitCode.USAGE)

    async def requeue(manager: AlembicManager) -> int:
        await require_head(manager)
        which = OUTBOX.c.status == DEAD if all_dead else OUTBOX.c.event_id.in_(ids)
        statement = (
            sa.update(OUTBOX)
            .where(which, OUTBOX.c.status != "done")
            .values(status=PENDING, attempts=0, available_at=utcnow(), last_error=None)
        )
        async with borrow_db_session() as session:
            result = await session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

    count = run_on_database(requeue)
    info(f"{count} event(s) due again; a running server's relay delivers them")


@app.command("tail")
def tail(
    durable: Annotated[
        str, typer.Option(help="Consumer name: a restart resumes where it stopped.")
    ] = "api-server-cli-tail",
    count: Annotated[int, typer.Option(min=0, help="Stop after this many (0: never).")] = 0,
) -> None:
    """Follow the events on NATS JetStream as a durable consumer (needs API_SERVER_NATS_URL)."""
    settings = get_settings()
    if not settings.nats_url:
        fail("API_SERVER_NATS_URL is not set: there is no stream to follow", code=ExitCode.USAGE)
    asyncio.run(_tail(settings.nats_url, settings.nats_stream, settings.nats_subject_prefix,
                      durable, count))  # fmt: skip


async def _tail(url: str, stream: str, prefix: str, durable: str, count: int) -> None:
    import nats

    client = await nats.connect(url, connect_timeout=3)
    try:
        js = client.jetstream()
        subscription = await js.pull_subscribe(f"{prefix}.>", durable=durable, stream=stream)
        seen = 0
        while count == 0 or seen < count:
            try:
                messages = await subscription.fetch(batch=min(100, count - seen or 100), timeout=5)
            except TimeoutError:
                continue
            for message in messages:
                event_id = (message.headers or {}).get("Nats-Msg-Id", "-")
                body = json.loads(message.data)
                typer.echo(f"{message.subject}\t{event_id}\t{json.dumps(body, sort_keys=True)}")
                await message.ack()
                seen += 1
    finally:
        await client.close()
