"""An asyncio TCP proxy for fault injection between the server and PostgreSQL or NATS.

    async with TcpProxy(upstream=("127.0.0.1", 5432)) as proxy:
        url = f"postgresql://postgres@127.0.0.1:{proxy.port}/db"
        proxy.add_latency(0.2)   # every chunk, both directions, is delayed
        proxy.black_hole()       # connections stay open, nothing is forwarded (a partition)
        proxy.heal()             # held bytes flow again, in order, like TCP after a partition
        proxy.cut()              # every connection closed, new ones refused (a server gone)

A black hole holds data instead of dropping it, so a healed connection resumes intact (TCP
retransmits across a real partition); new connections are accepted and held the same way.

A cut closes the listening socket, so a client that connects meanwhile is refused by the
kernel, as it would be by a host whose server is gone; `heal()` listens on the same port again.
(Accepting and then closing instead leaves some clients holding a half-closed stream they never
close: nats-py overwrites its writer on each reconnect attempt.)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from types import TracebackType

__all__ = ["TcpProxy"]

CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, *, upstream: tuple[str, int], host: str = "127.0.0.1") -> None:
        self._upstream = upstream
        self._host = host
        self._port = 0
        self._server: asyncio.Server | None = None
        self._sock: socket.socket | None = None
        self._listening: asyncio.Task[None] | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._latency = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0

    @property
    def port(self) -> int:
        assert self._port, "the proxy is not started"
        return self._port

    def add_latency(self, seconds: float) -> None:
        self._latency = seconds

    def black_hole(self) -> None:
        self._flowing.clear()

    def heal(self) -> None:
        self._latency = 0.0
        self._flowing.set()
        if self._listening is None:
            self._listen()

    def cut(self) -> None:
        """Close every connection and refuse new ones until `heal()`."""
        self._stop_listening()
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> TcpProxy:
        self._listen()
        assert self._listening is not None
        await self._listening
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cut()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _listen(self) -> None:
        # Bound and listening before this returns: a client connecting right after `heal()`
        # waits in the backlog instead of being refused.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        sock.listen(128)
        sock.setblocking(False)
        self._port = sock.getsockname()[1]
        self._sock = sock
        self._listening = asyncio.get_running_loop().create_task(self._serve(sock))

    async def _serve(self, sock: socket.socket) -> None:
        self._server = await asyncio.start_server(self._accept, sock=sock)

    def _stop_listening(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            self._listening = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._sock is not None:
            self._sock.close()  # the server had not started with it yet, or closed it already
            self._sock = None

    def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        # Called synchronously when the connection is made, so no connection's task exists
        # before it is tracked (a cut or the exit cancels every one of them).
        self.connections += 1
        task = asyncio.get_running_loop().create_task(self._forward(client_r, client_w))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _forward(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        try:
            await self._flowing.wait()  # a black hole holds new connections too
            upstream_r, upstream_w = await asyncio.open_connection(*self._upstream)
            await asyncio.gather(self._pipe(client_r, upstream_w), self._pipe(upstream_r, client_w))
        except OSError:
            pass  # one side went away: the other is closed below, as a real network would
        finally:
            client_w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                if self._latency:
                    await asyncio.sleep(self._latency)
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
