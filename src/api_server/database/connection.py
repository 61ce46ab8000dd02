"""Engine and sessions.

`init_db()` creates the process's async engine (in the lifespan), `dispose_db()` closes it.
`get_db_session()` is the FastAPI dependency: the request owns the transaction, committed once
after the endpoint returns and before the response is sent, rolled back on any error.
`borrow_db_session()` is the same unit of work for code outside a request.
`get_db_read_connection()` (`ReadConnectionDep`) is a connection without a session, for reads
only; `borrow_db_read_connection()` outside a request.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
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
from api_server.database.leases import ReadConnectionLease, ReadSource, SessionLease
from api_server.database.urls import is_sqlite, to_async_url
from api_server.exceptions import DatabaseUnavailableError
from api_server.settings import Settings

__all__ = [
    "Database",
    "ReadConnectionDep",
    "ReadConnectionLease",
    "ReadSource",
    "SessionDep",
    "SessionLease",
    "borrow_db_read_connection",
    "borrow_db_session",
    "current_database",
    "dispose_db",
    "get_database",
    "get_db_read_connection",
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
    # What read sessions are bound to: no BEGIN/COMMIT (see create_database).
    read_engine: AsyncEngine
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

    async def take_connection_turn(self) -> None:
        """Wait, in arrival order, until a pooled connection is this session's to take.

        Pair with `give_back_connection_turn()`; `connection_turn()` does both.
        """
        gate = self.session_gate
        if gate is None:
            return
        if not gate.locked():
            await gate.acquire()  # free: returns at once
            return
        try:
            async with asyncio.timeout(self.session_gate_timeout):
                await gate.acquire()
        except TimeoutError:
            # What the pool itself says when it times out (errors.unavailable_error).
            raise DatabaseUnavailableError(
                "no database connection became free in time", retry_after=1
            ) from None

    def give_back_connection_turn(self) -> None:
        if self.session_gate is not None:
            self.session_gate.release()

    async def take_writer_turn(self) -> None:
        """Wait for this process's turn to write (SQLite only; a no-op on PostgreSQL).

        Pair with `give_back_writer_turn()`.
        """
        if not self.is_sqlite:
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
                await self.sqlite_writer.acquire()
        except TimeoutError:
            raise DatabaseUnavailableError(
                "the database is busy with other writes", retry_after=1
            ) from None

    def give_back_writer_turn(self) -> None:
        if self.is_sqlite:
            self.sqlite_writer.release()

    @asynccontextmanager
    async def connection_turn(self) -> AsyncIterator[None]:
        await self.take_connection_turn()
        try:
            yield
        finally:
            self.give_back_connection_turn()


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
        read_engine=read_engine,
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


def borrow_db_read_connection() -> ReadConnectionLease:
    """A connection for reads only, without a session (see `ReadConnectionLease`).

    `async with borrow_db_read_connection() as connection: ...`
    """
    return ReadConnectionLease(get_database())


def borrow_db_session(*, write: bool = True) -> SessionLease:
    """A session whose transaction commits when the block ends and rolls back on error.

    `async with borrow_db_session() as session: ...`

    `write=False` gives a read session: no transaction (each statement commits on its own,
    which at READ COMMITTED sees exactly what a transaction would), so nothing to commit.
    Write in it and the write is immediate, and events raised in it are never delivered:
    use a write session for changes. Database outages surface as `DatabaseUnavailableError`
    (503), never as driver errors.
    """
    return SessionLease(get_database(), write=write)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# FastAPI's per-request exit stack for function-scoped dependencies: it closes when the
# endpoint has returned and its response is serialised, before the response is sent.
_FUNCTION_EXIT_STACK = "fastapi_function_astack"


async def get_db_session(request: Request) -> AsyncSession:
    """FastAPI dependency; declare it as `SessionDep` so it commits before the response.

    On SQLite, unsafe methods open a write transaction up front so concurrent writers queue.
    Not a `yield` dependency: FastAPI runs those through a generator and an anyio cancel
    scope, ~10% of a `GET /patients/{id}` (measured). The lease goes on the exit stack that a
    `yield` dependency with `scope="function"` would use, so it ends at the same moment. One
    difference: FastAPI shields a `yield` dependency's exit from cancellation; here only the
    connection's return to the pool is shielded, so a request cancelled mid-commit (a forced
    shutdown) rolls back, as if the process had stopped there, and leaks nothing.
    """
    lease = SessionLease(get_database(), write=request.method not in _SAFE_METHODS)
    return await _function_exit_stack(request).enter_async_context(lease)


async def get_db_read_connection(request: Request) -> AsyncConnection:
    """FastAPI dependency; declare it as `ReadConnectionDep` in routes that only read.

    Closed when the endpoint has returned, like `get_db_session`'s session.
    """
    lease = ReadConnectionLease(get_database())
    return await _function_exit_stack(request).enter_async_context(lease)


def _function_exit_stack(request: Request) -> AsyncExitStack:
    exit_stack: AsyncExitStack | None = request.scope.get(_FUNCTION_EXIT_STACK)
    if exit_stack is None:  # FastAPI moved its exit stack: fail loudly, never leak a connection
        raise RuntimeError(f"database dependencies need FastAPI's {_FUNCTION_EXIT_STACK}")
    return exit_stack


# The session commits when the endpoint has returned, before the response is sent, so a
# failed commit becomes the response instead of a lie.
SessionDep = Annotated[AsyncSession, Depends(get_db_session)]
ReadConnectionDep = Annotated[AsyncConnection, Depends(get_db_read_connection)]
