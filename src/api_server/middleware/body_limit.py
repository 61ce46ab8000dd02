"""Request body limits: its size, enforced before and while the body is read, and the time
it may take to arrive."""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api_server.problem import problem_response

__all__ = ["BodyReadTimeoutError", "BodySizeLimitMiddleware", "BodyTooLargeError"]


class BodyTooLargeError(HTTPException):
    """Raised from `receive()` once the body passes the limit.

    An `HTTPException`, so FastAPI's body parsing lets it through (it turns other errors into
    400) and the problem handlers render it as a 413 `PAYLOAD_TOO_LARGE` wherever it surfaces.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"the request body exceeds {limit} bytes")


class BodyReadTimeoutError(HTTPException):
    """Raised from `receive()` when the body has not arrived within the read timeout: a 408
    `REQUEST_TIMEOUT` wherever it surfaces (an `HTTPException`, as `BodyTooLargeError`)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            status_code=408, detail=f"the request body did not arrive within {seconds:g} s"
        )


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


class _BodyReader:
    """`receive()` for the app: counts the body against `limit` (None: the server enforces a
    declared length) and bounds the wait for it by `timeout` from now."""

    def __init__(self, receive: Receive, limit: int | None, timeout: float | None) -> None:
        self._receive = receive
        self._limit = limit
        self._timeout = timeout
        loop_now = asyncio.get_running_loop().time()
        self._deadline = None if timeout is None else loop_now + timeout
        self._received = 0
        self._complete = False

    async def __call__(self) -> Message:
        if self._complete or self._deadline is None:
            message = await self._receive()
        else:
            try:
                async with asyncio.timeout_at(self._deadline):
                    message = await self._receive()
            except TimeoutError:
                raise BodyReadTimeoutError(self._timeout or 0.0) from None
        if message["type"] == "http.request":
            self._complete = not message.get("more_body", False)
            self._received += len(message.get("body", b""))
            if self._limit is not None and self._received > self._limit:
                raise BodyTooLargeError(self._limit)
        return message


class BodySizeLimitMiddleware:
    """Answer 413 for a body larger than `max_body_size` bytes, 408 for one that has not
    arrived `read_timeout` seconds after the request reached this middleware.

    A declared `Content-Length` over the limit is refused before the application runs and
    before a byte of the body is read. A body without one (chunked) is counted as the
    application reads it; the read that crosses the limit raises `BodyTooLargeError` and
    nothing more is read, so the server never buffers more than the limit plus one chunk.

    The timeout bounds what a client trickling its body holds meanwhile: a slot of the
    admission gate (inside which this runs), a database session opened before the body is
    read. A read still waiting at the deadline raises `BodyReadTimeoutError`; reads after the
    body is complete (an app waiting for the disconnect) are not bounded.
    """

    def __init__(self, app: ASGIApp, max_body_size: int, read_timeout: float | None = None) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _body_framing(scope)
        if length is not None and length > self.max_body_size:
            await self._reject(scope, receive, send)
        elif (chunked and length is None) or (length and self.read_timeout is not None):
            await self._call_counting(scope, receive, send, counted=length is None)
        else:
            # No body, or a declared length within the limit that the server enforces.
            await self.app(scope, receive, send)

    async def _call_counting(
        self, scope: Scope, receive: Receive, send: Send, *, counted: bool
    ) -> None:
        reading = _BodyReader(receive, self.max_body_size if counted else None, self.read_timeout)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, reading, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await self._reject(scope, receive, send)
        except BodyReadTimeoutError as error:
            if started:
                raise
            await self._reject(scope, receive, send, timed_out=error)

    async def _reject(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        timed_out: BodyReadTimeoutError | None = None,
    ) -> None:
        response = problem_response(
            status=413 if timed_out is None else 408,
            code="PAYLOAD_TOO_LARGE" if timed_out is None else "REQUEST_TIMEOUT",
            title="Content Too Large" if timed_out is None else "Request Timeout",
            detail=f"the request body exceeds {self.max_body_size} bytes"
            if timed_out is None
            else timed_out.detail,
            instance=scope["path"],
            # The unread rest of the body makes the connection unusable for another request.
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
