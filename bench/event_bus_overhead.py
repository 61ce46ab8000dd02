"""Event bus emit overhead per event, against a plain `await handler(e)` loop in the same run.

    .venv/bin/python bench/event_bus_overhead.py [--events N] [--rounds R]

For 1 and 10 async no-op handlers, times `await bus.emit(e)` and the baseline loop
`for h in handlers: await h(e)` over the same pre-built events, takes the best of R rounds of
each, and prints ns/event and the ratio. The events are built beforehand, so event
construction (uuid7, timestamp, pydantic) is reported separately.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from api_server.event_bus import BaseEvent, EventBus
from api_server.services.registry import ServiceRegistry


class Ping(BaseEvent):
    n: int


def make_handlers(count: int) -> list[Callable[[Ping], Awaitable[None]]]:
    handlers = []
    for index in range(count):

        async def handler(event: Ping) -> None:
            return None

        handler.__qualname__ = f"handler_{index}"
        handlers.append(handler)
    return handlers


async def time_baseline(
    handlers: list[Callable[[Ping], Awaitable[None]]], events: list[Ping]
) -> int:
    started = time.perf_counter_ns()
    for event in events:
        for handler in handlers:
            await handler(event)
    return time.perf_counter_ns() - started


async def time_bus(bus: EventBus, events: list[Ping]) -> int:
    started = time.perf_counter_ns()
    for event in events:
        await bus.emit(event)
    return time.perf_counter_ns() - started


async def measure(handler_count: int, events: list[Ping], rounds: int) -> tuple[float, float]:
    handlers = make_handlers(handler_count)
    bus = EventBus(ServiceRegistry())
    for handler in handlers:
        bus.register(Ping, handler)
    baseline = min([await time_baseline(handlers, events) for _ in range(rounds)])
    emitted = min([await time_bus(bus, events) for _ in range(rounds)])
    return baseline / len(events), emitted / len(events)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter_ns()
    events = [Ping(n=n) for n in range(args.events)]
    build_ns = (time.perf_counter_ns() - started) / args.events
    print(f"event construction: {build_ns:,.0f} ns/event (uuid7 + UTC timestamp + validation)")
    print(f"{'handlers':>8} {'plain loop':>14} {'bus.emit':>14} {'overhead':>14} {'ratio':>7}")
    for count in (1, 10):
        baseline, emitted = await measure(count, events, args.rounds)
        print(
            f"{count:>8} {baseline:>11,.0f} ns {emitted:>11,.0f} ns "
            f"{emitted - baseline:>11,.0f} ns {emitted / baseline:>6.1f}x"
        )


if __name__ == "__main__":
    asyncio.run(main())
