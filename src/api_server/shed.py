"""How many requests this process answered 503 OVERLOADED: `requests_shed_total`.

Counted where the answer is made, once per request: the exception handler for REST routes
and refusals at the route guard (`exception_handlers.py`), the GraphQL router for an
operation refused for its database turn, the admission gate for what it does not let in.
Not where a wait gives up: one refused wait can be the answer to several requests (those
sharing a credential's verification), and a wait outside a request (the relay) answers none.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Shed", "count_shed"]


class Shed:
    """The process's count (one in each app's service registry)."""

    def __init__(self) -> None:
        self.count = 0


def count_shed(app: Any) -> None:
    """One more request of `app` answered OVERLOADED (an app without a registry: none)."""
    registry = getattr(app.state, "registry", None)
    if registry is not None:
        registry.get(Shed).count += 1
