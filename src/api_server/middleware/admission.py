"""Admission: at most `API_SERVER_MAX_IN_FLIGHT` requests inside the app at once.

Past the database's own gates, the event loop is the last queue: with more concurrent
requests than one CPU turns around in time, every request in the app shares the loop, and
all of them get slow together (docs/performance.md, "Overload": at 256 connections a list
that waited for no database turn still took 1.5 s at the p99). The gate lets `limit`
requests in; the others wait first come first served, parked (no CPU spent), within the
same budget as a database turn: the queue deadline from the request's arrival, keeping room
to be served (`database/turns.py`). A request that cannot be let in within it is answered
503 OVERLOADED with `Retry-After`, counted in `requests_shed_total`, at once.

Probes and the metrics scrape are not gated: a load balancer must still see the instance
alive (and ready or not) while it is busy, and an operator its metrics.
"""

from __future__ import annotations

from collections.abc import Iterable
from time import monotonic

from starlette.types import ASGIApp, Receive, Scope, Send

from api_server.database.turns import ConnectionTurns
from api_server.exceptions import OverloadedError
from api_server.problem import api_error_response
from api_server.request_clock import arrival_of
from api_server.shed import Shed

__all__ = ["AdmissionGate"]


class AdmissionGate:
    """Pure ASGI (see the module). Inside `EdgeMiddleware`, which stamps the arrival and
    sees the 503's status, request id and security headers like any other answer's."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        deadline: float,
        shed: Shed,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self._turns = ConnectionTurns(limit, deadline, what="turn to be served came")
        self._shed = shed
        self._exempt = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._exempt:
            await self.app(scope, receive, send)
            return
        turns = self._turns
        try:
            await turns.take(arrival_of(scope))
        except OverloadedError as error:
            self._shed.count += 1
            await api_error_response(error, scope["path"])(scope, receive, send)
            return
        started = monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            turns.give_back(monotonic() - started)
