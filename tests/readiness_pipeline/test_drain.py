"""DrainOnSignal: SIGTERM flips readiness at once and reaches the server's handler later."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from api_server.readiness_pipeline import DrainOnSignal


class ServerHandler:
    """Stands in for uvicorn's `handle_exit`."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.called = asyncio.Event()

    def __call__(self, sig: int, frame: FrameType | None) -> None:
        self.received.append(sig)
        self.called.set()


@pytest.fixture
def server_handler() -> Iterator[ServerHandler]:
    handler = ServerHandler()
    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield handler
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)


async def test_sigterm_drains_now_and_reaches_the_server_after_the_delay(
    server_handler: ServerHandler,
) -> None:
    drained: list[bool] = []
    hook = DrainOnSignal(lambda: drained.append(True), delay=0.05)
    assert hook.install(asyncio.get_running_loop())
    try:
        signal.raise_signal(signal.SIGTERM)
        assert drained == [True]
        assert server_handler.received == []  # the listener stays open during the delay
        await asyncio.wait_for(server_handler.called.wait(), timeout=5)
        assert server_handler.received == [signal.SIGTERM]
    finally:
        hook.uninstall()
    assert signal.getsignal(signal.SIGTERM) is server_handler


async def test_sigint_and_a_second_sigterm_reach_the_server_at_once(
    server_handler: ServerHandler,
) -> None:
    drained: list[bool] = []
    hook = DrainOnSignal(lambda: drained.append(True), delay=60)
    hook.install(asyncio.get_running_loop())
    try:
        signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGTERM)
        assert server_handler.received == [signal.SIGTERM]
        signal.raise_signal(signal.SIGINT)
        assert server_handler.received == [signal.SIGTERM, signal.SIGINT]
        assert drained == [True, True, True]
    finally:
        hook.uninstall()


async def test_signals_nobody_handles_are_left_alone() -> None:
    # Under pytest nobody handles SIGTERM (default disposition): it keeps killing the process.
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    sigint_before = signal.getsignal(signal.SIGINT)
    hook = DrainOnSignal(lambda: None, delay=1)
    hook.install(asyncio.get_running_loop())
    try:
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        hook.uninstall()
    assert signal.getsignal(signal.SIGINT) == sigint_before
