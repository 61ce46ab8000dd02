"""`api-server check`: the server pipeline once, a compact summary, exit 0 only when ready."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_db import db_cli
from tests.cli.test_main import _run_cli
from tests.fixtures.database import head_revision
from tests.serverproc import free_port

INJECTED = Path(__file__).resolve().parent.parent / "injected"


def test_check_exits_0_when_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0
    env = {"API_SERVER_LOG_LEVEL": "WARNING", "API_SERVER_DATABASE_URL": url}
    result = _run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("readiness: operational (ready")
    head = head_revision()
    assert f"success        database_schema (critical): schema at head ({head})" in result.stdout


def test_check_never_migrates_and_reports_a_schema_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    result = _run_cli("check", env={"API_SERVER_DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 1
    assert "database has no schema yet" in result.stdout
    assert "AUTO_MIGRATE is off" in result.stdout
    assert db_cli("check", url=url, cwd=tmp_path).returncode == 4  # still empty


def test_check_exits_1_when_the_database_is_down(tmp_path: Path) -> None:
    url = f"postgresql://app:pw-secret@127.0.0.1:{free_port()}/app"
    env = {"API_SERVER_DATABASE_URL": url, "API_SERVER_DB_CONNECT_TIMEOUT": "1"}
    result = _run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 1
    cause = "the database server cannot be reached"
    assert f"failed         database_initialization (critical): {cause}" in result.stdout
    assert f"error: not ready: database_initialization: {cause}" in result.stderr.splitlines()
    assert "pw-secret" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_check_exits_1_when_not_ready_without_traceback_or_secrets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0
    env = {
        "PYTHONPATH": str(INJECTED),
        "TEST_INJECT_FAILING_CHECK": "1",
        "API_SERVER_DATABASE_URL": url,
    }
    result = _run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("readiness: error (NOT READY")
    assert "failed         injected_dependency (critical): ConnectionRefusedError" in result.stdout
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for leak in ("db.internal", "s3cret"):
        assert leak not in output
