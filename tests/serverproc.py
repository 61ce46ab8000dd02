"""Start the real `api-server` in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    port: int
    log_path: Path
    output: str = field(default="")
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    headers: dict[str, str] = field(default_factory=dict)  # what clients send (a key)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def create_key(self, *scopes: str) -> dict[str, str]:
        """`api-server-cli auth create-key` on the server's database (every scope by
        default): the Authorization header that sends the new key."""
        from tests.fixtures.auth import ALL_SCOPES, bearer

        name = f"test-{time.monotonic_ns()}"
        flags = [arg for scope in scopes or ALL_SCOPES for arg in ("--scope", scope)]
        done = subprocess.run(
            [str(BIN / "api-server-cli"), "auth", "create-key", name, *flags],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return bearer(done.stdout.strip().splitlines()[-1])

    def log(self) -> str:
        return self.log_path.read_text()


def wait_until_serving(server: ServerProcess, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited {server.process.returncode}:\n{server.log()}")
        try:
            if httpx.get(server.url + "/ping", timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server did not serve within {timeout}s:\n{server.log()}")


@contextmanager
def running_server(
    args: Sequence[str],
    *,
    port: int,
    env: dict[str, str] | None = None,
    cwd: Path,
    wait: bool = True,
    program: Sequence[str] | None = None,
) -> Iterator[ServerProcess]:
    """Run `api-server ARGS` (or `PROGRAM ARGS`) in its own process group; stop the whole
    group afterwards."""
    log_path = cwd / f"server-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("API_SERVER_")}
    full_env.update({"API_SERVER_LOG_FORMAT": "json"})
    full_env.update(env or {})
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*(program or [str(BIN / "api-server")]), *args],
            cwd=cwd,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    server = ServerProcess(process=process, port=port, log_path=log_path, env=full_env, cwd=cwd)
    try:
        if wait:
            wait_until_serving(server)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
