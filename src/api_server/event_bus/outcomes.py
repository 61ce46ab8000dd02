"""What `emit()` reports: one outcome per handler, and the bus counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from api_server.event_bus.events import BaseEvent

__all__ = ["EmitResult", "EventBusStats", "HandlerOutcome"]


class HandlerOutcome(NamedTuple):
    """How one handler fared with one event (a NamedTuple: immutable and cheap on the hot path)."""

    handler: str  # module-qualified name
    ok: bool
    error_type: str | None  # qualified exception class name when it failed
    duration: float  # seconds, wall clock, including the hop to a worker thread for sync ones


@dataclass(frozen=True, slots=True)
class EmitResult:
    """The outcomes of one `emit()`, in the order the handlers ran."""

    event: BaseEvent
    outcomes: tuple[HandlerOutcome, ...]

    @property
    def ok(self) -> bool:
        """True when every handler succeeded (also when there was no handler)."""
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def failed(self) -> tuple[HandlerOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.ok)


@dataclass(frozen=True, slots=True)
class EventBusStats:
    """A snapshot of the bus counters (read by metrics)."""

    emitted: int  # events dispatched (emit, and each published event when it runs)
    handler_successes: int
    handler_failures: int
    pending: int  # published events not yet delivered
    dropped: int  # published events cancelled by a drain timeout
