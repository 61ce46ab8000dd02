"""One trip to an aiosqlite connection's thread per statement (written against SQLAlchemy 2.1
and aiosqlite 0.22; see tests/compat/test_contracts.py).

aiosqlite runs each connection in a thread of its own and SQLAlchemy's adapter calls it once
per DB-API step: open a cursor, execute, fetch the rows, close the cursor. Four trips per
statement, and each trip needs the GIL twice in that thread: while the event loop is busy (a
server under load) a thread waits for the interpreter's switch interval (5 ms) to get it,
so a statement took up to four such waits. `OneTripCursor` runs the four steps as one
function in the connection's thread. Server-side cursors (streamed results) keep SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import EMPTY_DICT

__all__ = ["OneTripConnection", "OneTripCursor", "use_one_trip_cursors"]

# (description, rowcount, lastrowid, rows) of a statement, read in the connection's thread.
_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """One statement, in the connection's thread: cursor, execute, fetch, close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, each statement one call in the connection's thread.

    Like SQLAlchemy's, it fetches every row at execute (no server-side cursor) and keeps
    them; description, rowcount and lastrowid are read in the thread and kept too.
    """

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # No cursor is opened here: `_execute` opens and closes one in the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        async with self._adapt_connection._execute_mutex:
            outcome = await self._connection._execute(
                _run, self._connection._conn, operation, parameters, many
            )
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return  # the thread closed the cursor already; the rows stay until fetched

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection adapter, with `OneTripCursor` for its cursors."""

    __slots__ = ()
    _cursor_cls = OneTripCursor


def use_one_trip_cursors(dbapi_connection: Any) -> None:
    """Make a new pooled connection's cursors `OneTripCursor`s (from a "connect" event).

    Same slots, so the adapter's class can be swapped on the object: only this engine's
    connections change, not the module's classes.
    """
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection
