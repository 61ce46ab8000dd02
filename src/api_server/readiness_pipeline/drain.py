"""Draining on SIGTERM: chain onto the server's own signal handlers.

uvicorn installs `signal.signal` handlers for SIGINT/SIGTERM before the lifespan starts; on
SIGTERM it closes the listening socket almost at once, so a load balancer probing
`/health-check` would see connection errors instead of a clean 503. `DrainOnSignal` wraps
those handlers (it never replaces their behaviour, it only runs first):

- any SIGTERM/SIGINT marks the instance draining at once (`/health-check` answers 503);
- the first SIGTERM reaches the server's handler `delay` seconds later: meanwhile the server
  keeps serving, so load balancers see 503 and stop routing before the listener closes;
- SIGINT (Ctrl+C) and a second SIGTERM reach it immediately.

A signal nobody handles (default disposition, e.g. under a test client) is left alone.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from loguru import logger

__all__ = ["DrainOnSignal"]

SignalHandler = Callable[[int, FrameType | None], Any]
DRAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class DrainOnSignal:
    def __init__(self, on_drain: Callable[[], None], *, delay: float) -> None:
        self._on_drain = on_drain  # must be signal-safe: it runs inside the handler
        self._delay = delay
        self._previous: dict[int, SignalHandler] = {}
        self._forwarded: set[int] = set()
        self._signalled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Wrap the current SIGTERM/SIGINT handlers; False when there was none to wrap."""
        if threading.current_thread() is not threading.main_thread():
            return False
        self._loop = loop
        for sig in DRAIN_SIGNALS:
            previous = signal.getsignal(sig)
            if callable(previous):
                self._previous[sig] = previous
                signal.signal(sig, self._handle)
        return bool(self._previous)

    def uninstall(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for sig, previous in self._previous.items():
            if signal.getsignal(sig) == self._handle:
                signal.signal(sig, previous)
        self._previous.clear()

    def _handle(self, sig: int, frame: FrameType | None) -> None:
        # Inside a signal handler: set flags and hand the rest to the event loop (no logging
        # here, loguru's lock may be held by the interrupted code).
        self._on_drain()
        delayed = sig == signal.SIGTERM and not self._signalled and self._delay > 0
        self._signalled = True
        if delayed and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._schedule, sig)
        else:
            self._forward(sig, frame)

    def _schedule(self, sig: int) -> None:
        logger.info(
            "{}: draining, /health-check answers 503; the server stops accepting "
            "connections in {:g} s",
            signal.Signals(sig).name,
            self._delay,
        )
        if self._loop is not None:
            self._timer = self._loop.call_later(self._delay, self._forward_once, sig)

    def _forward_once(self, sig: int) -> None:
        if sig not in self._forwarded:
            self._forward(sig, None)

    def _forward(self, sig: int, frame: FrameType | None) -> None:
        self._forwarded.add(sig)
        previous = self._previous.get(sig)
        if previous is not None:
            previous(sig, frame)
