"""`api-server-cli auth`: keys are printed once, listed without the key, revoked by name."""

from __future__ import annotations

import asyncio
from pathlib import Path

from api_server.app import create_app
from api_server.settings import Settings
from tests.cli.test_db import admin_cli, db_cli
from tests.fixtures.app import serving
from tests.fixtures.auth import bearer


def test_create_list_and_revoke_a_key(any_database_url: str, tmp_path: Path) -> None:
    url = any_database_url
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0

    made = admin_cli(
        "auth", "create-key", "billing-sync", "--scope", "patients:read",
        "--expires-in", "30", url=url, cwd=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]  # the last line, alone
    assert key.startswith("apisrv_") and len(key) == 50

    async def use(header: dict[str, str]) -> tuple[int, int]:
        app = create_app(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        async with serving(app, scopes=None) as http:
            read = await http.get("/api/v1/patients", headers=header)
            write = await http.post("/api/v1/patients", json={}, headers=header)
            return read.status_code, write.status_code

    assert asyncio.run(use(bearer(key))) == (200, 403)

    listed = admin_cli("auth", "list-keys", url=url, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[1].split("\t")
    assert row[0:2] == ["billing-sync", "patients:read"]
    assert row[3] != "never"  # last used: recorded by the request above
    assert row[5] == "live"
    assert key[7:] not in listed.stdout

    duplicate = admin_cli(
        "auth", "create-key", "billing-sync", "-s", "admin", url=url, cwd=tmp_path
    )
    assert duplicate.returncode == 1 and "exists" in duplicate.stderr

    revoked = admin_cli("auth", "revoke-key", "billing-sync", url=url, cwd=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert asyncio.run(use(bearer(key)))[0] == 401
    again = admin_cli("auth", "create-key", "billing-sync", "-s", "admin", url=url, cwd=tmp_path)
    assert again.returncode == 0, again.stderr  # a revoked name may be given again


def test_bad_arguments_name_the_field(any_database_url: str, tmp_path: Path) -> None:
    url = any_database_url
    early = admin_cli("auth", "list-keys", url=url, cwd=tmp_path)
    assert early.returncode == 4 and "db upgrade --yes" in early.stderr
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0
    for args, field in (
        (["create-key", "ok", "--scope", "patients:delete"], "--scope: unknown patients:delete"),
        (["create-key", "has space", "--scope", "admin"], "NAME:"),
        (["create-key", "ok", "--scope", "admin", "--expires-in", "0"], "--expires-in:"),
        (["revoke-key", "nobody"], "NOT_FOUND"),
    ):
        done = admin_cli("auth", *args, url=url, cwd=tmp_path)
        assert done.returncode in (1, 2, 4), done.stderr
        assert field in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
