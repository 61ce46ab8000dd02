"""Errors raised while wiring handlers: all happen at registration, i.e. at start-up."""

from __future__ import annotations

from typing import Any

__all__ = [
    "DuplicateHandlerError",
    "HandlerRegistrationError",
    "MissingDependencyError",
    "NoTransactionError",
]


class HandlerRegistrationError(TypeError):
    """A handler cannot be registered as written (bad signature, unsupported annotation...)."""


class MissingDependencyError(HandlerRegistrationError):
    """A handler parameter asks for a service type that the ServiceRegistry does not provide."""

    def __init__(self, handler: str, parameter: str, service_type: Any) -> None:
        name = getattr(service_type, "__qualname__", repr(service_type))
        super().__init__(
            f"event handler {handler} needs {name} (parameter {parameter!r}), which is not "
            "registered in the ServiceRegistry; register it in "
            "api_server.services.di.configure_services() before registering the handler"
        )
        self.handler = handler
        self.parameter = parameter
        self.service_type = service_type


class DuplicateHandlerError(HandlerRegistrationError):
    """The same handler was registered twice for the same event type (it would run twice)."""

    def __init__(self, handler: str, event_type: type[Any]) -> None:
        super().__init__(
            f"event handler {handler} is already registered for {event_type.__qualname__}"
        )
        self.handler = handler
        self.event_type = event_type


class NoTransactionError(RuntimeError):
    """An event was bound to a session that has no transaction in progress."""
