"""advisory_lock / try_advisory_lock on both backends (each holder on its own connection)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from api_server.database.advisory_lock import (
    AdvisoryLock,
    AdvisoryLockTimeoutError,
    advisory_lock,
    try_advisory_lock,
)
from api_server.database.connection import Database, create_database
from api_server.settings import Settings


async def test_try_lock_yields_none_while_held_elsewhere(database: Database) -> None:
    async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=5) as held:
        assert held is not None
        async with try_advisory_lock(AdvisoryLock.MIGRATION, database=database) as other:
            assert other is None
    async with try_advisory_lock(AdvisoryLock.MIGRATION, database=database) as again:
        assert again is not None  # released at the end of the block


async def test_bounded_wait_raises_a_clear_timeout(database: Database) -> None:
    async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=5):
        with pytest.raises(AdvisoryLockTimeoutError, match="MIGRATION"):
            async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=0.2):
                pytest.fail("acquired a held lock")


async def test_waiter_gets_the_lock_once_the_holder_leaves(database: Database) -> None:
    order: list[str] = []
    holder_in = asyncio.Event()

    async def holder() -> None:
        async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=5):
            holder_in.set()
            order.append("holder-in")
            await asyncio.sleep(0.2)
            order.append("holder-out")

    async def waiter() -> None:
        await holder_in.wait()
        async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=10):
            order.append("waiter-in")

    await asyncio.gather(holder(), waiter())
    assert order == ["holder-in", "holder-out", "waiter-in"]


async def test_lock_is_released_when_the_block_raises(database: Database) -> None:
    with pytest.raises(RuntimeError, match="inside"):
        async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=5):
            raise RuntimeError("inside")
    async with try_advisory_lock(AdvisoryLock.MIGRATION, database=database) as conn:
        assert conn is not None


@pytest.mark.postgres
async def test_postgres_lock_is_visible_in_pg_locks(fresh_pg_database_url: str) -> None:
    from api_server.database.connection import create_database
    from api_server.settings import Settings

    database = create_database(Settings(database_url=fresh_pg_database_url, _env_file=None))  # type: ignore[call-arg]
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
    try:
        async with (
            advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=5),
            database.engine.connect() as observer,
        ):
            assert await observer.scalar(query) == 1
        async with database.engine.connect() as observer:
            assert await observer.scalar(query) == 0
    finally:
        await database.dispose()


async def test_a_cancelled_sqlite_waiter_never_leaves_the_lock_held(tmp_path: Path) -> None:
    import filelock

    url = f"sqlite:///{tmp_path / 'locks.db'}"
    database = create_database(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    lock_path = tmp_path / "locks.db.migration.lock"
    holder = filelock.FileLock(lock_path, thread_local=False)
    holder.acquire()  # what another process holds
    try:

        async def wait_for_the_lock() -> None:
            async with advisory_lock(AdvisoryLock.MIGRATION, database=database, timeout=10):
                pytest.fail("the cancelled waiter ran its block")

        waiter = asyncio.create_task(wait_for_the_lock())
        await asyncio.sleep(0.3)  # the waiter's thread is blocked in acquire()
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        holder.release()  # the abandoned thread now gets the lock...
        await asyncio.sleep(0.5)  # ...and must give it back
        # Asked from another process: in this one, filelock hands the same path's lock back
        # to whoever asks, held or not.
        probe = "import filelock, sys; filelock.FileLock(sys.argv[1]).acquire(timeout=0)"
        free = subprocess.run([sys.executable, "-c", probe, str(lock_path)], check=False)
        assert free.returncode == 0, "the lock was left held by a cancelled waiter"
    finally:
        if holder.is_locked:
            holder.release()
        await database.dispose()
