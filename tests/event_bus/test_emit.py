"""emit(): dispatch order, failure isolation with logged tracebacks, outcomes, threads."""

from __future__ import annotations

import asyncio
import threading

from api_server.event_bus import BaseEvent, EventBus
from tests.event_bus.conftest import CapturedLog, OrderCreated, PriorityOrderCreated


class PaymentDeclined(Exception):
    pass


async def test_failing_handler_does_not_stop_others_nor_the_emitter(
    bus: EventBus, logs: list[CapturedLog]
) -> None:
    ran: list[str] = []

    async def first(event: OrderCreated) -> None:
        ran.append("first")

    async def charge(event: OrderCreated) -> None:
        raise PaymentDeclined(f"card refused for {event.order_id}")

    def sync_breaks(event: OrderCreated) -> None:
        raise KeyError("missing")

    async def last(event: OrderCreated) -> None:
        ran.append("last")

    for handler in (first, charge, sync_breaks, last):
        bus.register(OrderCreated, handler)

    event = OrderCreated(order_id="13")
    result = await bus.emit(event)  # does not raise

    assert ran == ["first", "last"]
    assert not result.ok
    assert [(o.handler.rsplit(".", 1)[-1], o.ok, o.error_type) for o in result.outcomes] == [
        ("first", True, None),
        ("charge", False, "tests.event_bus.test_emit.PaymentDeclined"),
        ("sync_breaks", False, "KeyError"),
        ("last", True, None),
    ]
    assert all(outcome.duration >= 0 for outcome in result.outcomes)
    errors = [log for log in logs if log.level == "ERROR"]
    assert len(errors) == 2
    assert "charge" in errors[0].message
    assert str(event.event_id) in errors[0].message
    assert isinstance(errors[0].exception, PaymentDeclined)
    assert errors[0].traceback is not None  # logged with its traceback
    assert isinstance(errors[1].exception, KeyError)
    stats = bus.stats
    assert (stats.emitted, stats.handler_successes, stats.handler_failures) == (1, 2, 2)


async def test_handlers_run_most_specific_class_first_then_registration_order(
    bus: EventBus,
) -> None:
    ran: list[str] = []

    def recorder(label: str):  # type: ignore[no-untyped-def]
        async def handler(event: BaseEvent) -> None:
            ran.append(label)

        handler.__qualname__ = label
        return handler

    bus.register(BaseEvent, recorder("any-1"))
    bus.register(OrderCreated, recorder("order-1"))
    bus.register(PriorityOrderCreated, recorder("priority-1"))
    bus.register(OrderCreated, recorder("order-2"))
    bus.register(PriorityOrderCreated, recorder("priority-2"))

    await bus.emit(PriorityOrderCreated(order_id="1"))
    assert ran == ["priority-1", "priority-2", "order-1", "order-2", "any-1"]

    ran.clear()
    await bus.emit(OrderCreated(order_id="2"))
    assert ran == ["order-1", "order-2", "any-1"]
    assert [n.rsplit(".", 1)[-1] for n in bus.handlers_for(OrderCreated)] == ran


async def test_handlers_run_one_after_the_other(bus: EventBus) -> None:
    trace: list[str] = []

    async def slow(event: OrderCreated) -> None:
        trace.append("slow start")
        for _ in range(5):  # yields to the loop: a concurrent runner would interleave here
            await asyncio.sleep(0)
        trace.append("slow end")

    async def fast(event: OrderCreated) -> None:
        trace.append("fast")

    bus.register(OrderCreated, slow)
    bus.register(OrderCreated, fast)
    await bus.emit(OrderCreated(order_id="1"))
    assert trace == ["slow start", "slow end", "fast"]


async def test_sync_handlers_run_in_a_worker_thread(bus: EventBus) -> None:
    threads: dict[str, int] = {}

    def sync_handler(event: OrderCreated) -> None:
        threads["sync"] = threading.get_ident()

    async def async_handler(event: OrderCreated) -> None:
        threads["async"] = threading.get_ident()

    bus.register(OrderCreated, sync_handler)
    bus.register(OrderCreated, async_handler)
    await bus.emit(OrderCreated(order_id="1"))
    assert threads["async"] == threading.get_ident()  # the loop's thread
    assert threads["sync"] != threading.get_ident()


async def test_event_without_handlers_reports_no_outcomes(bus: EventBus) -> None:
    result = await bus.emit(OrderCreated(order_id="1"))
    assert result.ok
    assert result.outcomes == ()
    assert bus.stats.emitted == 1
