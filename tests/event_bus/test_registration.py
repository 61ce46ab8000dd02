"""Registering handlers: functions and classes, sync and async, DI resolved up front."""

from __future__ import annotations

import pytest

from api_server.event_bus import (
    DuplicateHandlerError,
    EventBus,
    HandlerRegistrationError,
    MissingDependencyError,
)
from api_server.services.registry import ServiceRegistry
from tests.event_bus.conftest import Mailer, NotRegistered, OrderCreated, PriorityOrderCreated


async def test_async_function_gets_the_event_and_its_injected_service(
    bus: EventBus, mailer: Mailer
) -> None:
    async def send_confirmation(event: OrderCreated, mail: Mailer) -> None:
        mail.sent.append(f"confirm {event.order_id}")

    bus.register(OrderCreated, send_confirmation)
    result = await bus.emit(OrderCreated(order_id="42"))
    assert result.ok
    assert mailer.sent == ["confirm 42"]


async def test_sync_function_is_supported(bus: EventBus, mailer: Mailer) -> None:
    def send_confirmation(event: OrderCreated, mail: Mailer) -> None:
        mail.sent.append(f"sync {event.order_id}")

    bus.register(OrderCreated, send_confirmation)
    await bus.emit(OrderCreated(order_id="7"))
    assert mailer.sent == ["sync 7"]


class ConfirmationSender:
    """Class handler: constructor and handle() both receive services."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer

    async def handle(self, event: OrderCreated, audit: Mailer) -> None:
        self.mailer.sent.append(f"class {event.order_id}")
        assert audit is self.mailer


class SyncConfirmationSender:
    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer

    def handle(self, event: OrderCreated) -> None:
        self.mailer.sent.append(f"sync class {event.order_id}")


@pytest.mark.parametrize(
    ("handler", "expected"),
    [(ConfirmationSender, "class 9"), (SyncConfirmationSender, "sync class 9")],
)
async def test_class_handlers_are_built_with_injected_constructor(
    bus: EventBus, mailer: Mailer, handler: type, expected: str
) -> None:
    bus.register(OrderCreated, handler)
    result = await bus.emit(OrderCreated(order_id="9"))
    assert result.ok, result.failed
    assert mailer.sent == [expected]


async def test_injection_follows_registry_overrides(
    bus: EventBus, registry: ServiceRegistry
) -> None:
    async def send(event: OrderCreated, mail: Mailer) -> None:
        mail.sent.append(event.order_id)

    bus.register(OrderCreated, send)
    fake = Mailer()
    with registry.override(Mailer, fake):
        await bus.emit(OrderCreated(order_id="1"))
    assert fake.sent == ["1"]


async def test_parameter_with_default_may_stay_unregistered(bus: EventBus) -> None:
    seen: list[object] = []

    async def handler(event: OrderCreated, extra: NotRegistered | None = None) -> None:
        seen.append(extra)

    # `NotRegistered | None` is not a plain class: refused even with a default...
    with pytest.raises(HandlerRegistrationError, match="only a plain service class"):
        bus.register(OrderCreated, handler)

    async def plain(event: OrderCreated, extra: NotRegistered = NotRegistered()) -> None:  # noqa: B008
        seen.append(extra)

    # ...while a plain class with a default keeps its default.
    bus.register(OrderCreated, plain)
    await bus.emit(OrderCreated(order_id="1"))
    assert len(seen) == 1
    assert isinstance(seen[0], NotRegistered)


def test_missing_dependency_fails_at_registration_naming_handler_and_type(
    bus: EventBus,
) -> None:
    async def notify_warehouse(event: OrderCreated, warehouse: NotRegistered) -> None:
        raise AssertionError("never runs")

    with pytest.raises(MissingDependencyError) as info:
        bus.register(OrderCreated, notify_warehouse)
    message = str(info.value)
    assert "notify_warehouse" in message
    assert "NotRegistered" in message
    assert "'warehouse'" in message
    assert bus.handlers_for(OrderCreated) == ()


def test_missing_constructor_dependency_fails_at_registration(bus: EventBus) -> None:
    class NeedsWarehouse:
        def __init__(self, warehouse: NotRegistered) -> None:
            self.warehouse = warehouse

        async def handle(self, event: OrderCreated) -> None:
            raise AssertionError("never runs")

    with pytest.raises(MissingDependencyError, match=r"NeedsWarehouse needs NotRegistered"):
        bus.register(OrderCreated, NeedsWarehouse)


def test_same_handler_twice_for_same_event_is_an_error(bus: EventBus) -> None:
    async def handler(event: OrderCreated) -> None:
        pass

    bus.register(OrderCreated, handler)
    with pytest.raises(DuplicateHandlerError, match="already registered for OrderCreated"):
        bus.register(OrderCreated, handler)
    # The same handler for another event type is fine.
    bus.register(PriorityOrderCreated, handler)
    assert len(bus.handlers_for(PriorityOrderCreated)) == 2


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (lambda: None, "first positional parameter"),
        (type("NoHandle", (), {}), "has no handle"),
        ("not callable", "neither callable nor a class"),
    ],
)
def test_unusable_handlers_are_refused(bus: EventBus, handler: object, message: str) -> None:
    with pytest.raises(HandlerRegistrationError, match=message):
        bus.register(OrderCreated, handler)  # type: ignore[arg-type]


def test_unannotated_dependency_is_refused(bus: EventBus) -> None:
    async def handler(event: OrderCreated, mail) -> None:  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(HandlerRegistrationError, match="no type annotation"):
        bus.register(OrderCreated, handler)


def test_handler_for_a_narrower_event_type_is_refused(bus: EventBus) -> None:
    async def handler(event: PriorityOrderCreated) -> None:
        pass

    with pytest.raises(HandlerRegistrationError, match="takes PriorityOrderCreated"):
        bus.register(OrderCreated, handler)


def test_only_event_classes_can_be_registered(bus: EventBus) -> None:
    async def handler(event: object) -> None:
        pass

    with pytest.raises(HandlerRegistrationError, match="not a BaseEvent subclass"):
        bus.register(str, handler)  # type: ignore[type-var]


def test_a_callable_instance_is_refused_at_registration(bus: EventBus) -> None:
    # Only functions and classes are handlers: an instance's async __call__ would otherwise
    # risk running in a thread as if it were sync, its coroutine never awaited.
    class Recorder:
        async def __call__(self, event: OrderCreated) -> None:
            return None

    with pytest.raises(HandlerRegistrationError, match="Recorder"):
        bus.register(OrderCreated, Recorder())
