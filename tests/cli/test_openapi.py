"""`api-server-cli openapi`: the document /openapi.json serves, built without a server or a
database (what `make lint` gives Redocly)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI

from tests.cli.test_db import admin_cli

UNREACHABLE = "postgresql://nobody@127.0.0.1:9/nothing"  # nothing is connected to


def test_it_prints_the_served_document_without_a_database(app: FastAPI, tmp_path: Path) -> None:
    printed = admin_cli("openapi", url=UNREACHABLE, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == app.openapi()
    assert list(tmp_path.iterdir()) == []  # no database file, no log


def test_it_writes_the_document_of_the_profiles_served(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    written = admin_cli(
        "openapi", "--output", str(target), url=UNREACHABLE, cwd=tmp_path, profiles="rest"
    )
    assert (written.returncode, written.stdout) == (0, "")
    paths = json.loads(target.read_text())["paths"]
    assert "/api/v1/patients" in paths
    assert "/graphql" not in paths
