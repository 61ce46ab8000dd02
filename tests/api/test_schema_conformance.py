"""schemathesis against the live server's /openapi.json, on SQLite and on PostgreSQL: no 500s,
responses as documented, and a stateful phase that, following the document's links, really
updates, deletes and chooses primary addresses (not only 404s on ids it made up)."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.serverproc import BIN, ServerProcess, free_port, running_server

pytestmark = pytest.mark.fuzz

CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        # The required headers (ETag, Location, Retry-After, WWW-Authenticate) are sent.
        "response_headers_conformance",
        "response_schema_conformance",
        # An undocumented method is a 405 whose Allow lists exactly the documented ones.
        "unsupported_method",
        "allow_header_conformance",
        # A read that succeeds after a successful DELETE of the same resource.
        "use_after_free",
        # Left out: ensure_resource_availability. It takes any 404 right after a create as
        # "the new resource is missing", but here a 404 is also right for what else the
        # request names: GET /addresses/{id} after a DELETE of its patient (addresses go with
        # the patient) and PUT /patients/{id}/primary-address naming an unknown address.
    ]
)
# Sized for CI; raise them locally to search harder: SCHEMATHESIS_MAX_EXAMPLES=500.
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "60")
SEED = os.environ.get("SCHEMATHESIS_SEED", "20240601")
# The stateful phase is bounded by time, not examples: schemathesis ends a pass early whenever
# Hypothesis sees a step answered differently on replay (the database remembers earlier
# scenarios), so a pass runs anywhere from 50 to 300 scenarios; with a budget it starts another.
STATEFUL_SECONDS = int(os.environ.get("SCHEMATHESIS_STATEFUL_SECONDS", "25"))
# Reachable with a 2xx only through the links of a create: with made-up ids they are 404s.
LINKED = {
    ("PATCH", "/api/v1/patients/{patient_id}"),
    ("DELETE", "/api/v1/patients/{patient_id}"),
    ("PUT", "/api/v1/patients/{patient_id}/primary-address"),
    ("PATCH", "/api/v1/addresses/{address_id}"),
    ("DELETE", "/api/v1/addresses/{address_id}"),
}


def _st(server: ServerProcess, cwd: Path, *options: str, timeout: float) -> str:
    result = subprocess.run(
        [
            str(BIN / "st"),
            f"--config-file={CONFIG}",
            "run",
            f"{server.url}/openapi.json",
            f"--checks={CHECKS}",
            f"--seed={SEED}",
            "--workers=1",  # 4.32's coverage phase is not thread-safe (SystemError in ast)
            "--request-timeout=10",
            "--no-color",
            f"--header=Authorization: {server.headers['Authorization']}",
            *options,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result.stdout


def _figures(output: str) -> str:
    """The lines of schemathesis's summary that say how much it did."""
    wanted = ("Operations:", "Scenarios:", "API Links:")
    lines = [line.strip() for line in output.splitlines()]
    return " | ".join(line for line in lines if line.startswith(wanted) or "generated," in line)


def stateful_answers(report: Path) -> Counter[tuple[str, str, int]]:
    """(method, path template, status) of every request of the stateful phase, counted, from
    schemathesis's NDJSON event stream."""
    answers: Counter[tuple[str, str, int]] = Counter()
    for line in report.read_text().splitlines():
        scenario = json.loads(line).get("ScenarioFinished")
        if scenario is None or scenario["phase"] != "stateful":
            continue
        recorder = scenario["recorder"]
        for case_id, interaction in recorder.get("interactions", {}).items():
            case = recorder["cases"][case_id]["value"]
            status = interaction["response"]["status_code"]
            answers[(case["method"], case["path"], status)] += 1
    return answers


def test_the_api_conforms_to_its_openapi_document(any_database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {"API_SERVER_DATABASE_URL": any_database_url, "API_SERVER_LOG_LEVEL": "WARNING"}
    report = tmp_path / "stateful.ndjson"
    with running_server(["run", "--port", str(port)], port=port, env=env, cwd=tmp_path) as server:
        server.headers = server.create_key()  # every scope: the operations, not the refusals
        unit = _st(
            server,
            tmp_path,
            "--phases=examples,coverage,fuzzing",
            f"--max-examples={MAX_EXAMPLES}",
            timeout=150,
        )
        stateful = _st(
            server,
            tmp_path,
            "--phases=stateful",
            f"--max-time={STATEFUL_SECONDS}",
            "--report=ndjson",
            f"--report-ndjson-path={report}",
            timeout=STATEFUL_SECONDS + 60,
        )
        server_log = server.log()
    assert "Traceback" not in server_log, server_log
    answers = stateful_answers(report)
    successes: Counter[tuple[str, str]] = Counter()
    for (method, path, status), count in answers.items():
        if 200 <= status < 300:
            successes[(method, path)] += count
    # Shown with -s: what each phase did, and the 2xx the stateful phase reached per operation.
    print(_figures(unit), _figures(stateful), dict(sorted(successes.items())), sep="\n")
    missing = sorted(operation for operation in LINKED if not successes[operation])
    assert not missing, f"no 2xx in the stateful phase for {missing}: {sorted(answers.items())}"
