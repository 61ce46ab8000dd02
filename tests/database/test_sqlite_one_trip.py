"""SQLite statements run in one trip to the connection's thread (`compat/aiosqlite.py`), and
behave as with SQLAlchemy's own aiosqlite cursor: rows, rowcount, lastrowid, many
parameter sets, errors, streamed results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from api_server.compat.aiosqlite import OneTripCursor
from api_server.database.connection import create_database
from api_server.database.engine import Database
from api_server.settings import Settings


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", _env_file=None)  # type: ignore[call-arg]
    database = create_database(settings)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)"
        )
    yield database
    await database.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each function sent to a connection's thread."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return sent


async def test_a_statement_is_one_trip_to_the_connections_thread(
    database: Database, trips: list[str]
) -> None:
    async with database.engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")  # the connection is open and set up
        trips.clear()
        rows = (await connection.execute(text("SELECT id, v FROM t"))).all()
        assert rows == []
        assert trips == ["_run"]  # SQLAlchemy's cursor: cursor, execute, fetchall, close
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneTripCursor)


async def test_rows_rowcount_and_lastrowid_are_the_drivers(database: Database) -> None:
    async with database.engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert (inserted.rowcount, inserted.lastrowid) == (1, 1)
        many = await connection.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}, {"v": "d"}]
        )
        assert many.rowcount == 3
        updated = await connection.execute(
            text("UPDATE t SET v = v || '!' WHERE id > 2 RETURNING id, v")
        )
        assert sorted(updated.all()) == [(3, "c!"), (4, "d!")]
        assert (await connection.execute(text("DELETE FROM t WHERE id = 1"))).rowcount == 1
        result = await connection.execute(text("SELECT id, v FROM t ORDER BY id"))
        assert list(result.keys()) == ["id", "v"]
        assert result.all() == [(2, "b"), (3, "c!"), (4, "d!")]


async def test_errors_are_sqlalchemys_and_leave_the_connection_usable(
    database: Database,
) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('x')"))
        await connection.commit()
        with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
            await connection.execute(text("INSERT INTO t (v) VALUES ('x')"))
        await connection.rollback()
        with pytest.raises(OperationalError, match="no such table"):
            await connection.execute(text("SELECT * FROM nowhere"))
        await connection.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 1


async def test_streamed_results_keep_a_server_side_cursor(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": str(n)} for n in range(50)]
        )
    async with database.engine.connect() as connection:
        streamed = await connection.stream(text("SELECT v FROM t ORDER BY id"))
        seen = [row.v async for row in streamed]
    assert seen == [str(n) for n in range(50)]
