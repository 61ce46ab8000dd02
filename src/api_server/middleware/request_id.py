"""Request id: accept a well-formed `X-Request-ID`, else mint one; echo it on the response."""

from __future__ import annotations

import os
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.logging import request_id_var

__all__ = ["REQUEST_ID_HEADER", "RequestIdMiddleware", "is_well_formed_request_id"]

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_KEY = b"x-request-id"
# Well-formed: 1..128 characters of letters, digits and `._:-` (UUIDs, ULIDs, trace ids).
# Anything else (spaces, quotes, control characters, over-long values) is replaced, so a
# client can never inject text into log lines or response headers.
_WELL_FORMED = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")


def is_well_formed_request_id(value: bytes) -> bool:
    """True when `value` may be used as a request id as sent by the client."""
    return _WELL_FORMED.fullmatch(value) is not None


def _new_request_id() -> bytes:
    return os.urandom(16).hex().encode("ascii")


class RequestIdMiddleware:
    """Outermost middleware: every log line and response of the request carries its id.

    The id is stored in `api_server.logging.request_id_var` for the duration of the request
    (log lines and problem bodies read it) and in `scope["state"]["request_id"]`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw: bytes | None = None
        for key, value in scope["headers"]:
            if key == _HEADER_KEY:
                raw = value
                break
        rid = raw if raw is not None and _WELL_FORMED.fullmatch(raw) else _new_request_id()
        rid_text = rid.decode("ascii")
        scope.setdefault("state", {})["request_id"] = rid_text
        header = (_HEADER_KEY, rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A new list: a shared Response object's header list must not grow.
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = request_id_var.set(rid_text)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
