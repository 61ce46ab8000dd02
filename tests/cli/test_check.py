"""`api-server check`: the server pipeline once, a compact summary, exit 0 only when ready."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_main import _run_cli

INJECTED = Path(__file__).resolve().parent.parent / "injected"


def test_check_exits_0_when_ready(tmp_path: Path) -> None:
    result = _run_cli("check", env={"API_SERVER_LOG_LEVEL": "WARNING"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("readiness: operational (ready")
    assert "profiles" in result.stdout


def test_check_exits_1_when_not_ready_without_traceback_or_secrets(tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(INJECTED), "TEST_INJECT_FAILING_CHECK": "1"}
    result = _run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith("readiness: error (NOT READY")
    assert "failed         injected_dependency (critical): ConnectionRefusedError" in result.stdout
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    for leak in ("db.internal", "s3cret"):
        assert leak not in output
