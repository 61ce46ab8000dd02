"""schemathesis against the live server's /openapi.json: no 500s, responses match the schema."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.serverproc import BIN, free_port, running_server

pytestmark = pytest.mark.fuzz

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
# Sized for CI (about 20 s); raise it locally to search harder: SCHEMATHESIS_MAX_EXAMPLES=500.
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "60")
SEED = os.environ.get("SCHEMATHESIS_SEED", "20240601")


def test_the_api_conforms_to_its_openapi_document(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "API_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "API_SERVER_LOG_LEVEL": "WARNING",
    }
    with running_server(["run", "--port", str(port)], port=port, env=env, cwd=tmp_path) as server:
        result = subprocess.run(
            [
                str(BIN / "st"),
                "run",
                f"{server.url}/openapi.json",
                f"--checks={CHECKS}",
                f"--max-examples={MAX_EXAMPLES}",
                f"--seed={SEED}",
                "--workers=1",  # 4.32's coverage phase is not thread-safe (SystemError in ast)
                "--request-timeout=10",
                "--no-color",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=110,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        )
        server_log = server.log()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Traceback" not in server_log, server_log
