"""The real server on SIGTERM: readiness drops to 503 at once, in-flight work completes."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.serverproc import ServerProcess, free_port, running_server

INJECTED = Path(__file__).resolve().parent.parent / "injected"
DRAIN_DELAY = 3.0
DRAIN_TIMEOUT = 10.0


def _wait_for(
    condition: str, predicate: Callable[[], bool], server: ServerProcess, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{condition} within {timeout}s:\n{server.log()}")


def _refuses_connections(server: ServerProcess) -> bool:
    try:
        httpx.get(server.url + "/ping", timeout=0.5)
    except httpx.ConnectError:
        return True
    return False


def test_sigterm_drains_readiness_then_finishes_in_flight_requests(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PYTHONPATH": str(INJECTED),
        "TEST_INJECT_SLOW_ROUTE": "1",
        "API_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "API_SERVER_DRAIN_DELAY": str(DRAIN_DELAY),
        "API_SERVER_DRAIN_TIMEOUT": str(DRAIN_TIMEOUT),
    }
    with (
        running_server(["run", "--port", str(port)], port=port, env=env, cwd=tmp_path) as server,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        assert httpx.get(server.url + "/health-check").status_code == 200
        slow = pool.submit(httpx.get, server.url + "/test-only/slow", timeout=30)
        _wait_for(
            "the slow request did not start",
            lambda: "slow request in flight" in server.log(),
            server,
            10,
        )

        sent_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        health = httpx.get(server.url + "/health-check", timeout=5)
        assert health.status_code == 503, health.text
        assert health.json()["status"] == "draining"
        assert httpx.get(server.url + "/ping").status_code == 200  # still serving: drain delay
        assert not slow.done()

        # After the delay the listener closes while the slow request is still in flight ...
        _wait_for("the listener did not close", lambda: _refuses_connections(server), server, 10)
        assert not slow.done()
        # ... and it still completes once released.
        server.process.send_signal(signal.SIGUSR1)
        response = slow.result(timeout=10)
        assert response.status_code == 200
        assert response.json() == {"slow": "done"}

        remaining = DRAIN_TIMEOUT - (time.monotonic() - sent_at)
        assert server.process.wait(timeout=max(remaining, 0.1)) == 0, server.log()
