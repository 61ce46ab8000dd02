"""A JWKS endpoint on loopback for the JWT tests: HTTP/1.1 on `asyncio.start_server`, one answer
per connection, every request counted; the test changes what it answers between requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any


class JwksServer:
    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.body: bytes | None = None  # sent instead of `jwks` when set
        self.status = 200
        self.headers: dict[str, str] = {}
        self.send_length = True
        self.requests = 0
        self.received = asyncio.Event()  # set by each request
        self.gate: asyncio.Event | None = None  # when set, answers wait for it
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/.well-known/jwks.json"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def publish(self, *jwks: dict[str, Any]) -> None:
        self.jwks = {"keys": list(jwks)}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")
            self.requests += 1
            self.received.set()
            if self.gate is not None:
                await self.gate.wait()
            body = self.body if self.body is not None else json.dumps(self.jwks).encode()
            headers = {"Content-Type": "application/json", "Connection": "close", **self.headers}
            if self.send_length:
                headers["Content-Length"] = str(len(body))
            head = f"HTTP/1.1 {self.status} Answer\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in headers.items()
            )
            writer.write(head.encode() + b"\r\n" + body)
            await writer.drain()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
