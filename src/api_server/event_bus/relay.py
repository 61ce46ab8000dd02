"""The outbox relay: one per instance, delivering `event_outbox` rows at least once.

A round claims up to `batch` due rows (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances
share the work without waiting on each other), pushing their `available_at` a lease into the
future; publishes them (NATS JetStream when configured), runs every durable handler of their
types, and marks them done, or due again after a backoff, or dead after `max_attempts`.
NATS being unreachable spends no attempt: the rows wait and the relay pauses a second. A
relay killed mid-round leaves its claimed rows to any relay once the lease passes.

Order: none is guaranteed. Rows are claimed in event-id (creation) order and durable handlers
run in that order within a round, but a round's NATS publishes are in flight together,
instances deliver concurrently and a retried row goes out after newer ones: consumers that
care compare `occurred_at` or a version carried by the event.

Wake-ups: an instance that commits outbox rows wakes its own relay at once; otherwise each
relay polls every `poll_interval` seconds.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession

from api_server.clock import utcnow
from api_server.database.connection import borrow_db_session
from api_server.event_bus.durable import (
    DurableHandler,
    DurableHandlers,
    handle,
    in_one_savepoint,
    record_processed,
)
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

__all__ = ["DurableHandler", "DurableHandlers", "OUTBOX", "OutboxRelay", "RelayStats"]

OUTBOX = OutboxRecord.__table__  # type: ignore[attr-defined]
LINGER = 0.01  # seconds a woken relay waits for more commits before its round


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
            if self._wake.is_set():
                # Woken by a commit: let the commits of the same burst join this round (one
                # round of a few rows costs about what a round of one does).
                await asyncio.sleep(LINGER)

    async def run_round(self) -> tuple[int, bool]:
        """Claim, deliver and settle one batch: (rows claimed, NATS unavailable).

        The batch goes to NATS first, all publishes in flight at once; then, in one
        transaction, the durable handlers run (`_run_durable`) and every row is settled:
        handlers' writes, the records that they ran and the rows' states commit together.
        """
        outcome = _Round()
        if self.publisher is None:
            # Nothing leaves the process: claim, handle and settle in one transaction.
            async with borrow_db_session() as session:
                rows = await self._claim(session)
                await self._run_durable(session, rows, outcome)
                await self._settle(session, outcome)
        else:
            # The claim commits first: no transaction (nor SQLite's write lock) is held while
            # waiting for NATS.
            async with borrow_db_session() as session:
                rows = await self._claim(session)
            published = await self._publish(rows, outcome) if rows else []
            if rows:
                async with borrow_db_session() as session:
                    await self._run_durable(session, published, outcome)
                    await self._settle(session, outcome)
        if not rows:
            return 0, False
        self.stats.published += len(outcome.done)
        self.stats.failed += len(outcome.failed)
        return len(rows), bool(outcome.waiting)

    async def _publish(self, rows: list[OutboxRecord], outcome: _Round) -> list[OutboxRecord]:
        """The rows NATS acknowledged (all of them without NATS); the others wait."""
        publisher = self.publisher
        if publisher is None:
            return rows
        results = await asyncio.gather(
            *(publisher.publish(r.name, str(r.event_id), encode(r.payload)) for r in rows),
            return_exceptions=True,
        )
        acknowledged = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, TransportUnavailableError):
                outcome.waiting.append(row.event_id)
            elif isinstance(result, BaseException):
                outcome.failed.append((row, f"{type(result).__name__}: {result}"[:500]))
            else:
                acknowledged.append(row)
        if outcome.waiting:
            logger.debug("outbox relay paused: NATS unavailable")
        return acknowledged

    async def _run_durable(
        self, session: AsyncSession, rows: list[OutboxRecord], outcome: _Round
    ) -> None:
        """Every row's durable handlers. Fast path: the whole batch in one savepoint, the
        records that handlers ran inserted at once. When a handler raises, that savepoint is
        rolled back and the batch runs again one savepoint per handler and row, so only the
        failing handler's writes are lost (it runs again on the row's next attempt; the
        others, recorded, are skipped then)."""
        work = [(row, *self._handlers(row)) for row in rows]
        outcome.done += [row.event_id for row, _, handlers in work if not handlers]
        work = [item for item in work if item[2]]
        if not work:
            return
        query = sa.select(PROCESSED_EVENTS.c.handler, PROCESSED_EVENTS.c.event_id).where(
            PROCESSED_EVENTS.c.event_id.in_([row.event_id for row, _, _ in work])
        )
        seen = {(name, event_id) for name, event_id in await session.execute(query)}
        if await in_one_savepoint(session, work, seen):
            outcome.done += [row.event_id for row, _, _ in work]
            return
        for row, event, handlers in work:
            error = None
            for handler in handlers:  # each in a savepoint: the others' writes are kept
                try:
                    async with session.begin_nested():
                        ran = await handle(session, row.event_id, event, [handler], seen)
                        await record_processed(session, ran)
                except Exception as failure:  # noqa: BLE001  # recorded on the row, retried
                    error = error or f"{handler[0]}: {type(failure).__name__}: {failure}"[:500]
            if error is None:
                outcome.done.append(row.event_id)
            else:
                outcome.failed.append((row, error))

    def _handlers(
        self, row: OutboxRecord
    ) -> tuple[BaseEvent | None, list[tuple[str, DurableHandler]]]:
        cls = event_class(row.event_type)
        event = cls.model_validate(row.payload) if cls is not None else None
        return event, self.durable.for_event(event) if event is not None else []

    async def _claim(self, session: AsyncSession) -> list[OutboxRecord]:
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
        found = (await session.execute(claim)).mappings().all()
        return sorted((OutboxRecord(**row) for row in found), key=lambda r: r.event_id)

    async def _settle(self, session: AsyncSession, outcome: _Round) -> None:
        now = utcnow()
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
