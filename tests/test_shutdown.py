"""A second SIGTERM ends the server at once instead of waiting out the drain."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.middleware.test_body_limit_server import server_env
from tests.serverproc import ServerProcess, free_port, running_server


def wait_for_log(server: ServerProcess, text: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in server.log():
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise AssertionError(f"{text!r} not logged:\n{server.log()}")
        time.sleep(0.05)


def test_second_sigterm_skips_the_drain(tmp_path: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, port, API_SERVER_DRAIN_TIMEOUT="120")
    program = [sys.executable, "-m", "tests.middleware.server_app"]
    with running_server([], port=port, env=env, cwd=tmp_path, program=program) as server:
        # A request that never finishes keeps the first SIGTERM draining.
        hanging = socket.create_connection(("127.0.0.1", port), timeout=5)
        hanging.sendall(b"GET /hang HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        wait_until_in_flight(server)

        server.process.send_signal(signal.SIGTERM)
        wait_for_log(server, "Waiting for connections to close")
        assert server.process.poll() is None  # draining, for up to 120 s

        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"still draining after a second SIGTERM:\n{server.log()}") from exc
        hanging.close()
        assert "second SIGTERM" in server.log()


def wait_until_in_flight(server: ServerProcess, timeout: float = 15.0) -> None:
    admin = server.create_key("admin")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metrics = httpx.get(server.url + "/metrics", headers=admin, timeout=5).text
        if "http_requests_in_flight 1.0" in metrics:
            return
        time.sleep(0.05)
    raise AssertionError("the /hang request never got in flight")
