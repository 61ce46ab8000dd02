"""Turn an exception no handler claimed into a logged 500 problem response."""

from __future__ import annotations

from loguru import logger
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.problem import internal_error_response


class UnhandledErrorMiddleware:
    """Innermost middleware: logs the traceback once and answers a 500 problem with no
    traceback, SQL or driver name. If the response had already started, the exception is
    re-raised so the server closes the connection (a half-sent body cannot be repaired).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            logger.opt(exception=exc).error(
                "unhandled {} on {} {}", type(exc).__name__, scope["method"], scope["path"]
            )
            if started:
                raise
            await internal_error_response(scope["path"])(scope, receive, send)
