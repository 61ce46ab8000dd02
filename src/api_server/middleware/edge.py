"""The outermost middleware: request id, security headers, access log and metrics in one pass.

One middleware rather than three: a request pays for one coroutine and one `send` wrapper
instead of three of each (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.logging import request_id_var
from api_server.metrics.http import HttpMetrics
from api_server.middleware.access_log import AccessLog
from api_server.middleware.request_id import new_request_id, request_id_from_headers
from api_server.middleware.route_template import route_template
from api_server.middleware.security_headers import SECURITY_HEADERS
from api_server.request_clock import stamp_arrival

__all__ = ["EdgeMiddleware"]

_REQUEST_ID_KEY = b"x-request-id"


class EdgeMiddleware:
    """For every HTTP request:

    - request id: a well-formed `X-Request-ID` is kept, anything else replaced by a new one;
      it is in `request_id_var` (log lines, problem bodies) and `scope["state"]["request_id"]`
      while the request runs, and on the response;
    - security headers on every response, rejections and 500s included, unless the response
      sets that header itself (a page with its own policy, e.g. GraphiQL);
    - one access log line and the request metrics, except for `exclude_paths`. A request
      whose application raised before responding is recorded as 500 (the server answers 500).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        access_log: AccessLog | None,
        metrics: HttpMetrics | None,
        exclude_paths: Collection[str] = (),
        security_headers: Mapping[str, str] = SECURITY_HEADERS,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics
        self.exclude_paths = frozenset(exclude_paths)
        self._headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in security_headers.items()
        ]
        self._names = frozenset(name for name, _ in self._headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stamp_arrival(scope)
        rid = request_id_from_headers(scope["headers"]) or new_request_id()
        rid_text = rid.decode("ascii")
        scope.setdefault("state", {})["request_id"] = rid_text
        defaults = self._headers
        names = self._names
        status = 500

        async def edge_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # A new list: a shared Response object's header list must not grow.
                headers = [*message.get("headers", ()), (_REQUEST_ID_KEY, rid)]
                if any(key.lower() in names for key, _ in headers):
                    present = {key.lower() for key, _ in headers}
                    headers.extend(h for h in defaults if h[0] not in present)
                else:
                    headers.extend(defaults)
                message["headers"] = headers
            await send(message)

        metrics, access_log = self.metrics, self.access_log
        observed = (metrics is not None or access_log is not None) and (
            scope["path"] not in self.exclude_paths
        )
        token = request_id_var.set(rid_text)
        try:
            if not observed:
                await self.app(scope, receive, edge_send)
                return
            if metrics is not None:
                metrics.in_flight += 1
            start = perf_counter()
            try:
                await self.app(scope, receive, edge_send)
            finally:
                seconds = perf_counter() - start
                route = route_template(scope)
                if metrics is not None:
                    metrics.in_flight -= 1
                    metrics.observe(scope["method"], route, status, seconds)
                if access_log is not None:
                    access_log.record(scope, route, status, seconds)
        finally:
            request_id_var.reset(token)
