"""Which database failures mean "unavailable" (503) rather than a bug (500)."""

from __future__ import annotations

import asyncio
import sys
from functools import cache

from sqlalchemy import MetaData, UniqueConstraint
from sqlalchemy import exc as sa_exc
from sqlmodel import SQLModel

from api_server.exceptions import ApiError, DatabaseUnavailableError, ResourceConflictError

__all__ = [
    "database_api_error",
    "integrity_error",
    "is_database_unavailable",
    "unavailable_error",
]

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


def _unique_columns_by_name(metadata: MetaData) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint) and constraint.name:
                found[str(constraint.name)] = [column.name for column in constraint.columns]
        for index in table.indexes:
            if index.unique and index.name:
                found[str(index.name)] = [getattr(c, "name", str(c)) for c in index.expressions]
    return found


def _violated_columns(error: sa_exc.IntegrityError) -> list[str] | None:
    orig = error.orig
    if orig is None:
        return None
    # asyncpg (behind SQLAlchemy's adapter): UniqueViolationError carries the constraint name.
    cause = orig.__cause__ or orig
    constraint = getattr(cause, "constraint_name", None)
    if constraint and getattr(cause, "sqlstate", None) == "23505":
        return _unique_columns_by_name(SQLModel.metadata).get(constraint)
    # SQLite: "UNIQUE constraint failed: practitioners.license_number[, table.column]"
    text = str(orig)
    marker = "UNIQUE constraint failed: "
    if marker in text:
        names = text.split(marker, 1)[1].split(",")
        return [name.strip().rpartition(".")[2] for name in names]
    return None


def integrity_error(error: sa_exc.IntegrityError) -> ApiError:
    """409 for a constraint the service did not translate: naming the field of a unique
    constraint (`extensions.field`), never the value; a generic conflict otherwise."""
    columns = _violated_columns(error)
    if columns:
        field = ", ".join(columns)
        return ResourceConflictError(
            f"another record already has this {field}", extensions={"field": field}
        )
    return ResourceConflictError("the change conflicts with existing data")


def database_api_error(error: BaseException) -> ApiError | None:
    """The API error a database failure means, on both surfaces (REST and GraphQL): 503 when
    the database cannot serve, 409 for a violated constraint; None for anything else (a bug,
    answered 500 and logged)."""
    if is_database_unavailable(error):
        return unavailable_error(error)
    if isinstance(error, sa_exc.IntegrityError):
        return integrity_error(error)
    return None
