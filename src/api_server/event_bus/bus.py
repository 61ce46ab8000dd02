"""`EventBus`: in-process, async dispatch of events to registered handlers.

Ordering: for an event of class `C`, the handlers registered for `C` run first, then those of
its base classes following `C.__mro__` (most specific first); within one class, in registration
order. Handlers of one event run sequentially, one after the other, so that order is real and
a handler may rely on an earlier one having finished; an async handler that wants to fan out
can `publish()` follow-up events.

Sync handlers run in a worker thread (`asyncio.to_thread`), never on the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

from loguru import logger

from api_server.event_bus.binding import HandlerBinding, bind_handler
from api_server.event_bus.errors import DuplicateHandlerError, HandlerRegistrationError
from api_server.event_bus.events import BaseEvent
from api_server.event_bus.outcomes import EmitResult, EventBusStats, HandlerOutcome
from api_server.services.registry import ServiceRegistry

__all__ = ["EventBus"]

E = TypeVar("E", bound=BaseEvent)


class OutboxNotifier(Protocol):
    def notify(self) -> None: ...


class EventBus:
    """Registers handlers and delivers events to them; one per application."""

    def __init__(self, registry: ServiceRegistry) -> None:
        self._registry = registry
        self._handlers: dict[type[BaseEvent], list[HandlerBinding]] = {}
        self._dispatch: dict[type[BaseEvent], tuple[HandlerBinding, ...]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._emitted = 0
        self._successes = 0
        self._failures = 0
        self._pending = 0
        self._dropped = 0
        # The outbox relay when events bound to transactions are also kept durably (rows of
        # `event_outbox`, written by `publish_after_commit`); None: in-process only.
        self.outbox: OutboxNotifier | None = None

    # -- registration -----------------------------------------------------------------------

    def register(self, event_type: type[E], handler: Callable[..., Any] | type[Any]) -> None:
        """Run `handler` for every `event_type` event (and every subclass of it).

        Args:
            event_type: a `BaseEvent` subclass.
            handler: a function `(event, **services)` or a class whose constructor takes
                services and whose `handle(self, event, **services)` handles the event; sync or
                async. Every parameter besides the event is injected from the ServiceRegistry
                by its type annotation (parameters with a default may be left unregistered).

        Raises:
            MissingDependencyError: a parameter's type is not registered.
            DuplicateHandlerError: this handler is already registered for `event_type`.
            HandlerRegistrationError: the handler's signature cannot be served.
        """
        if not (isinstance(event_type, type) and issubclass(event_type, BaseEvent)):
            raise HandlerRegistrationError(f"{event_type!r} is not a BaseEvent subclass")
        binding = bind_handler(handler, event_type, self._registry)
        bindings = self._handlers.setdefault(event_type, [])
        if any(existing.key == binding.key for existing in bindings):
            raise DuplicateHandlerError(binding.name, event_type)
        bindings.append(binding)
        self._dispatch.clear()

    def handlers_for(self, event_type: type[BaseEvent]) -> tuple[str, ...]:
        """Names of the handlers an `event_type` event reaches, in the order they run."""
        return tuple(binding.name for binding in self._bindings(event_type))

    def _bindings(self, event_type: type[BaseEvent]) -> tuple[HandlerBinding, ...]:
        bindings = self._dispatch.get(event_type)
        if bindings is None:
            bindings = tuple(
                binding for cls in event_type.__mro__ for binding in self._handlers.get(cls, ())
            )
            self._dispatch[event_type] = bindings
        return bindings

    # -- delivery ---------------------------------------------------------------------------

    async def emit(self, event: BaseEvent) -> EmitResult:
        """Run every handler of `event` (sequentially, in dispatch order) and report outcomes.

        A failing handler is logged with its traceback and recorded as failed; the others still
        run and `emit` itself does not raise. Cancellation propagates.
        """
        self._emitted += 1
        outcomes: list[HandlerOutcome] = []
        for binding in self._bindings(type(event)):
            started = time.perf_counter()
            try:
                if binding.is_async:
                    await binding.invoke(event)
                else:
                    await asyncio.to_thread(binding.invoke, event)
            except Exception as error:
                self._failures += 1
                logger.opt(exception=error).error(
                    "event handler {} failed on {} {}",
                    binding.name,
                    type(event).__qualname__,
                    event.event_id,
                )
                outcome = HandlerOutcome(
                    binding.name, False, _qualified(type(error)), time.perf_counter() - started
                )
            else:
                self._successes += 1
                outcome = HandlerOutcome(binding.name, True, None, time.perf_counter() - started)
            outcomes.append(outcome)
        return EmitResult(event, tuple(outcomes))

    def publish(self, event: BaseEvent) -> None:
        """Fire and forget: deliver `event` in a background task (see `drain()`)."""
        self.publish_many((event,))

    def publish_many(self, events: Iterable[BaseEvent]) -> None:
        """Fire and forget several events, delivered one after the other in the given order.

        Must be called from the event loop's thread (a running loop is required).
        """
        batch = tuple(events)
        if not batch:
            return
        task = asyncio.get_running_loop().create_task(
            self._deliver(batch), name=f"event-bus:{type(batch[0]).__qualname__}"
        )
        self._pending += len(batch)
        self._tasks.add(task)  # strong reference: the loop only keeps weak ones
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, batch: tuple[BaseEvent, ...]) -> None:
        remaining = len(batch)
        try:
            for event in batch:
                await self.emit(event)
                remaining -= 1
                self._pending -= 1
        finally:
            if remaining:  # cancelled by drain(): these were not (fully) delivered
                self._pending -= remaining
                self._dropped += remaining

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for published events; cancel the rest.

        Returns how many published events were dropped (0 when everything was delivered).
        Events published while draining are waited for too. A sync handler already running in
        a worker thread cannot be interrupted; its event still counts as dropped.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while pending := {task for task in self._tasks if not task.done()}:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await asyncio.wait(pending, timeout=remaining)
        if not pending:
            return 0
        dropped = self._pending
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        logger.warning(
            "event bus drain timed out after {}s: {} pending event(s) dropped", timeout, dropped
        )
        return dropped

    @property
    def stats(self) -> EventBusStats:
        return EventBusStats(
            emitted=self._emitted,
            handler_successes=self._successes,
            handler_failures=self._failures,
            pending=self._pending,
            dropped=self._dropped,
        )


def _qualified(cls: type[BaseException]) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"
