"""The built wheel carries its migrations: a fresh venv can upgrade an empty database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.database import head_revision

ROOT = Path(__file__).resolve().parents[2]


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).exists():
        pytest.fail("uv is missing: run `make test`, which bootstraps it")
    return found


def test_installed_wheel_migrates_an_empty_sqlite_file(tmp_path: Path) -> None:
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("API_SERVER_", "VIRTUAL_ENV"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
        env=env,
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("api_server-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run(
        [uv, "venv", "--python", sys.executable, str(venv)],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [uv, "pip", "install", "--python", str(venv / "bin" / "python"), str(wheel)],
        env=env,
        check=True,
        capture_output=True,
    )
    workdir = tmp_path / "elsewhere"  # not the repository: only the wheel's files are there
    workdir.mkdir()
    env["API_SERVER_DATABASE_URL"] = f"sqlite:///{workdir / 'fresh.db'}"
    result = subprocess.run(
        [str(venv / "bin" / "api-server-cli"), "db", "upgrade", "--yes"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"upgraded empty -> {head_revision()}" in result.stdout
    check = subprocess.run(
        [str(venv / "bin" / "api-server-cli"), "db", "check"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (check.returncode, check.stdout.strip()) == (0, f"schema at head ({head_revision()})")
