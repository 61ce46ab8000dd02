"""Engine and sessions.

`init_db()` creates the process's async engine (in the lifespan), `dispose_db()` closes it.
`get_db_session()` is the FastAPI dependency: the request owns the transaction, committed once
after the endpoint returns and before the response is sent, rolled back on any error.
`borrow_db_session()` is the same unit of work for code outside a request.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api_server.database.drivers import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_READ_OPTION,
    SQLITE_WRITE_OPTION,
    engine_options,
    install_postgres_connection_checks,
    install_sqlite_behaviour,
)
from api_server.database.errors import is_database_unavailable, unavailable_error
from api_server.database.urls import is_sqlite, to_async_url
from api_server.exceptions import DatabaseUnavailableError
from api_server.settings import Settings

__all__ = [
    "Database",
    "SessionDep",
    "borrow_db_session",
    "current_database",
    "dispose_db",
    "get_database",
    "get_db_session",
    "get_engine",
    "init_db",
]

# In Session.info of read sessions (no transaction, never committed): see borrow_db_session.
READ_ONLY_SESSION = "api_server.read_only"


@dataclass
class Database:
    """One engine and its session factories; built by `init_db()`."""

    engine: AsyncEngine
    url: URL
    sessionmaker: async_sessionmaker[AsyncSession]
    write_sessionmaker: async_sessionmaker[AsyncSession]
    pid: int
    # SQLite has one writer at a time. Its busy handler polls with growing sleeps, so under
    # load some writers starve past any timeout; this process's writers queue here instead,
    # first come first served (the busy handler still arbitrates between processes).
    sqlite_writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Sessions queue here, first come first served, for one of the pool's `db_pool_size`
    # connections (None: no pool). SQLAlchemy's async pool lets a newcomer take a connection
    # that was just handed back while earlier waiters sleep on; under a burst (256 requests)
    # some requests lost that race until wrk's 2 s timeout, although the median wait was far
    # below it. asyncio.Semaphore passes a release to the longest waiter. The overflow
    # connections stay for readiness checks, migrations and locks (no turn needed): requests
    # using them opened and closed connections on every burst.
    session_gate: asyncio.Semaphore | None = None
    session_gate_timeout: float = 30.0

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @asynccontextmanager
    async def connection_turn(self) -> AsyncIterator[None]:
        """Wait, in arrival order, until a pooled connection is this session's to take."""
        gate = self.session_gate
        if gate is None:
            yield
            return
        if gate.locked():
            try:
                async with asyncio.timeout(self.session_gate_timeout):
                    await gate.acquire()
            except TimeoutError:
                # What the pool itself says when it times out (errors.unavailable_error).
                raise DatabaseUnavailableError(
                    "no database connection became free in time", retry_after=1
                ) from None
        else:
            await gate.acquire()  # free: returns at once
        try:
            yield
        finally:
            gate.release()

    @asynccontextmanager
    async def writer_turn(self) -> AsyncIterator[None]:
        """Wait for this process's turn to write (SQLite only; a no-op on PostgreSQL)."""
        if not self.is_sqlite:
            yield
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
                await self.sqlite_writer.acquire()
        except TimeoutError:
            raise DatabaseUnavailableError(
                "the database is busy with other writes", retry_after=1
            ) from None
        try:
            yield
        finally:
            self.sqlite_writer.release()


_database: Database | None = None


def create_database(settings: Settings) -> Database:
    """Build (but do not connect) the engine for `settings.database_url`."""
    url = to_async_url(settings.database_url.get_secret_value())
    if (path := settings.sqlite_path()) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: statement parameters (patient data) never reach logs or error texts.
    engine = create_async_engine(url, hide_parameters=True, **engine_options(url, settings))
    # Reads run without BEGIN/COMMIT: at READ COMMITTED (PostgreSQL's default) every statement
    # takes its own snapshot anyway, so a read-only transaction only adds two round trips.
    if is_sqlite(url):
        install_sqlite_behaviour(engine)
        write_engine = engine.execution_options(**{SQLITE_WRITE_OPTION: True})
        # Not isolation_level=AUTOCOMMIT: on SQLite that costs a PRAGMA per checkout.
        read_engine = engine.execution_options(**{SQLITE_READ_OPTION: True})
    else:
        install_postgres_connection_checks(engine, settings.db_connect_timeout)
        write_engine = engine
        read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    pooled = "pool_size" in engine_options(url, settings)
    return Database(
        engine=engine,
        url=url,
        sessionmaker=async_sessionmaker(
            read_engine, expire_on_commit=False, info={READ_ONLY_SESSION: True}
        ),
        write_sessionmaker=async_sessionmaker(write_engine, expire_on_commit=False),
        pid=os.getpid(),
        session_gate=asyncio.Semaphore(settings.db_pool_size) if pooled else None,
        session_gate_timeout=settings.db_pool_timeout,
    )


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
        await database.engine.dispose()


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


@asynccontextmanager
async def borrow_db_session(*, write: bool = True) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits when the block ends and rolls back on error.

    `write=False` gives a read session: no transaction (each statement commits on its own,
    which at READ COMMITTED sees exactly what a transaction would), so nothing to commit.
    Write in it and the write is immediate, and events raised in it are never delivered:
    use a write session for changes. Database outages surface as `DatabaseUnavailableError`
    (503), never as driver errors.
    """
    database = get_database()
    factory = database.write_sessionmaker if write else database.sessionmaker
    # The writer lock first: a writer queued behind another write must not hold one of the
    # connection turns meanwhile (on SQLite, reads run alongside a write; they would wait).
    async with (
        database.writer_turn() if write else nullcontext(),
        database.connection_turn(),
        factory() as session,
    ):
        try:
            yield session
            if write:
                await session.commit()
        except BaseException as error:
            await _rollback_quietly(session)
            if isinstance(error, SQLAlchemyError | OSError) and is_database_unavailable(error):
                raise unavailable_error(error) from error
            raise


async def _rollback_quietly(session: AsyncSession) -> None:
    # The original error matters; a rollback on a dead connection fails too and would hide it.
    try:
        await session.rollback()
    except (SQLAlchemyError, OSError):
        await session.invalidate()


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """FastAPI dependency; declare it as `SessionDep` so it commits before the response.

    On SQLite, unsafe methods open a write transaction up front so concurrent writers queue.
    """
    async with borrow_db_session(write=request.method not in _SAFE_METHODS) as session:
        yield session


# scope="function": the dependency exits (commits) when the endpoint returns, before the
# response is sent, so a failed commit becomes the response instead of a lie.
SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
