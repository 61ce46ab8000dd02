"""A tiny table and async engines (aiosqlite with working SAVEPOINTs, asyncpg) for the tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Row(Base):
    """One row per raised event: what the transaction wrote, to compare with what was delivered."""

    __tablename__ = "event_bus_test_rows"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


def async_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    driver = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}[scheme]
    return f"{driver}://{rest}"


def make_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(async_url(url))
    if engine.dialect.name == "sqlite":
        # The sqlite3 driver's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit
        # BEGIN itself (the recipe from the SQLAlchemy SQLite dialect documentation).
        @event.listens_for(engine.sync_engine, "connect")
        def _no_driver_begin(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
