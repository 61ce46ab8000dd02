"""An asyncio TCP proxy for fault injection between the server and PostgreSQL.

    async with TcpProxy(upstream=("127.0.0.1", 5432)) as proxy:
        url = f"postgresql://postgres@127.0.0.1:{proxy.port}/db"
        proxy.add_latency(0.2)   # every chunk, both directions, is delayed
        proxy.black_hole()       # connections stay open, nothing is forwarded (a partition)
        proxy.heal()             # held bytes flow again, in order, like TCP after a partition
        proxy.cut()              # every connection closed, new ones refused (a server gone)

A black hole holds data instead of dropping it, so a healed connection resumes intact (TCP
retransmits across a real partition); new connections are accepted and held the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

__all__ = ["TcpProxy"]

CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, *, upstream: tuple[str, int], host: str = "127.0.0.1") -> None:
        self._upstream = upstream
        self._host = host
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._latency = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._refusing = False
        self.connections = 0

    @property
    def port(self) -> int:
        assert self._server is not None, "the proxy is not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def add_latency(self, seconds: float) -> None:
        self._latency = seconds

    def black_hole(self) -> None:
        self._flowing.clear()

    def heal(self) -> None:
        self._latency = 0.0
        self._refusing = False
        self._flowing.set()

    def cut(self) -> None:
        """Close every connection and refuse new ones until `heal()`."""
        self._refusing = True
        for task in list(self._tasks):
            task.cancel()

    async def __aenter__(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, self._host, 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self._refusing:
            client_w.close()
            return
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._flowing.wait()  # a black hole holds new connections too
            upstream_r, upstream_w = await asyncio.open_connection(*self._upstream)
            await asyncio.gather(self._pipe(client_r, upstream_w), self._pipe(upstream_r, client_w))
        except OSError:
            pass  # one side went away: the other is closed below, as a real network would
        finally:
            client_w.close()
            self._tasks.discard(task)

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
