"""Per-driver engine setup: pool and connect options, SQLite's transaction control and
pragmas, PostgreSQL's checks that a pooled connection is still alive."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from api_server.compat.aiosqlite import use_one_trip_cursors
from api_server.compat.sqlalchemy import run_awaitable_from_sync, wrap_dialect_rollback
from api_server.database.urls import is_sqlite
from api_server.settings import Settings

__all__ = [
    "PING_AFTER_IDLE_S",
    "POSTGRES_POOL_SIZE",
    "SQLITE_POOL_SIZE",
    "admin_engine_options",
    "SQLITE_BUSY_TIMEOUT_MS",
    "SQLITE_READ_OPTION",
    "SQLITE_WRITE_OPTION",
    "engine_options",
    "pool_size",
    "install_postgres_connection_checks",
    "install_sqlite_behaviour",
]

# SQLite: a write transaction takes the write lock at BEGIN (IMMEDIATE), so two writers queue on
# busy_timeout instead of one failing at once when both try to upgrade a read lock.
SQLITE_WRITE_OPTION = "sqlite_begin_immediate"
SQLITE_READ_OPTION = "sqlite_autocommit_reads"
SQLITE_BUSY_TIMEOUT_MS = 5_000
# A pooled PostgreSQL connection idle this long is pinged before use (see
# install_postgres_connection_checks); one used more recently is only checked for a closed socket.
PING_AFTER_IDLE_S = 1.0
# Pool sizes when API_SERVER_DB_POOL_SIZE is not set. SQLite has one writer, and every pooled
# aiosqlite connection is a thread with its own page cache and malloc arena: 5 connections
# served as many requests as 20 and kept ~7 MiB less resident (docs/performance.md).
POSTGRES_POOL_SIZE = 20
SQLITE_POOL_SIZE = 5


def pool_size(url: URL, settings: Settings) -> int:
    """Pooled connections per process: the setting, else the backend's default."""
    if settings.db_pool_size is not None:
        return settings.db_pool_size
    return SQLITE_POOL_SIZE if is_sqlite(url) else POSTGRES_POOL_SIZE


def engine_options(url: URL, settings: Settings) -> dict[str, Any]:
    """`create_async_engine()` keyword arguments for `url`: pool, timeouts, connect options."""
    pool = {
        "pool_size": pool_size(url, settings),
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
    }
    if is_sqlite(url):
        if url.database in (None, "", ":memory:"):
            return {}  # one shared in-memory connection (StaticPool): no pool to size
        return {
            **pool,
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            # Every use ends in COMMIT or ROLLBACK already (sessions, Connection.close());
            # the pool's own reset would be a second rollback, a thread hop in aiosqlite.
            "pool_reset_on_return": None,
        }
    return {
        **pool,
        # Pre-ping is done by install_postgres_connection_checks: no round trip per use.
        "pool_pre_ping": False,
        "pool_recycle": 1800,
        "connect_args": {
            "timeout": settings.db_connect_timeout,
            "command_timeout": settings.db_statement_timeout_ms / 1000 + 5
            if settings.db_statement_timeout_ms
            else None,
            "server_settings": {
                "application_name": "api-server",
                "statement_timeout": str(settings.db_statement_timeout_ms),
            },
        },
    }


def admin_engine_options(settings: Settings) -> dict[str, Any]:
    """Options of the PostgreSQL engine for migrations and the migration lock's wait.

    No statement timeout, on the server (`statement_timeout=0`) or in the driver (no
    `command_timeout`): the lock's wait is bounded by `advisory_lock_timeout` alone, and a
    migration statement may take as long as it takes (the request timeout would cancel it on
    every instance, every time). No pool: a connection lives for one operation.
    """
    return {
        "poolclass": NullPool,
        "connect_args": {
            "timeout": settings.db_connect_timeout,
            "command_timeout": None,
            "server_settings": {
                "application_name": "api-server-admin",
                "statement_timeout": "0",
            },
        },
    }


def install_sqlite_behaviour(engine: AsyncEngine, *, cache_kib: int) -> None:
    """WAL, foreign keys and a page cache of `cache_kib` per connection; BEGIN chosen per use
    (IMMEDIATE for writers, none for read sessions); no rollback round trip when no transaction
    is open."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        use_one_trip_cursors(dbapi_connection)  # one thread trip per statement, not four
        # Take over transaction control from the driver so BEGIN can be chosen per use.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Each connection has its own page cache (SQLite's default: up to 2,000 KiB), held
        # in its aiosqlite thread's malloc arena; a miss is a read from the OS page cache,
        # which all connections share (docs/performance.md).
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        cursor.close()

    # A read session issues no BEGIN, yet SQLAlchemy still ends its (logical) transaction with
    # a rollback: on aiosqlite a round trip to the connection's thread for nothing. Skip it
    # when SQLite says no transaction is open, as Python's sqlite3 itself would (it only sends
    # ROLLBACK when one is) - minus the thread hop.
    def rollback_if_open(do_rollback: Callable[[Any], None]) -> Callable[[Any], None]:
        def _rollback_if_open(dbapi_connection: Any) -> None:
            if dbapi_connection.driver_connection.in_transaction:
                do_rollback(dbapi_connection)

        return _rollback_if_open

    wrap_dialect_rollback(engine, rollback_if_open)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(SQLITE_READ_OPTION, False):
            return  # read sessions: each statement on its own, no BEGIN/COMMIT
        immediate = options.get(SQLITE_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def install_postgres_connection_checks(engine: AsyncEngine, timeout: float) -> None:
    """Pessimistic disconnect handling, like `pool_pre_ping`, without a round trip per request.

    At every checkout, a connection the server has closed (restart, `pg_terminate_backend`,
    idle timeout: asyncpg saw the socket close) is replaced without asking the server. One
    that sat in the pool for `PING_AFTER_IDLE_S` or longer, or whose last statement failed,
    is also pinged with a bare `SELECT 1` (SQLAlchemy's asyncpg ping costs three round
    trips), bounded by the connect timeout: that catches a partitioned server that never
    closed the socket. A healthy connection handed back moments ago is not pinged: under load
    that ping was a second round trip for every request (PostgreSQL GET by id, `make bench`).
    So under steady load a partition is noticed by the statements themselves, through
    asyncpg's command timeout (statement timeout + 5 s; none when the statement timeout is
    off), after which their connections are pinged. A dead connection raises
    DisconnectionError, so the pool replaces it and the request never sees it.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["fresh"] = True  # it just answered the handshake: no ping needed

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "handle_error")
    def _suspect(context: Any) -> None:
        # A statement failed on this connection (timeout, protocol error...): whatever state
        # it is left in, its next checkout pings it, however recently it was used.
        if context.connection is not None and not context.connection.invalidated:
            context.connection.info["suspect"] = True

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver.is_closed():
            raise DisconnectionError("the server closed the connection")
        if record.info.pop("fresh", False):
            return
        suspect = record.info.pop("suspect", False)
        idle = time.monotonic() - record.info.get("returned_at", 0.0)
        if not suspect and idle < PING_AFTER_IDLE_S:
            return
        try:
            # (asyncpg's simple-query path fails on an empty statement such as ";".)
            run_awaitable_from_sync(driver.execute("SELECT 1", timeout=timeout))
        except Exception as error:
            raise DisconnectionError("connection failed its ping") from error
