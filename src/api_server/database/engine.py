"""The engine and its session factories for one database URL (`create_database`)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api_server.database.drivers import (
    SQLITE_READ_OPTION,
    SQLITE_WRITE_OPTION,
    admin_engine_options,
    engine_options,
    install_postgres_connection_checks,
    install_sqlite_behaviour,
)
from api_server.database.turns import ConnectionTurns, WriterTurns
from api_server.database.urls import is_sqlite, to_async_url
from api_server.settings import Settings

__all__ = ["READ_ONLY_SESSION", "Database", "create_database"]

# In Session.info of read sessions (no transaction, never committed): see borrow_db_session.
READ_ONLY_SESSION = "api_server.read_only"


@dataclass
class Database:
    """One engine, its session factories and the turns taken to use its connections."""

    engine: AsyncEngine
    url: URL
    sessionmaker: async_sessionmaker[AsyncSession]
    write_sessionmaker: async_sessionmaker[AsyncSession]
    # What read sessions are bound to: no BEGIN/COMMIT (see create_database).
    read_engine: AsyncEngine
    # Migrations and the migration lock (PostgreSQL: no statement timeout; SQLite: `engine`).
    admin_engine: AsyncEngine
    pid: int
    connection_turns: ConnectionTurns
    writer_turns: WriterTurns

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    async def dispose(self) -> None:
        """Close every connection of the engines."""
        await self.engine.dispose()
        if self.admin_engine is not self.engine:
            await self.admin_engine.dispose()

    async def take_connection_turn(self, arrived_at: float | None = None) -> None:
        await self.connection_turns.take(arrived_at)

    def give_back_connection_turn(self, held: float | None = None) -> None:
        self.connection_turns.give_back(held)

    async def take_writer_turn(self, arrived_at: float | None = None) -> None:
        await self.writer_turns.take(arrived_at)

    def give_back_writer_turn(self, held: float | None = None) -> None:
        self.writer_turns.give_back(held)

    @asynccontextmanager
    async def connection_turn(self) -> AsyncIterator[None]:
        async with self.connection_turns.turn():
            yield


def create_database(settings: Settings) -> Database:
    """Build (but do not connect) the engine for `settings.database_url`."""
    url = to_async_url(settings.database_url.get_secret_value())
    if (path := settings.sqlite_path()) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: statement parameters (patient data) never reach logs or error texts.
    options = engine_options(url, settings)
    engine = create_async_engine(url, hide_parameters=True, **options)
    # Reads run without BEGIN/COMMIT: at READ COMMITTED (PostgreSQL's default) every statement
    # takes its own snapshot anyway, so a read-only transaction only adds two round trips.
    if is_sqlite(url):
        install_sqlite_behaviour(engine, cache_kib=settings.sqlite_cache_kib)
        write_engine = engine.execution_options(**{SQLITE_WRITE_OPTION: True})
        # Not isolation_level=AUTOCOMMIT: on SQLite that costs a PRAGMA per checkout.
        read_engine = engine.execution_options(**{SQLITE_READ_OPTION: True})
        admin_engine = engine
    else:
        install_postgres_connection_checks(engine, settings.db_connect_timeout)
        write_engine = engine
        read_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        # Created lazily by SQLAlchemy: no connection until a migration or lock needs one.
        admin_engine = create_async_engine(
            url, hide_parameters=True, **admin_engine_options(settings)
        )
    return Database(
        engine=engine,
        url=url,
        sessionmaker=async_sessionmaker(
            read_engine, expire_on_commit=False, info={READ_ONLY_SESSION: True}
        ),
        write_sessionmaker=async_sessionmaker(write_engine, expire_on_commit=False),
        read_engine=read_engine,
        admin_engine=admin_engine,
        pid=os.getpid(),
        # The gate is the pool's size wide, not pool + overflow: requests using overflow
        # connections opened and closed them on every burst.
        connection_turns=ConnectionTurns(options.get("pool_size"), settings.queue_deadline),
        writer_turns=WriterTurns(enabled=is_sqlite(url), timeout=settings.queue_deadline),
    )
