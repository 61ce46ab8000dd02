"""publish(): fire and forget, counted, drained at shutdown with a timeout."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from api_server.event_bus import EventBus
from api_server.settings import Settings
from tests.event_bus.conftest import CapturedLog, OrderCreated


async def test_drain_delivers_100_pending_events(bus: EventBus) -> None:
    delivered: list[str] = []

    async def handler(event: OrderCreated) -> None:
        await asyncio.sleep(0)
        delivered.append(event.order_id)

    bus.register(OrderCreated, handler)
    for number in range(100):
        bus.publish(OrderCreated(order_id=str(number)))
    assert bus.stats.pending == 100
    assert delivered == []  # nothing ran yet: publish does not wait

    dropped = await bus.drain(timeout=30)

    assert dropped == 0
    assert sorted(delivered, key=int) == [str(n) for n in range(100)]
    assert bus.stats.pending == 0
    assert bus.stats.emitted == 100


async def test_drain_timeout_cancels_the_rest_and_logs_how_many(
    bus: EventBus, logs: list[CapturedLog]
) -> None:
    never = asyncio.Event()
    delivered: list[int] = []

    async def handler(event: OrderCreated) -> None:
        if int(event.order_id) >= 40:
            await never.wait()  # stuck: only a cancel gets it out
        delivered.append(int(event.order_id))

    bus.register(OrderCreated, handler)
    for number in range(100):
        bus.publish(OrderCreated(order_id=str(number)))

    dropped = await bus.drain(timeout=0.2)

    assert dropped == 60
    assert sorted(delivered) == list(range(40))
    warnings = [log.message for log in logs if log.level == "WARNING"]
    assert warnings == ["event bus drain timed out after 0.2s: 60 pending event(s) dropped"]
    assert (bus.stats.pending, bus.stats.dropped) == (0, 60)


async def test_publish_many_delivers_in_order(bus: EventBus) -> None:
    delivered: list[str] = []

    async def handler(event: OrderCreated) -> None:
        await asyncio.sleep(0)
        delivered.append(event.order_id)

    bus.register(OrderCreated, handler)
    bus.publish_many(OrderCreated(order_id=str(n)) for n in range(20))
    bus.publish_many([])  # nothing to do, no task
    assert await bus.drain(timeout=30) == 0
    assert delivered == [str(n) for n in range(20)]


async def test_published_handler_failure_is_isolated_and_counted(
    bus: EventBus, logs: list[CapturedLog]
) -> None:
    async def broken(event: OrderCreated) -> None:
        raise RuntimeError("boom")

    bus.register(OrderCreated, broken)
    bus.publish(OrderCreated(order_id="1"))
    assert await bus.drain(timeout=30) == 0
    assert bus.stats.handler_failures == 1
    assert [type(log.exception) for log in logs if log.level == "ERROR"] == [RuntimeError]


async def test_app_has_one_bus_in_its_registry_drained_on_shutdown(settings: Settings) -> None:
    from api_server.app import create_app

    app: FastAPI = create_app(settings)
    bus = app.state.registry.get(EventBus)
    assert bus is app.state.event_bus
    assert create_app(settings).state.event_bus is not bus  # one per app

    delivered: list[str] = []

    async def handler(event: OrderCreated) -> None:
        await asyncio.sleep(0.01)
        delivered.append(event.order_id)

    bus.register(OrderCreated, handler)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            assert (await http.get("/ping")).status_code == 200
        for number in range(10):
            bus.publish(OrderCreated(order_id=str(number)))
        assert delivered == []
    # Leaving the lifespan drained the bus.
    assert sorted(delivered) == [str(n) for n in range(10)]
