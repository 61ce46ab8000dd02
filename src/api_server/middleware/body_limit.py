"""Request body size limit, enforced before and while the body is read."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.problem import problem_response

__all__ = ["BodySizeLimitMiddleware", "BodyTooLargeError"]


class BodyTooLargeError(HTTPException):
    """Raised from `receive()` once the body passes the limit.

    An `HTTPException`, so FastAPI's body parsing lets it through (it turns other errors into
    400) and the problem handlers render it as a 413 `PAYLOAD_TOO_LARGE` wherever it surfaces.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body exceeds {limit} bytes")


def _body_framing(scope: Scope) -> tuple[int | None, bool]:
    """(declared Content-Length, chunked) from the request headers."""
    length: int | None = None
    chunked = False
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None  # the server rejects a malformed length before we run
        elif key == b"transfer-encoding":
            chunked = True
    return length, chunked


class BodySizeLimitMiddleware:
    """Answer 413 for a body larger than `max_body_size` bytes.

    A declared `Content-Length` over the limit is refused before the application runs and
    before a byte of the body is read. A body without one (chunked) is counted as the
    application reads it; the read that crosses the limit raises `BodyTooLargeError` and
    nothing more is read, so the server never buffers more than the limit plus one chunk.
    """

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _body_framing(scope)
        if length is not None and length > self.max_body_size:
            await self._reject(scope, receive, send)
        elif chunked and length is None:
            await self._call_counting(scope, receive, send)
        else:
            # No body, or a declared length within the limit that the server enforces.
            await self.app(scope, receive, send)

    async def _call_counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_body_size
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            status=413,
            code="PAYLOAD_TOO_LARGE",
            title="Content Too Large",
            detail=f"the request body exceeds {self.max_body_size} bytes",
            instance=scope["path"],
            # The unread rest of the body makes the connection unusable for another request.
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
