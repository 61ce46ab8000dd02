"""Which database failures mean "unavailable" (503) rather than a bug (500)."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import exc as sa_exc

from api_server.exceptions import DatabaseUnavailableError

# Errors raised by asyncpg (wrapped by SQLAlchemy as `orig`) that mean the server is gone,
# refuses, is shutting down, or cancelled the statement (statement_timeout).
_UNAVAILABLE_ORIG: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncio.TimeoutError,
    ConnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.ConnectionFailureError,
)


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
        # Anything else is a query error (no such table, syntax, misuse): a bug, so a 500.
        return orig is not None and (
            isinstance(orig, _UNAVAILABLE_ORIG)
            or isinstance(orig.__cause__, _UNAVAILABLE_ORIG)
            or _sqlite_unavailable(orig)
        )
    if isinstance(error, sa_exc.InvalidRequestError) and "connection is closed" in str(error):
        return True  # the pool gave up: every connection it tried failed its ping
    return isinstance(error, _UNAVAILABLE_ORIG)


def _is_query_canceled(orig: BaseException | None) -> bool:
    # SQLAlchemy's asyncpg adapter raises its own error type `from` the asyncpg one.
    return orig is not None and (
        isinstance(orig, asyncpg.exceptions.QueryCanceledError)
        or isinstance(orig.__cause__, asyncpg.exceptions.QueryCanceledError)
    )


def unavailable_error(error: BaseException) -> DatabaseUnavailableError:
    """A 503 problem for `error`, naming only its kind (no host, user or driver message)."""
    if isinstance(error, sa_exc.TimeoutError):
        reason = "no database connection became free in time"
    elif isinstance(error, sa_exc.DBAPIError) and _is_query_canceled(error.orig):
        reason = "the database statement timed out"
    else:
        reason = "the database is unavailable"
    return DatabaseUnavailableError(reason, retry_after=1)
