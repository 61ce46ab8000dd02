"""The outbox relay: one per instance, delivering `event_outbox` rows at least once.

A round claims up to `batch` due rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances
share the work without waiting on each other), pushing their `available_at` a lease into the
future; delivers each (NATS JetStream when configured, then every durable handler of its
type); then marks them done, or due again after a backoff, or dead after `max_attempts`.
NATS being unreachable spends no attempt: the rows wait and the relay pauses a second. A
relay killed mid-round leaves its claimed rows to any relay once the lease passes.

Order: none is guaranteed. Rows are claimed and delivered in event-id (creation) order within
a round, but instances deliver concurrently and a retried row goes out after newer ones:
consumers that care compare `occurred_at` or a version carried by the event.

Wake-ups: an instance that commits outbox rows wakes its own relay at once; otherwise each
relay polls every `poll_interval` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from api_server.clock import utcnow
from api_server.database.connection import borrow_db_session
from api_server.event_bus.events import BaseEvent
from api_server.event_bus.nats import NatsPublisher, TransportUnavailableError, encode
from api_server.event_bus.outbox import (
    DEAD,
    DONE,
    PENDING,
    PROCESSED_EVENTS,
    OutboxRecord,
    backoff,
    event_class,
)

__all__ = ["DurableHandler", "DurableHandlers", "OutboxRelay", "RelayStats"]

OUTBOX = OutboxRecord.__table__  # type: ignore[attr-defined]
DurableHandler = Callable[[Any, AsyncSession], Awaitable[None]]


class DurableHandlers:
    """Handlers the relay runs, each event once per handler: the handler's writes (through
    the session it is given) and the record that it processed the event commit together, so a
    redelivered event finds the record and is skipped."""

    def __init__(self) -> None:
        self._handlers: list[tuple[type[BaseEvent], str, DurableHandler]] = []

    def register(self, event_type: type[BaseEvent], name: str, handler: DurableHandler) -> None:
        """`name` identifies the handler in `processed_events`: keep it stable."""
        if any(n == name and t is event_type for t, n, _ in self._handlers):
            raise ValueError(f"durable handler {name} is already registered for {event_type}")
        self._handlers.append((event_type, name, handler))

    def for_event(self, event: BaseEvent) -> list[tuple[str, DurableHandler]]:
        return [(n, h) for t, n, h in self._handlers if isinstance(event, t)]


@dataclass
class RelayStats:
    published: int = 0  # rows delivered and marked done
    failed: int = 0  # delivery attempts that failed (a handler raised)
    dead_lettered: int = 0
    pending: int = 0  # as last counted
    oldest_pending_age: float = 0.0  # seconds, as last counted
    counted_at: float = field(default=0.0)


@dataclass
class _Round:
    done: list[UUID] = field(default_factory=list)
    failed: list[tuple[OutboxRecord, str]] = field(default_factory=list)
    waiting: list[UUID] = field(default_factory=list)


class OutboxRelay:
    def __init__(
        self,
        *,
        publisher: NatsPublisher | None,
        durable: DurableHandlers,
        batch: int = 100,
        lease: float = 30.0,
        max_attempts: int = 10,
        poll_interval: float = 1.0,
    ) -> None:
        self.publisher = publisher
        self.durable = durable
        self.batch = batch
        self.lease = timedelta(seconds=lease)
        self.max_attempts = max_attempts
        self.poll_interval = poll_interval
        self.stats = RelayStats()
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """New rows were committed in this process: run a round now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set; a failing round is logged and retried after a pause."""
        while not stop.is_set():
            try:
                claimed, paused = await self.run_round()
                await self._count_pending()
            except Exception as error:  # noqa: BLE001  # the database may be down: keep trying
                logger.warning("outbox relay round failed: {}", error)
                claimed, paused = 0, True
            if claimed >= self.batch and not paused:
                continue  # more are due
            self._wake.clear()
            waits = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
            await asyncio.wait(
                waits, timeout=1.0 if paused else self.poll_interval, return_when="FIRST_COMPLETED"
            )
            for task in waits:
                task.cancel()

    async def run_round(self) -> tuple[int, bool]:
        """Claim, deliver and settle one batch: (rows claimed, NATS unavailable)."""
        rows = await self._claim()
        outcome = _Round()
        for index, row in enumerate(rows):
            try:
                await self._deliver(row)
            except TransportUnavailableError as error:
                logger.debug("outbox relay paused: {}", error)
                outcome.waiting = [r.event_id for r in rows[index:]]
                break
            except Exception as error:  # noqa: BLE001  # recorded on the row, retried
                outcome.failed.append((row, f"{type(error).__name__}: {error}"[:500]))
            else:
                outcome.done.append(row.event_id)
        if rows:
            await self._settle(outcome)
        return len(rows), bool(outcome.waiting)

    async def _claim(self) -> list[OutboxRecord]:
        now = utcnow()
        due = (
            sa.select(OUTBOX.c.event_id)
            .where(OUTBOX.c.status == PENDING, OUTBOX.c.available_at <= now)
            .order_by(OUTBOX.c.event_id)
            .limit(self.batch)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has one writer anyway
        )
        claim = (
            sa.update(OUTBOX)
            .where(OUTBOX.c.event_id.in_(due.scalar_subquery()))
            .values(available_at=now + self.lease, attempts=OUTBOX.c.attempts + 1)
            .returning(*OUTBOX.c)
        )
        async with borrow_db_session() as session:
            found = (await session.execute(claim)).mappings().all()
        return sorted((OutboxRecord(**row) for row in found), key=lambda r: r.event_id)

    async def _deliver(self, row: OutboxRecord) -> None:
        if self.publisher is not None:
            await self.publisher.publish(row.name, str(row.event_id), encode(row.payload))
        handlers = []
        cls = event_class(row.event_type)
        if cls is not None:
            event = cls.model_validate(row.payload)
            handlers = self.durable.for_event(event)
        for name, handler in handlers:
            await _run_once(name, handler, event)

    async def _settle(self, outcome: _Round) -> None:
        now = utcnow()
        async with borrow_db_session() as session:
            if outcome.done:
                await session.execute(
                    sa.update(OUTBOX)
                    .where(OUTBOX.c.event_id.in_(outcome.done))
                    .values(status=DONE, published_at=now, last_error=None)
                )
            if outcome.waiting:  # NATS down: the claim did not count
                await session.execute(
                    sa.update(OUTBOX)
                    .where(OUTBOX.c.event_id.in_(outcome.waiting))
                    .values(available_at=now + timedelta(seconds=1), attempts=OUTBOX.c.attempts - 1)
                )
            for row, error in outcome.failed:
                dead = row.attempts >= self.max_attempts
                await session.execute(
                    sa.update(OUTBOX)
                    .where(OUTBOX.c.event_id == row.event_id)
                    .values(
                        status=DEAD if dead else PENDING,
                        available_at=now + backoff(row.attempts),
                        last_error=error,
                    )
                )
                logger.warning(
                    "outbox event {} {} failed (attempt {}){}: {}",
                    row.name,
                    row.event_id,
                    row.attempts,
                    ", dead-lettered" if dead else "",
                    error,
                )
                self.stats.dead_lettered += dead
        self.stats.published += len(outcome.done)
        self.stats.failed += len(outcome.failed)

    async def _count_pending(self) -> None:
        if time.monotonic() - self.stats.counted_at < 1.0:
            return
        query = sa.select(sa.func.count(), sa.func.min(OUTBOX.c.created_at)).where(
            OUTBOX.c.status == PENDING
        )
        async with borrow_db_session(write=False) as session:
            count, oldest = (await session.execute(query)).one()
        self.stats.pending = int(count)
        self.stats.oldest_pending_age = _age(oldest)
        self.stats.counted_at = time.monotonic()


def _age(oldest: datetime | None) -> float:
    return max(0.0, (utcnow() - oldest).total_seconds()) if oldest is not None else 0.0


async def _run_once(name: str, handler: DurableHandler, event: BaseEvent) -> None:
    async with borrow_db_session() as session:
        seen = await session.scalar(
            sa.select(PROCESSED_EVENTS.c.event_id).where(
                PROCESSED_EVENTS.c.handler == name,
                PROCESSED_EVENTS.c.event_id == event.event_id,
            )
        )
        if seen is not None:
            return  # a redelivery: it ran, and its writes committed with this record
        await handler(event, session)
        await session.execute(
            sa.insert(PROCESSED_EVENTS).values(
                handler=name, event_id=event.event_id, processed_at=utcnow()
            )
        )
