"""Which database failures mean "unavailable" (503) rather than a bug (500)."""

from __future__ import annotations

import asyncio
import sys
from functools import cache

from sqlalchemy import exc as sa_exc

from api_server.exceptions import DatabaseUnavailableError

_UNAVAILABLE_BUILTIN: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
)


@cache
def _asyncpg_unavailable() -> tuple[type[BaseException], ...]:
    # Errors raised by asyncpg (wrapped by SQLAlchemy as `orig`) that mean the server is gone,
    # refuses, is shutting down, or cancelled the statement (statement_timeout).
    import asyncpg

    return (
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.CrashShutdownError,
        asyncpg.exceptions.TooManyConnectionsError,
        asyncpg.exceptions.QueryCanceledError,
        asyncpg.exceptions.ConnectionFailureError,
    )


def _unavailable_types() -> tuple[type[BaseException], ...]:
    # asyncpg is not imported on SQLite (a start-up cost for nothing): until it is, no asyncpg
    # error can exist.
    if "asyncpg" not in sys.modules:
        return _UNAVAILABLE_BUILTIN
    return _UNAVAILABLE_BUILTIN + _asyncpg_unavailable()


def _sqlite_unavailable(orig: BaseException) -> bool:
    # "database is locked" past busy_timeout, or the file cannot be opened.
    text = str(orig).lower()
    return "database is locked" in text or "unable to open database" in text


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot serve now (down, timeout, pool exhausted)."""
    if isinstance(error, DatabaseUnavailableError | sa_exc.TimeoutError):
        return True  # sa_exc.TimeoutError: QueuePool checkout timed out (pool exhausted)
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        orig = error.orig
        unavailable = _unavailable_types()
        # Anything else is a query error (no such table, syntax, misuse): a bug, so a 500.
        return orig is not None and (
            isinstance(orig, unavailable)
            or isinstance(orig.__cause__, unavailable)
            or _sqlite_unavailable(orig)
        )
    if isinstance(error, sa_exc.InvalidRequestError) and "connection is closed" in str(error):
        return True  # the pool gave up: every connection it tried failed its ping
    return isinstance(error, _unavailable_types())


def _is_query_canceled(orig: BaseException | None) -> bool:
    if orig is None or "asyncpg" not in sys.modules:
        return False
    import asyncpg

    # SQLAlchemy's asyncpg adapter raises its own error type `from` the asyncpg one.
    canceled = asyncpg.exceptions.QueryCanceledError
    return isinstance(orig, canceled) or isinstance(orig.__cause__, canceled)


def unavailable_error(error: BaseException) -> DatabaseUnavailableError:
    """A 503 problem for `error`, naming only its kind (no host, user or driver message)."""
    if isinstance(error, sa_exc.TimeoutError):
        reason = "no database connection became free in time"
    elif isinstance(error, sa_exc.DBAPIError) and _is_query_canceled(error.orig):
        reason = "the database statement timed out"
    else:
        reason = "the database is unavailable"
    return DatabaseUnavailableError(reason, retry_after=1)
