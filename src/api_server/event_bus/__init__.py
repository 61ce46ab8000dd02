"""In-process async event bus with dependency injection.

class OrderCreated(BaseEvent):
    order_id: str

bus.register(OrderCreated, handle_order_created)
result = await bus.emit(OrderCreated(order_id="123"))      # runs handlers, reports outcomes
bus.publish(OrderCreated(order_id="124"))                  # fire and forget
publish_after_commit(session, OrderCreated(order_id="125"), bus=bus)  # after COMMIT only
"""

from api_server.event_bus.bus import EventBus
from api_server.event_bus.errors import (
    DuplicateHandlerError,
    HandlerRegistrationError,
    MissingDependencyError,
    NoTransactionError,
)
from api_server.event_bus.events import BaseEvent
from api_server.event_bus.install import install_event_bus
from api_server.event_bus.outcomes import EmitResult, EventBusStats, HandlerOutcome
from api_server.event_bus.transactional import publish_after_commit

__all__ = [
    "BaseEvent",
    "DuplicateHandlerError",
    "EmitResult",
    "EventBus",
    "EventBusStats",
    "HandlerOutcome",
    "HandlerRegistrationError",
    "MissingDependencyError",
    "NoTransactionError",
    "install_event_bus",
    "publish_after_commit",
]
