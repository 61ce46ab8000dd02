"""The two ways to hold a database connection for a while, as async context managers.

`SessionLease`: an ORM session and its unit of work (commit at the end, rollback on error).
`ReadConnectionLease`: a connection of the read engine, no session, for Core reads. Both take
a connection turn first and turn database outages into `DatabaseUnavailableError` (503).
`database.state` hands them out (`borrow_db_session()`, `get_db_session()`, ...).

Classes rather than generator-based context managers: every request with a session goes
through one, and nested generator context managers cost more than the session's own
bookkeeping (docs/performance.md).
"""

from __future__ import annotations

import asyncio
from time import monotonic
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api_server.database.engine import Database
from api_server.database.errors import is_database_unavailable, unavailable_error

__all__ = ["ReadConnectionLease", "ReadSource", "SessionLease"]

# What read-only service methods accept: a session, or a read connection.
ReadSource = AsyncSession | AsyncConnection


class SessionLease:
    """The unit of work `borrow_db_session()` returns: `async with` it for a session."""

    __slots__ = ("_arrived_at", "_database", "_session", "_taken", "_write")

    def __init__(self, database: Database, *, write: bool, arrived_at: float | None = None) -> None:
        self._database = database
        self._write = write
        self._arrived_at = arrived_at  # of the request it serves (database/turns.py)
        self._session: AsyncSession | None = None
        self._taken = 0.0

    async def __aenter__(self) -> AsyncSession:
        database, write, arrived_at = self._database, self._write, self._arrived_at
        # The writer turn first: a writer queued behind another write must not hold one of
        # the connection turns meanwhile (on SQLite, reads run alongside a write; they would
        # wait).
        if write:
            await database.take_writer_turn(arrived_at)
        try:
            await database.take_connection_turn(arrived_at)
            self._taken = monotonic()
            try:
                factory = database.write_sessionmaker if write else database.sessionmaker
                self._session = factory()
            except BaseException:
                database.give_back_connection_turn()
                raise
        except BaseException:
            if write:
                database.give_back_writer_turn()
            raise
        return self._session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = self._session
        if session is None:
            raise RuntimeError("SessionLease exited without being entered")
        self._session = None
        try:
            if error is None and self._write:
                try:
                    await session.commit()
                except BaseException as commit_error:
                    await _fail(session, commit_error)
                    raise  # a commit that failed is the request's error
            elif error is not None:
                await _fail(session, error)
        finally:
            try:
                # What AsyncSession.__aexit__ does: a cancellation must not interrupt the
                # connection's way back to the pool.
                await asyncio.shield(session.close())
            finally:
                held = monotonic() - self._taken
                self._database.give_back_connection_turn(held)
                if self._write:
                    self._database.give_back_writer_turn(held)


class ReadConnectionLease:
    """What `borrow_db_read_connection()` returns: `async with` it for a read connection.

    A connection of the read engine, with no session and no transaction: each statement
    commits on its own, exactly as in a read session. For code that only runs Core statements
    (`select(table)`), it skips the ORM session's bookkeeping (docs/performance.md). Anything
    written through it is written at once: use a session for changes. It takes a connection
    turn like a session, and outages surface as `DatabaseUnavailableError` (503).
    """

    __slots__ = ("_arrived_at", "_connection", "_database", "_taken")

    def __init__(self, database: Database, *, arrived_at: float | None = None) -> None:
        self._database = database
        self._arrived_at = arrived_at  # of the request it serves (database/turns.py)
        self._connection: AsyncConnection | None = None
        self._taken = 0.0

    async def __aenter__(self) -> AsyncConnection:
        database = self._database
        await database.take_connection_turn(self._arrived_at)
        self._taken = monotonic()
        try:
            self._connection = await database.read_engine.connect()
        except BaseException as error:
            database.give_back_connection_turn()
            _raise_if_unavailable(error)
            raise
        return self._connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection = self._connection
        if connection is None:
            raise RuntimeError("ReadConnectionLease exited without being entered")
        self._connection = None
        try:
            # A connection a disconnect error invalidated is discarded, not pooled, by close.
            await asyncio.shield(connection.close())
        finally:
            self._database.give_back_connection_turn(monotonic() - self._taken)
        if error is not None:
            _raise_if_unavailable(error)


def _raise_if_unavailable(error: BaseException) -> None:
    if isinstance(error, SQLAlchemyError | OSError) and is_database_unavailable(error):
        raise unavailable_error(error) from error


async def _fail(session: AsyncSession, error: BaseException) -> None:
    """Roll back after `error`; a database outage is raised as a 503 error (anything else is
    the caller's to re-raise)."""
    await _rollback_quietly(session)
    _raise_if_unavailable(error)


async def _rollback_quietly(session: AsyncSession) -> None:
    # The original error matters; a rollback on a dead connection fails too and would hide it.
    try:
        await session.rollback()
    except (SQLAlchemyError, OSError):
        await session.invalidate()
