"""When a request arrived, for the budgets counted from it (the queue deadline).

The edge middleware stamps each HTTP request's scope on arrival (`stamp_arrival`); whatever
waits on the request's behalf reads it back (`arrival_of`). In the scope, not a context
variable: tasks started during a request (after-commit handlers, background tasks) copy the
context, and must not inherit a deadline that belongs to the request.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

__all__ = ["arrival_of", "stamp_arrival"]

_ARRIVED_AT = "api_server.arrived_at"  # in the scope's state: time.monotonic() seconds


def stamp_arrival(scope: Any) -> None:
    scope.setdefault("state", {})[_ARRIVED_AT] = monotonic()


def arrival_of(scope: Any) -> float | None:
    """The monotonic time the request of `scope` arrived at, or None (not an HTTP request
    the edge middleware saw)."""
    state = scope.get("state")
    arrived: float | None = state.get(_ARRIVED_AT) if state is not None else None
    return arrived
