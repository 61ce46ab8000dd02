"""Cross-process locks: PostgreSQL session-level advisory locks, a file lock on SQLite.

    async with advisory_lock(AdvisoryLock.MIGRATION) as conn:
        ...  # only one process across all instances is here; `conn` holds the lock

The PostgreSQL lock lives on a dedicated connection for the whole block, so it is released when
the block ends or, if the process dies, when PostgreSQL notices the connection is gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import IntEnum
from pathlib import Path
from typing import Any

from loguru import logger
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from api_server.database.connection import Database, get_database
from api_server.settings import get_settings

__all__ = ["AdvisoryLock", "AdvisoryLockTimeoutError", "advisory_lock", "try_advisory_lock"]


class AdvisoryLock(IntEnum):
    """Lock keys. Each is a fixed 64-bit constant, bound as a parameter, never spliced into SQL."""

    MIGRATION = 0x4150_4953_5256_0001  # "APISRV" + 1


class AdvisoryLockTimeoutError(TimeoutError):
    def __init__(self, key: AdvisoryLock, timeout: float) -> None:
        super().__init__(
            f"advisory lock {key.name} was not acquired within {timeout:g}s: "
            "another process holds it (a migration still running, or a stuck instance)"
        )
        self.key = key


def _lock_file(database: Database, key: AdvisoryLock) -> Path | None:
    database_path = database.url.database
    if not database_path or database_path == ":memory:":
        return None
    return Path(database_path).with_name(f"{Path(database_path).name}.{key.name.lower()}.lock")


_memory_locks: dict[AdvisoryLock, asyncio.Lock] = {}


@asynccontextmanager
async def _sqlite_lock(
    database: Database, key: AdvisoryLock, timeout: float, *, blocking: bool
) -> AsyncIterator[AsyncConnection | None]:
    path = _lock_file(database, key)
    if path is None:
        # An in-memory database is private to this process: an in-process lock is exact.
        memory_lock = _memory_locks.setdefault(key, asyncio.Lock())
        if not blocking and memory_lock.locked():
            yield None
            return
        async with memory_lock, database.engine.connect() as conn:
            yield conn
        return
    import filelock  # only SQLite needs it: not a start-up import for PostgreSQL

    lock = filelock.FileLock(path, thread_local=False)
    wait = timeout if blocking else 0
    # filelock blocks while it waits: keep that off the event loop.
    acquiring = asyncio.ensure_future(asyncio.to_thread(lock.acquire, timeout=wait))
    try:
        await asyncio.shield(acquiring)
    except asyncio.CancelledError:
        # The thread cannot be stopped and may still get the lock: then it is given back at
        # once, never left held by a waiter that went away.
        acquiring.add_done_callback(lambda done: _release_if_acquired(done, lock))
        raise
    except filelock.Timeout:
        if not blocking:
            yield None
            return
        raise AdvisoryLockTimeoutError(key, timeout) from None
    try:
        async with database.engine.connect() as conn:
            yield conn
    finally:
        lock.release()


def _release_if_acquired(done: asyncio.Future[Any], lock: Any) -> None:
    if not done.cancelled() and done.exception() is None:
        lock.release()


async def _pg_acquire(conn: AsyncConnection, key: AdvisoryLock, timeout: float) -> None:
    # lock_timeout bounds the server-side wait; the waiter wakes the moment the holder releases.
    await conn.execute(
        text("SELECT set_config('lock_timeout', :ms, false)"),
        {"ms": f"{max(1, int(timeout * 1000))}ms"},
    )
    try:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": int(key)})
    except DBAPIError as error:
        await conn.rollback()
        import asyncpg  # loaded already: this is the asyncpg dialect

        if isinstance(error.orig, Exception) and isinstance(
            error.orig.__cause__, asyncpg.exceptions.LockNotAvailableError
        ):
            raise AdvisoryLockTimeoutError(key, timeout) from None
        raise
    await conn.execute(text("SELECT set_config('lock_timeout', '0', false)"))
    await conn.commit()


async def _pg_release(conn: AsyncConnection, key: AdvisoryLock) -> None:
    if conn.in_transaction():
        await conn.rollback()
    released = await conn.scalar(text("SELECT pg_advisory_unlock(:key)"), {"key": int(key)})
    await conn.commit()
    if not released:
        # The lock was not ours any more (connection replaced?): say so loudly, never silently.
        logger.error("advisory lock {} was not held at release", key.name)
        raise RuntimeError(f"advisory lock {key.name} was not held at release")


@asynccontextmanager
async def _pg_lock(
    database: Database, key: AdvisoryLock, timeout: float, *, blocking: bool
) -> AsyncIterator[AsyncConnection | None]:
    # The admin engine: neither the wait nor the migration run under it is cut short by the
    # request statement timeout.
    async with database.admin_engine.connect() as conn:
        try:
            if blocking:
                await _pg_acquire(conn, key, timeout)
            else:
                acquired = await conn.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": int(key)}
                )
                await conn.commit()
                if not acquired:
                    yield None
                    return
        except BaseException:
            # Cancelled or failed half-way: the lock may be held by this session. The pool's
            # reset is only a ROLLBACK, so the connection must not go back to it.
            await conn.invalidate()
            raise
        try:
            yield conn
        finally:
            await _pg_release_or_invalidate(conn, key)


async def _pg_release_or_invalidate(conn: AsyncConnection, key: AdvisoryLock) -> None:
    try:
        await _pg_release(conn, key)
    except BaseException:
        # Closing the session is the one sure release of a session-level lock.
        await conn.invalidate()
        raise


@asynccontextmanager
async def advisory_lock(
    key: AdvisoryLock, *, timeout: float | None = None, database: Database | None = None
) -> AsyncIterator[AsyncConnection]:
    """Hold `key` across every process sharing the database; wait at most `timeout` seconds.

    Yields the dedicated connection that holds the lock. Raises AdvisoryLockTimeoutError.
    """
    database = database or get_database()
    wait = timeout if timeout is not None else get_settings().advisory_lock_timeout
    locker = _sqlite_lock if database.is_sqlite else _pg_lock
    async with locker(database, key, wait, blocking=True) as conn:
        if conn is None:  # blocking acquisition yields a connection or raises
            raise RuntimeError(f"advisory lock {key.name} acquisition returned no connection")
        yield conn


@asynccontextmanager
async def try_advisory_lock(
    key: AdvisoryLock, *, database: Database | None = None
) -> AsyncIterator[AsyncConnection | None]:
    """Like `advisory_lock` without waiting: yields None when another process holds `key`."""
    database = database or get_database()
    locker = _sqlite_lock if database.is_sqlite else _pg_lock
    async with locker(database, key, 0, blocking=False) as conn:
        yield conn
