"""Start the server and the baselines pinned to the server's CPUs; time start to ready; RSS."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Identical for every process: uvloop + httptools (what uvicorn's "auto" picks for the server).
UVICORN_FLAGS = ["--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# The API key every request to the server sends (made by `create_key()`; baselines ignore it).
AUTH: dict[str, str] = {}


def create_key(database_url: str) -> str:
    """A key with every scope, made by `api-server-cli auth create-key` as an operator would;
    also sent to the baselines, so every side parses the same request bytes."""
    done = subprocess.run(
        [str(BIN / "api-server-cli"), "auth", "create-key", f"bench-{time.time_ns()}",
         "--scope", "patients:read", "--scope", "patients:write", "--scope", "admin"],
        env={**os.environ, "API_SERVER_DATABASE_URL": database_url},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = done.stdout.strip().splitlines()[-1]
    AUTH["Authorization"] = f"Bearer {key}"
    return key


def status_of(port: int, path: str, method: str = "GET", body: str | None = None) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        connection.request(method, path, body=body, headers={**headers, **AUTH})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    port: int
    ready_s: float

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mib(self) -> list[float]:
        """Resident memory of each process serving requests (the server and any workers)."""
        pids = [self.popen.pid, *_children(self.popen.pid)]
        return [_rss_kib(pid) / 1024 for pid in pids]

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start(
    name: str,
    command: list[str],
    *,
    port: int,
    ready_path: str,
    env: dict[str, str],
    cpus: str | None,
    log: Path,
) -> Process:
    """Spawn `command` and poll `ready_path` every 5 ms until it answers 200."""
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    with log.open("ab") as out:
        started = time.perf_counter()
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = started + 60
    while status_of(port, ready_path) != 200:
        if popen.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError(f"{name} did not become ready; see {log}")
        time.sleep(0.005)
    return Process(name, popen, port, time.perf_counter() - started)


def start_server(
    database_url: str,
    *,
    cpus: str | None,
    log: Path,
    name: str = "server",
    settings: dict[str, str] | None = None,
) -> Process:
    port = free_port()
    env = {
        "API_SERVER_DATABASE_URL": database_url,
        "API_SERVER_LOG_LEVEL": "WARNING",
        "API_SERVER_LOG_FORMAT": "json",
        **(settings or {}),
    }
    command = [str(BIN / "api-server"), "run", "--port", str(port)]
    return start(name, command, port=port, ready_path="/health-check", env=env, cpus=cpus, log=log)


def start_baseline(
    name: str, module: str, *, database_url: str, cpus: str | None, log: Path
) -> Process:
    port = free_port()
    command = [
        str(BIN / "uvicorn"),
        f"bench.baselines.{module}:app",
        "--port",
        str(port),
        "--no-access-log",
        *UVICORN_FLAGS,
    ]
    ready = "/ping" if name == "bare" else "/docs"
    return start(
        name,
        command,
        port=port,
        ready_path=ready,
        env={"BENCH_DATABASE_URL": database_url},
        cpus=cpus,
        log=log,
    )


def import_floor(cpus: str | None, runs: int = 3) -> tuple[float, float]:
    """(seconds from spawn to exit, RSS in MiB) of bench/import_floor.py: best of `runs`."""
    command = [sys.executable, str(ROOT / "bench" / "import_floor.py")]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    best_s, best_rss = float("inf"), float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        best_s = min(best_s, time.perf_counter() - started)
        best_rss = min(best_rss, float(done.stdout.strip()))
    return best_s, best_rss
