"""Database URLs: plain `postgresql://` and `sqlite:///` map to their async drivers."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url

ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
SYNC_TO_ASYNC = {"sqlite": "sqlite+aiosqlite", "sqlite+pysqlite": "sqlite+aiosqlite"}


def to_async_url(url: str | URL) -> URL:
    """The async-driver form of `url` (asyncpg for PostgreSQL, aiosqlite for SQLite)."""
    parsed = make_url(url) if isinstance(url, str) else url
    name = parsed.drivername
    if name in ASYNC_DRIVERS or name.startswith(("postgresql+", "postgres+")):
        return parsed.set(drivername="postgresql+asyncpg")
    if name in SYNC_TO_ASYNC:
        return parsed.set(drivername=SYNC_TO_ASYNC[name])
    if name == "sqlite+aiosqlite":
        return parsed
    raise ValueError(f"unsupported database driver {name!r}: use sqlite:/// or postgresql://")


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def is_postgresql(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"
