"""`api-server-cli db ...`: one-line reasons and distinct exit codes, never a traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text

from api_server.database.advisory_lock import AdvisoryLock
from api_server.database.connection import create_database
from api_server.settings import Settings
from tests.fixtures.database import head_revision
from tests.serverproc import BIN, free_port


def admin_cli(*args: str, url: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`api-server-cli ARGS` on `url`; `settings` become `API_SERVER_<NAME>` variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("API_SERVER_")}
    env["API_SERVER_DATABASE_URL"] = url
    env["API_SERVER_DB_CONNECT_TIMEOUT"] = "2"
    env.update({f"API_SERVER_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [str(BIN / "api-server-cli"), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def db_cli(*args: str, url: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    return admin_cli("db", *args, url=url, cwd=cwd, **settings)


def _stamp(url: str, revision: str) -> None:
    async def run() -> None:
        database = create_database(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        async with database.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        await database.dispose()

    asyncio.run(run())


def test_check_reports_each_state_with_its_exit_code(any_database_url: str, tmp_path: Path) -> None:
    url = any_database_url
    empty = db_cli("check", url=url, cwd=tmp_path)
    assert (empty.returncode, "no schema yet" in empty.stderr) == (4, True), empty.stderr

    upgraded = db_cli("upgrade", "--yes", url=url, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    head = head_revision()
    assert f"upgraded empty -> {head}" in upgraded.stdout

    at_head = db_cli("check", url=url, cwd=tmp_path)
    assert (at_head.returncode, at_head.stdout.strip()) == (0, f"schema at head ({head})")
    assert db_cli("current", url=url, cwd=tmp_path).stdout.strip() == head

    _stamp(url, "9999_unknown")
    ahead = db_cli("check", url=url, cwd=tmp_path)
    assert ahead.returncode == 5
    assert "unknown revision 9999_unknown" in ahead.stderr
    refused = db_cli("upgrade", "--yes", url=url, cwd=tmp_path)
    assert refused.returncode == 5
    for result in (empty, upgraded, at_head, ahead, refused):
        assert "Traceback" not in result.stderr


def test_unreachable_database_exits_3_within_seconds(tmp_path: Path) -> None:
    url = f"postgresql://app:topsecret@127.0.0.1:{free_port()}/app"
    started = time.monotonic()
    result = db_cli("check", url=url, cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 3
    expected = "error: database unreachable: the database server cannot be reached"
    assert result.stderr.strip() == expected
    assert "topsecret" not in result.stderr
    assert elapsed < 30, "an unreachable database must not hang the CLI"


def _pg_url(admin_url: str, *, user: str | None = None, database: str | None = None) -> str:
    parts = urlsplit(admin_url)
    netloc = parts.netloc if user is None else f"{user}@{parts.hostname}:{parts.port or 5432}"
    path = parts.path if database is None else f"/{database}"
    return urlunsplit(parts._replace(netloc=netloc, path=path))


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing database", "the database does not exist"),
        ("refused login", "the database refused the login"),
        ("unknown host", "the database server cannot be reached"),
    ],
)
def test_connection_failures_exit_3_with_one_line_naming_the_cause(
    pg_admin_url: str, tmp_path: Path, case: str, message: str
) -> None:
    url = {
        "missing database": _pg_url(pg_admin_url, database="api_server_no_such_database"),
        "refused login": _pg_url(pg_admin_url, user="no_such_role:topsecret"),
        "unknown host": "postgresql://app:topsecret@no-such-host.invalid:5432/app",
    }[case]
    for command in (("check",), ("upgrade", "--yes")):
        result = db_cli(*command, url=url, cwd=tmp_path)
        assert result.returncode == 3, result.stderr
        assert result.stderr.strip() == f"error: database unreachable: {message}"
        assert "topsecret" not in result.stderr and "Traceback" not in result.stderr


def test_an_empty_database_says_how_to_migrate(tmp_path: Path) -> None:
    result = db_cli("check", url=f"sqlite:///{tmp_path / 'empty.db'}", cwd=tmp_path)
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1, result.stderr
    assert "db upgrade --yes" in result.stderr and "migrates by itself" in result.stderr


def test_upgrade_without_terminal_or_yes_refuses(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'refuse.db'}"
    result = db_cli("upgrade", url=url, cwd=tmp_path)
    assert result.returncode == 2
    assert "--yes" in result.stderr
    assert db_cli("check", url=url, cwd=tmp_path).returncode == 4  # nothing was applied


def test_history_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'down.db'}"
    head = head_revision()
    assert f"-> {head}  " in db_cli("history", url=url, cwd=tmp_path).stdout
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0
    down = db_cli("downgrade", "base", "--yes", url=url, cwd=tmp_path)
    assert (down.returncode, down.stdout.strip()) == (0, f"downgraded {head} -> base")
    assert db_cli("check", url=url, cwd=tmp_path).returncode == 4


def test_upgrade_while_another_process_holds_the_lock_exits_6(tmp_path: Path) -> None:
    import filelock

    db_file = tmp_path / "locked.db"
    url = f"sqlite:///{db_file}"
    held = filelock.FileLock(db_file.with_name(f"{db_file.name}.migration.lock"))
    with held:  # what a migrating instance holds
        result = db_cli("upgrade", "--yes", url=url, cwd=tmp_path, advisory_lock_timeout="0.5")
    assert result.returncode == 6, result.stderr
    assert "MIGRATION" in result.stderr and "Traceback" not in result.stderr


def test_seed_needs_the_schema_then_loads_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seed.db'}"

    def seed() -> subprocess.CompletedProcess[str]:
        return admin_cli("seed", url=url, cwd=tmp_path)

    empty = seed()
    assert empty.returncode == 4 and "db upgrade --yes" in empty.stderr
    assert db_cli("upgrade", "--yes", url=url, cwd=tmp_path).returncode == 0
    first, second = seed(), seed()
    assert (first.returncode, first.stdout.strip()) == (0, "patients: 10 sample records added")
    assert (second.returncode, second.stdout.strip()) == (0, "patients: 0 sample records added")


@contextmanager
def migration_lock_held(url: str, seconds: float) -> Iterator[None]:
    """Another process holding the PostgreSQL migration lock for `seconds` (or until the
    block ends, whichever comes first)."""
    script = (
        "import asyncio, asyncpg, sys\n"
        "async def main():\n"
        "    conn = await asyncpg.connect(sys.argv[1])\n"
        f"    await conn.execute('SELECT pg_advisory_lock({int(AdvisoryLock.MIGRATION)})')\n"
        "    print('held', flush=True)\n"
        "    await asyncio.sleep(float(sys.argv[2]))\n"
        "    await conn.close()\n"
        "asyncio.run(main())\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, url, str(seconds)], stdout=subprocess.PIPE
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == b"held"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()


@pytest.mark.postgres
def test_upgrade_waits_for_the_lock_past_the_statement_timeout(
    fresh_pg_database_url: str, tmp_path: Path
) -> None:
    with migration_lock_held(fresh_pg_database_url, 4):
        started = time.monotonic()
        result = db_cli(
            "upgrade",
            "--yes",
            url=fresh_pg_database_url,
            cwd=tmp_path,
            db_statement_timeout_ms="1000",  # far shorter than the wait
            advisory_lock_timeout="30",
        )
        waited = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert f"upgraded empty -> {head_revision()}" in result.stdout
    # Not a speed check: proof that it waited for the holder instead of skipping the lock.
    assert waited >= 3, f"the upgrade did not wait for the lock ({waited:.1f} s)"


@pytest.mark.postgres
def test_upgrade_past_the_lock_timeout_exits_6(fresh_pg_database_url: str, tmp_path: Path) -> None:
    with migration_lock_held(fresh_pg_database_url, 10):
        result = db_cli(
            "upgrade",
            "--yes",
            url=fresh_pg_database_url,
            cwd=tmp_path,
            db_statement_timeout_ms="500",
            advisory_lock_timeout="2",
        )
    assert result.returncode == 6, result.stderr
    assert "MIGRATION" in result.stderr and "Traceback" not in result.stderr


def test_a_refused_domain_rule_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import typer

    from api_server.cli.commands.db import run_on_database
    from api_server.exceptions import ResourceConflictError
    from api_server.settings import get_settings

    monkeypatch.setenv("API_SERVER_DATABASE_URL", f"sqlite:///{tmp_path / 'rule.db'}")
    get_settings.cache_clear()

    async def refused(manager: object) -> None:
        raise ResourceConflictError("patient_id DEMO-0001 is already taken")

    try:
        with pytest.raises(typer.Exit) as exited:
            run_on_database(refused)
    finally:
        get_settings.cache_clear()
    assert exited.value.exit_code == 1
    assert capsys.readouterr().err == "error: CONFLICT: patient_id DEMO-0001 is already taken\n"
