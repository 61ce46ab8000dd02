"""Who may take a database connection next: a first-come-first-served gate for the pool, and
this process's turn to write on SQLite.

SQLAlchemy's async pool lets a newcomer take a connection that was just handed back while
earlier waiters sleep on; under a burst some requests lost that race until the client's
timeout although the median wait was far below it (docs/performance.md). `ConnectionTurns`
passes each released connection to the longest waiter (asyncio.Semaphore is FIFO).

SQLite has one writer at a time, and its busy handler polls with growing sleeps, so under
load some writers starve past any timeout: `WriterTurns` queues this process's writers first
come first served (the busy handler still arbitrates between processes).

Both give up after the queue deadline (`API_SERVER_QUEUE_DEADLINE`): a request that waited
that long is answered at once with 503 OVERLOADED and `Retry-After`, not left queued until
its client or load balancer gives up; `Shed.count` is the metric.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from api_server.exceptions import OverloadedError

__all__ = ["ConnectionTurns", "Shed", "WriterTurns"]


class Shed:
    """How many requests this process answered OVERLOADED (one counter per database)."""

    def __init__(self) -> None:
        self.count = 0


def _overloaded(shed: Shed, deadline: float, what: str) -> OverloadedError:
    shed.count += 1
    return OverloadedError(f"the server is busy: no {what} within {deadline:g} s; retry shortly")


class ConnectionTurns:
    """`width` turns (the pool's `db_pool_size`; None: no pool, no gate)."""

    def __init__(self, width: int | None, timeout: float, shed: Shed | None = None) -> None:
        self._gate = asyncio.Semaphore(width) if width is not None else None
        self._timeout = timeout  # the queue deadline
        self._shed = shed or Shed()

    async def take(self) -> None:
        """Wait, in arrival order, until a pooled connection is this caller's to take.

        Pair with `give_back()`; `turn()` does both. The overflow connections stay for
        readiness checks, migrations and locks, which take no turn.
        """
        gate = self._gate
        if gate is None:
            return
        if not gate.locked():
            await gate.acquire()  # free: returns at once
            return
        try:
            async with asyncio.timeout(self._timeout):
                await gate.acquire()
        except TimeoutError:
            raise _overloaded(self._shed, self._timeout, "database connection was free") from None

    def give_back(self) -> None:
        if self._gate is not None:
            self._gate.release()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.take()
        try:
            yield
        finally:
            self.give_back()


class WriterTurns:
    """One writer at a time in this process (`enabled` on SQLite; a no-op elsewhere)."""

    def __init__(self, *, enabled: bool, timeout: float, shed: Shed | None = None) -> None:
        self._lock = asyncio.Lock() if enabled else None
        self._timeout = timeout  # the queue deadline
        self._shed = shed or Shed()

    async def take(self) -> None:
        """Wait for this process's turn to write. Pair with `give_back()`."""
        if self._lock is None:
            return
        try:
            async with asyncio.timeout(self._timeout):
                await self._lock.acquire()
        except TimeoutError:
            raise _overloaded(self._shed, self._timeout, "turn to write came") from None

    def give_back(self) -> None:
        if self._lock is not None:
            self._lock.release()
