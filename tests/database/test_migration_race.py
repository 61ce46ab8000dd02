"""Many instances starting at once migrate exactly once (PostgreSQL advisory lock, SQLite file
lock), and a lock holder killed mid-migration leaves nothing half done for the next one.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from api_server.database.alembic_utils import AlembicManager, SchemaState
from api_server.database.connection import create_database
from api_server.settings import Settings
from tests.database import race_worker
from tests.fixtures.database import create_pg_database, drop_pg_database

# Several processes racing (and one killed mid-migration): a reliability drill, run by
# `make test` and CI, left out of `make test-fast`.
pytestmark = pytest.mark.reliability

PROCESSES = 8
ROUNDS = 10

_ctx = multiprocessing.get_context("forkserver")
_ctx.set_forkserver_preload(["tests.database.race_worker"])


async def _inspect(url: str) -> tuple[SchemaState, int, set[str]]:
    database = create_database(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        status = await AlembicManager(database).validate_schema_state()
        async with database.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
            tables = set(await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync)))
        return status.state, rows, tables
    finally:
        await database.dispose()


def _race(url: str) -> list[bool]:
    barrier = _ctx.Barrier(PROCESSES)
    results = _ctx.Queue()
    processes = [
        _ctx.Process(target=race_worker.migrate, args=(url, barrier, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    applied = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [p.exitcode for p in processes] == [0] * PROCESSES
    return applied


def _assert_migrated_once(url: str, applied: list[bool]) -> None:
    assert applied.count(True) == 1, applied
    state, rows, tables = asyncio.run(_inspect(url))
    assert state is SchemaState.AT_HEAD
    assert rows == 1
    assert {"patients", "addresses", "alembic_version"} <= tables


def _kill_holder_then_race(url: str) -> list[bool]:
    barrier = _ctx.Barrier(1)
    hang = _ctx.Event()
    results = _ctx.Queue()
    holder = _ctx.Process(target=race_worker.migrate, args=(url, barrier, results, hang))
    holder.start()
    assert hang.wait(timeout=60), "the holder never reached the middle of its migration"
    waiters_barrier = _ctx.Barrier(PROCESSES - 1)
    waiters = [
        _ctx.Process(target=race_worker.migrate, args=(url, waiters_barrier, results))
        for _ in range(PROCESSES - 1)
    ]
    for process in waiters:
        process.start()
    os.kill(holder.pid, signal.SIGKILL)  # type: ignore[arg-type]
    holder.join(timeout=30)
    applied = [results.get(timeout=120) for _ in waiters]
    for process in waiters:
        process.join(timeout=30)
    assert holder.exitcode == -signal.SIGKILL
    assert [p.exitcode for p in waiters] == [0] * (PROCESSES - 1)
    return applied


def _rounds(new_url: Callable[[int], str], cleanup: Callable[[str], None]) -> None:
    for round_number in range(ROUNDS):
        url = new_url(round_number)
        try:
            _assert_migrated_once(url, _race(url))
        finally:
            cleanup(url)


@pytest.mark.postgres
def test_postgres_race_migrates_exactly_once(pg_admin_url: str) -> None:
    _rounds(lambda _: create_pg_database(pg_admin_url), lambda u: drop_pg_database(pg_admin_url, u))


@pytest.mark.postgres
def test_postgres_killed_lock_holder_leaves_a_clean_slate(pg_admin_url: str) -> None:
    url = create_pg_database(pg_admin_url)
    try:
        _assert_migrated_once(url, _kill_holder_then_race(url))
    finally:
        drop_pg_database(pg_admin_url, url)


def test_sqlite_race_migrates_exactly_once(tmp_path: Path) -> None:
    _rounds(lambda n: f"sqlite:///{tmp_path / f'race-{n}.db'}", lambda _: None)


def test_sqlite_killed_lock_holder_leaves_a_clean_slate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    _assert_migrated_once(url, _kill_holder_then_race(url))
