"""Times each request once and feeds the access log and the HTTP metrics."""

from __future__ import annotations

from collections.abc import Collection
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.metrics.http import HttpMetrics
from api_server.middleware.access_log import AccessLog
from api_server.middleware.route_template import route_template

__all__ = ["ObserveMiddleware"]


class ObserveMiddleware:
    """Access log line and request metrics for every HTTP request but `exclude_paths`.

    One middleware for both so a request is timed and its route resolved once. A request
    whose application raised before responding is recorded as 500 (the server answers 500).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        access_log: AccessLog | None,
        metrics: HttpMetrics | None,
        exclude_paths: Collection[str] = (),
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics
        self.exclude_paths = frozenset(exclude_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exclude_paths:
            await self.app(scope, receive, send)
            return
        metrics = self.metrics
        status = 500
        start = perf_counter()

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        if metrics is not None:
            metrics.in_flight += 1
        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = perf_counter() - start
            route = route_template(scope)
            if metrics is not None:
                metrics.in_flight -= 1
                metrics.observe(scope["method"], route, status, seconds)
            if self.access_log is not None:
                self.access_log.record(scope, route, status, seconds)
