"""`api-server` end to end: flags, validation, and overrides that survive --reload/--workers."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.serverproc import BIN, free_port, running_server

SECRET = "pw-never-printed"


def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("API_SERVER_")}
    return subprocess.run(
        [str(BIN / "api-server"), *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_invalid_port_exits_non_zero_naming_the_field(tmp_path: Path) -> None:
    result = _run_cli(env={"API_SERVER_PORT": "abc"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "port" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_database_url_never_echoes_the_password(tmp_path: Path) -> None:
    url = f"mysql://app:{SECRET}@db/app"
    result = _run_cli("run", "--database-url", url, env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "database_url" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def _startup_profiles(log: str) -> list[str]:
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line["message"] for line in lines if line["message"].startswith("starting api-server")]


def test_reload_keeps_flag_overrides(tmp_path: Path) -> None:
    port = free_port()
    args = ["run", "--port", str(port), "--reload", "--profile", "rest", "--log-level", "debug"]
    with running_server(args, port=port, cwd=tmp_path) as server:
        assert httpx.get(server.url + "/ping").json() == {"ping": "pong"}
        log = server.log()
    assert "Started reloader process" in log
    assert _startup_profiles(log) == ["starting api-server 0.1.0 (profiles: rest)"]


def test_workers_keep_flag_overrides(tmp_path: Path) -> None:
    port = free_port()
    args = ["run", "--port", str(port), "--workers", "2", "--profile", "graphql"]
    with running_server(args, port=port, cwd=tmp_path) as server:
        for _ in range(4):
            assert httpx.get(server.url + "/ping").status_code == 200
        # The second worker may still be starting when the first already serves.
        deadline = time.monotonic() + 20
        while len(_startup_profiles(server.log())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        log = server.log()
    assert _startup_profiles(log) == ["starting api-server 0.1.0 (profiles: graphql)"] * 2


def test_password_never_logged_even_at_trace(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path}/x.db?password={SECRET}"
    args = ["run", "--port", str(port), "--log-level", "TRACE", "--database-url", url]
    with running_server(args, port=port, cwd=tmp_path) as server:
        httpx.get(server.url + "/ping")
        log = server.log()
    assert "TRACE" in log
    assert SECRET not in log


@pytest.mark.parametrize("command", [["--help"], ["cli", "--help"]])
def test_help_lists_commands(command: list[str], tmp_path: Path) -> None:
    result = _run_cli(*command, env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
