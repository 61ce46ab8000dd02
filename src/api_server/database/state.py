"""The process's database: created in the lifespan (`init_db`), closed on shutdown
(`dispose_db`), never shared across a fork; and the units of work handed out for it."""

from __future__ import annotations

import os

from sqlalchemy.ext.asyncio import AsyncEngine

from api_server.database.engine import Database, create_database
from api_server.database.leases import ReadConnectionLease, SessionLease
from api_server.settings import Settings

__all__ = [
    "borrow_db_read_connection",
    "borrow_db_session",
    "current_database",
    "dispose_db",
    "get_database",
    "get_engine",
    "init_db",
]

_database: Database | None = None


def init_db(settings: Settings) -> Database:
    """Create the process-wide engine (idempotent for the same process)."""
    global _database
    if _database is not None and _database.pid == os.getpid():
        return _database
    # A database inherited across fork() is dropped, never used: its sockets belong to the parent.
    _database = create_database(settings)
    return _database


async def dispose_db() -> None:
    """Close every pooled connection; the next `init_db()` starts afresh."""
    global _database
    database, _database = _database, None
    if database is not None and database.pid == os.getpid():
        await database.dispose()


def get_database() -> Database:
    if _database is None or _database.pid != os.getpid():
        raise RuntimeError("the database is not initialised: call init_db() in the lifespan")
    return _database


def current_database() -> Database | None:
    """The process's database if `init_db()` ran in this process, else None (no error)."""
    if _database is None or _database.pid != os.getpid():
        return None
    return _database


def get_engine() -> AsyncEngine:
    """The process's async engine (after `init_db()`)."""
    return get_database().engine


def borrow_db_read_connection(*, arrived_at: float | None = None) -> ReadConnectionLease:
    """A connection for reads only, without a session (see `ReadConnectionLease`).

    `async with borrow_db_read_connection() as connection: ...`; `arrived_at`: when the
    request it serves arrived (`request_clock.arrival_of`), whose queue deadline it keeps.
    """
    return ReadConnectionLease(get_database(), arrived_at=arrived_at)


def borrow_db_session(*, write: bool = True, arrived_at: float | None = None) -> SessionLease:
    """A session whose transaction commits when the block ends and rolls back on error.

    `async with borrow_db_session() as session: ...`

    `write=False` gives a read session: no transaction (each statement commits on its own,
    which at READ COMMITTED sees exactly what a transaction would), so nothing to commit.
    Write in it and the write is immediate, and events raised in it are never delivered:
    use a write session for changes. Database outages surface as `DatabaseUnavailableError`
    (503), never as driver errors. `arrived_at` as `borrow_db_read_connection()`.
    """
    return SessionLease(get_database(), write=write, arrived_at=arrived_at)
