"""A tiny table and the project's async engines (aiosqlite, asyncpg) for the tests."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from api_server.database.connection import create_database
from api_server.settings import Settings


class Base(DeclarativeBase):
    pass


class Row(Base):
    """One row per raised event: what the transaction wrote, to compare with what was delivered."""

    __tablename__ = "event_bus_test_rows"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


def make_engine(url: str) -> AsyncEngine:
    """The project's own engine for `url` (SQLite: WAL, BEGIN under SQLAlchemy's control)."""
    return create_database(Settings(database_url=url, _env_file=None)).engine  # type: ignore[call-arg]


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.run_sync(Base.metadata.create_all)
