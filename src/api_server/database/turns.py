"""Who may take a database connection next: a first-come-first-served gate for the pool, and
this process's turn to write on SQLite.

SQLAlchemy's async pool lets a newcomer take a connection that was just handed back while
earlier waiters sleep on; under a burst some requests lost that race until the client's
timeout although the median wait was far below it (docs/performance.md). `ConnectionTurns`
passes each released connection to the longest waiter (asyncio.Semaphore is FIFO).

SQLite has one writer at a time, and its busy handler polls with growing sleeps, so under
load some writers starve past any timeout: `WriterTurns` queues this process's writers first
come first served (the busy handler still arbitrates between processes).

Both give up at the queue deadline (`API_SERVER_QUEUE_DEADLINE`), answered at once with 503
OVERLOADED and `Retry-After` instead of being left queued until the client or load balancer
gives up (counted where the answer is made: `shed.py`). For a request, the deadline counts
from its arrival (`request_clock`), across every turn it waits for (a SQLite writer waits for
two), and keeps room to be served: a waiter gives up once what is left of its deadline is less
than twice the mean time a turn is held (`HoldEstimate`; at most half the deadline), so a
request served after queueing is answered within about the deadline, and one that cannot be is
told early. Callers outside a request (the relay, the CLI) wait the deadline from when they
start waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from time import monotonic
from typing import Any

from api_server.exceptions import OverloadedError

__all__ = ["ConnectionTurns", "HoldEstimate", "WriterTurns"]

_HOLD_WEIGHT = 0.1  # of the newest hold in the mean
_ROOM = 2.0  # times the mean hold a waiter keeps of its deadline to be served in
_MAX_ROOM_SHARE = 0.5  # of the deadline, at most


class HoldEstimate:
    """The mean time a turn is held, exponentially weighted (the newest counts a tenth)."""

    __slots__ = ("mean",)

    def __init__(self) -> None:
        self.mean = 0.0

    def record(self, seconds: float) -> None:
        self.mean += _HOLD_WEIGHT * (seconds - self.mean)


def _budget(deadline: float, arrived_at: float | None, hold: HoldEstimate) -> float:
    """How long a waiter may still wait (see the module). The room kept is at most half the
    deadline: when holds grow long (the server overloaded), refusing everyone at once would
    only turn the waiters into a storm of instant retries that starves those inside."""
    if arrived_at is None:
        return deadline
    room = min(_ROOM * hold.mean, deadline * _MAX_ROOM_SHARE)
    return deadline - (monotonic() - arrived_at) - room


async def _wait(
    acquire: Callable[[], Awaitable[Any]], budget: float, deadline: float, what: str
) -> None:
    """`acquire()` within `budget` seconds, else OVERLOADED. A budget already spent still takes
    a free turn (acquiring it does not suspend); a busy one is refused at the next suspension."""
    try:
        async with asyncio.timeout(max(budget, 0.0)):
            await acquire()
    except TimeoutError:
        raise _overloaded(deadline, what) from None


def _overloaded(deadline: float, what: str) -> OverloadedError:
    return OverloadedError(f"the server is busy: no {what} within {deadline:g} s; retry shortly")


class ConnectionTurns:
    """`width` turns (the pool's `db_pool_size`; None: no pool, no gate). Also the admission
    gate's turns to be served (`middleware/admission.py`)."""

    def __init__(
        self,
        width: int | None,
        timeout: float,
        *,
        what: str = "database connection was free",
    ) -> None:
        self._gate = asyncio.Semaphore(width) if width is not None else None
        self._timeout = timeout  # the queue deadline
        self._what = what  # what did not happen in time, for the 503's detail
        self.hold = HoldEstimate()

    async def take(self, arrived_at: float | None = None) -> None:
        """Wait, in arrival order, until a pooled connection is this caller's to take;
        `arrived_at`: when the request waiting arrived (monotonic), None outside a request.

        Pair with `give_back()`; `turn()` does both. The overflow connections stay for
        readiness checks, migrations and locks, which take no turn.
        """
        gate = self._gate
        if gate is None:
            return
        if not gate.locked():
            await gate.acquire()  # free: returns at once
            return
        budget = _budget(self._timeout, arrived_at, self.hold)
        await _wait(gate.acquire, budget, self._timeout, self._what)

    def give_back(self, held: float | None = None) -> None:
        """`held`: seconds since the turn was taken, for the estimate newcomers wait by."""
        if self._gate is not None:
            self._gate.release()
            if held is not None:
                self.hold.record(held)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.take()
        try:
            yield
        finally:
            self.give_back()


class WriterTurns:
    """One writer at a time in this process (`enabled` on SQLite; a no-op elsewhere)."""

    def __init__(self, *, enabled: bool, timeout: float) -> None:
        self._lock = asyncio.Lock() if enabled else None
        self._timeout = timeout  # the queue deadline
        self.hold = HoldEstimate()

    async def take(self, arrived_at: float | None = None) -> None:
        """Wait for this process's turn to write (`arrived_at` as `ConnectionTurns.take`).
        Pair with `give_back()`."""
        lock = self._lock
        if lock is None:
            return
        budget = _budget(self._timeout, arrived_at, self.hold)
        await _wait(lock.acquire, budget, self._timeout, "turn to write came")

    def give_back(self, held: float | None = None) -> None:
        if self._lock is not None:
            self._lock.release()
            if held is not None:
                self.hold.record(held)
