"""The queue deadline of a request counts from its arrival, across every turn it waits for,
and keeps room to be served (`database/turns.py`): a request that cannot be served within it
is told at once instead of after waiting it out.

"At once" is counted in event-loop turns, not seconds: a refusal at once is settled within a
few loop iterations, a wait is still pending after them (the deadlines are 10 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from time import monotonic
from typing import Any

import pytest
from fastapi import FastAPI, Request

from api_server.database.turns import ConnectionTurns, WriterTurns
from api_server.exceptions import OverloadedError
from api_server.request_clock import arrival_of

DEADLINE = 10.0


async def settled(take: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """`take` started, after a few loop iterations: done if it settled at once, else pending
    (cancelled then, so no test waits a deadline out)."""
    task = asyncio.ensure_future(take)
    for _ in range(5):
        if task.done():
            break
        await asyncio.sleep(0)
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return task


def refused(task: asyncio.Task[None]) -> bool:
    return not task.cancelled() and isinstance(task.exception(), OverloadedError)


async def test_a_request_arrived_longer_ago_than_the_deadline_is_refused_at_once() -> None:
    turns = ConnectionTurns(1, DEADLINE)
    await turns.take()  # the only turn, held
    assert refused(await settled(turns.take(arrived_at=monotonic() - DEADLINE)))


async def test_a_free_turn_is_taken_however_long_the_request_waited_before() -> None:
    turns = ConnectionTurns(1, DEADLINE)
    taken = await settled(turns.take(arrived_at=monotonic() - 10 * DEADLINE))
    assert taken.done() and not taken.cancelled() and taken.exception() is None
    writer = WriterTurns(enabled=True, timeout=DEADLINE)
    taken = await settled(writer.take(arrived_at=monotonic() - 10 * DEADLINE))
    assert taken.done() and not taken.cancelled() and taken.exception() is None


async def held_on_average(seconds: float) -> ConnectionTurns:
    """One busy turn whose holds so far lasted `seconds` on average."""
    turns = ConnectionTurns(1, DEADLINE)
    for _ in range(60):
        await turns.take()
        turns.give_back(held=seconds)
    assert turns.hold.mean == pytest.approx(seconds, rel=0.01)
    await turns.take()  # busy again
    return turns


async def test_a_request_keeps_room_to_be_served_within_its_deadline() -> None:
    """Turns held 2 s on average: a request that arrived 7 s ago (deadline 10 s) could not get
    one and be served in time (7 + 2 x 2 > 10), so it is refused at once, not after 3 s."""
    turns = await held_on_average(2.0)
    assert refused(await settled(turns.take(arrived_at=monotonic() - 7.0)))
    # Arrived just now, it has the time: it waits.
    assert (await settled(turns.take(arrived_at=monotonic()))).cancelled()


async def test_the_room_kept_is_at_most_half_the_deadline() -> None:
    """Holds of 60 s (an overloaded server) do not make every newcomer refused at once: that
    would turn waiters into instant retries. A request arriving now still waits."""
    turns = await held_on_average(60.0)
    assert (await settled(turns.take(arrived_at=monotonic()))).cancelled()


async def test_the_writer_turn_spends_the_same_budget() -> None:
    writer = WriterTurns(enabled=True, timeout=DEADLINE)
    await writer.take()
    assert refused(await settled(writer.take(arrived_at=monotonic() - DEADLINE)))


async def test_outside_a_request_the_deadline_counts_from_the_wait() -> None:
    turns = await held_on_average(6.0)  # would refuse any request that arrived 5 s ago
    waiting = await settled(turns.take())  # the relay, the CLI: no arrival
    assert waiting.cancelled()  # waiting out its deadline, not refused at once
    short = ConnectionTurns(1, 0.05)
    await short.take()
    with pytest.raises(OverloadedError):
        await short.take()  # ... and refused at its end


async def test_every_http_request_is_stamped_with_its_arrival(app_client: Any) -> None:
    seen: list[float | None] = []

    def routes(app: FastAPI) -> None:
        @app.get("/test-arrival")
        async def arrival(request: Request) -> dict[str, bool]:
            seen.append(arrival_of(request.scope))
            return {"ok": True}

    before = monotonic()
    async with app_client(routes=routes) as http:
        assert (await http.get("/test-arrival")).status_code == 200
    assert seen and seen[0] is not None and before <= seen[0] <= monotonic()
