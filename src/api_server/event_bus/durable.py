"""Durable handlers: run by the outbox relay, each event once per handler.

A handler `async def handle(event, session)` writes through `session`; those writes and the
`processed_events` record that it ran commit together, so a redelivered event finds the
record and is skipped. A handler may still be invoked again for an event whose writes were
rolled back (its batch met a failing handler, or the relay died before committing): only its
writes through the session are exactly once, anything else it does must be idempotent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from api_server.clock import utcnow
from api_server.database.connection import borrow_db_session
from api_server.event_bus.events import BaseEvent
from api_server.event_bus.outbox import PROCESSED_EVENTS, OutboxRecord

__all__ = [
    "DurableHandler",
    "DurableHandlers",
    "handle",
    "in_one_savepoint",
    "in_process",
    "record_processed",
]

DurableHandler = Callable[[Any, AsyncSession], Awaitable[None]]


class DurableHandlers:
    """The durable handlers of an application (one registry, in its ServiceRegistry)."""

    def __init__(self) -> None:
        self._handlers: list[tuple[type[BaseEvent], str, DurableHandler]] = []

    def register(self, event_type: type[BaseEvent], name: str, handler: DurableHandler) -> None:
        """`name` identifies the handler in `processed_events`: keep it stable."""
        if any(n == name and t is event_type for t, n, _ in self._handlers):
            raise ValueError(f"durable handler {name} is already registered for {event_type}")
        self._handlers.append((event_type, name, handler))

    def for_event(self, event: BaseEvent) -> list[tuple[str, DurableHandler]]:
        return [(n, h) for t, n, h in self._handlers if isinstance(event, t)]


async def handle(
    session: AsyncSession,
    event_id: UUID,
    event: BaseEvent | None,
    handlers: list[tuple[str, DurableHandler]],
    seen: set[tuple[str, UUID]],
) -> list[dict[str, Any]]:
    """Run the handlers not yet run for the event; the `processed_events` rows to insert."""
    ran = []
    for name, handler in handlers:
        if (name, event_id) in seen:
            continue  # a redelivery: it ran, and committed with its record
        await handler(event, session)
        ran.append({"handler": name, "event_id": event_id, "processed_at": utcnow()})
    return ran


async def record_processed(session: AsyncSession, ran: list[dict[str, Any]]) -> None:
    if ran:
        await session.execute(sa.insert(PROCESSED_EVENTS), ran)


async def in_one_savepoint(
    session: AsyncSession,
    work: list[tuple[OutboxRecord, BaseEvent | None, list[tuple[str, DurableHandler]]]],
    seen: set[tuple[str, UUID]],
) -> bool:
    """The batch's handlers in one savepoint; False (rolled back) when one of them raised."""
    try:
        async with session.begin_nested():
            ran: list[dict[str, Any]] = []
            for row, event, handlers in work:
                ran += await handle(session, row.event_id, event, handlers, seen)
            await record_processed(session, ran)
    except Exception as error:  # noqa: BLE001  # the rows are run one by one next
        logger.debug("outbox batch rolled back ({}); rows run one by one", type(error).__name__)
        return False
    return True


def in_process(durable: DurableHandlers) -> Callable[[BaseEvent], Awaitable[None]]:
    """A bus handler running the durable handlers in process, for when the outbox is off:
    after the commit, each in a transaction with its record, at most once (an event lost to a
    crash is not run again; nothing is durable without the outbox)."""

    async def run(event: BaseEvent) -> None:
        for name, handler in durable.for_event(event):
            async with borrow_db_session() as session:
                seen = await session.scalar(
                    sa.select(PROCESSED_EVENTS.c.event_id).where(
                        PROCESSED_EVENTS.c.handler == name,
                        PROCESSED_EVENTS.c.event_id == event.event_id,
                    )
                )
                if seen is None:
                    ran = await handle(session, event.event_id, event, [(name, handler)], set())
                    await record_processed(session, ran)

    return run
