"""Closed-loop HTTP load with an exact tally of what happened to every request sent."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from api_server.problem import PROBLEM_MEDIA_TYPE

Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclass
class Tally:
    """sent == succeeded + unavailable + other + lost, always."""

    sent: int = 0
    succeeded: int = 0
    unavailable: int = 0  # 503 DATABASE_UNAVAILABLE or OVERLOADED problem with Retry-After
    other: Counter[str] = field(default_factory=Counter)  # any other status or a malformed 503
    lost: list[str] = field(default_factory=list)  # sent, but no HTTP answer came back
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def record(self, outcome: httpx.Response | BaseException) -> None:
        if isinstance(outcome, BaseException):
            self.lost.append(f"{type(outcome).__name__}: {outcome}")
        elif 200 <= outcome.status_code < 300:
            self.succeeded += 1
        elif _is_unavailable_problem(outcome):
            self.unavailable += 1
        else:
            self.other[f"{outcome.status_code} {outcome.text[:200]}"] += 1
        async with self._changed:
            self._changed.notify_all()

    async def until(self, predicate: Callable[[Tally], bool], *, timeout: float) -> None:
        """Wait for `predicate(self)`; fail (not hang) when it does not come true in time."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: predicate(self))

    def assert_accounted(self) -> None:
        ACCOUNTED.append((os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0], self))
        assert self.lost == [], self.lost
        assert dict(self.other) == {}, self.other
        assert self.sent == self.succeeded + self.unavailable

    def summary(self) -> str:
        other = sum(self.other.values())
        return (
            f"sent {self.sent}, succeeded {self.succeeded}, 503 {self.unavailable}, "
            f"other {other}, lost {len(self.lost)}"
        )


# Every tally checked in this run (test id, tally): the terminal summary lists them, so a CI
# log shows the counts of each fault test, not only that it passed.
ACCOUNTED: list[tuple[str, Tally]] = []


def _is_unavailable_problem(response: httpx.Response) -> bool:
    return (
        response.status_code == 503
        and response.headers.get("content-type") == PROBLEM_MEDIA_TYPE
        and response.headers.get("retry-after", "").isdigit()
        and response.json().get("code") in {"DATABASE_UNAVAILABLE", "OVERLOADED"}
    )


async def drive(
    client: httpx.AsyncClient, send: Send, *, tally: Tally, workers: int, stop: asyncio.Event
) -> None:
    """`workers` loops sending one request after another until `stop` is set."""

    async def worker() -> None:
        while not stop.is_set():
            tally.sent += 1
            try:
                outcome: httpx.Response | BaseException = await send(client)
            except httpx.TransportError as error:
                outcome = error
            await tally.record(outcome)

    async with asyncio.TaskGroup() as group:
        for _ in range(workers):
            group.create_task(worker())
