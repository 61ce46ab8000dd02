"""Which database failures mean "unavailable" (503) rather than a bug (500)."""

from __future__ import annotations

import asyncio

from loguru import logger
from sqlalchemy import MetaData, UniqueConstraint
from sqlalchemy import exc as sa_exc
from sqlmodel import SQLModel

from api_server.exceptions import (
    ApiError,
    DatabaseUnavailableError,
    ResourceConflictError,
    ValidationFailedError,
)

__all__ = [
    "database_api_error",
    "integrity_error",
    "is_database_unavailable",
    "unavailable_error",
]

# PostgreSQL SQLSTATEs (exact codes, then classes) that mean the database cannot serve now,
# with the reason a client (503 detail) or an operator (CLI line) is given. Never the host,
# the user or the driver's message.
_SQLSTATE_REASONS = {
    "3D000": "the database does not exist",
    "28000": "the database refused the login",
    "28P01": "the database refused the login",
    "57014": "the database statement timed out",
    "57P01": "the database server is shutting down",
    "57P02": "the database server is shutting down",
    "57P03": "the database server is not accepting connections yet",
    "53300": "the database server has no connection slot free",
}
_SQLSTATE_CLASS_REASONS = {
    "08": "the connection to the database failed",
    "53": "the database server is out of resources",
}
UNREACHABLE = "the database server cannot be reached"
# Data exceptions (class 22) that mean "this value cannot be stored": 22000 is asyncpg's own
# refusal to encode a parameter (an integer beyond the column type). The rest of class 22
# (division by zero, a bad cast of stored data) are server bugs: 500 and logged.
_UNSTORABLE_VALUE = frozenset({"22000", "22001", "22003", "22021", "22P05"})
UNAVAILABLE = "the database is unavailable"


def _sqlstate(error: BaseException | None) -> str | None:
    # SQLAlchemy's asyncpg adapter raises its own error `from` asyncpg's, which has `sqlstate`.
    for candidate in (error, getattr(error, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


def _sqlite_reason(orig: BaseException) -> str | None:
    text = str(orig).lower()
    if "database is locked" in text:  # past busy_timeout
        return "the database is busy with other writes"
    if "unable to open database" in text:
        return "the database file cannot be opened"
    return None


def _reason(error: BaseException) -> str | None:
    """Why the database cannot serve, or None when `error` is not about availability."""
    if isinstance(error, DatabaseUnavailableError):
        return error.detail
    if isinstance(error, sa_exc.TimeoutError):
        return "no database connection became free in time"  # QueuePool checkout timed out
    if isinstance(error, sa_exc.DBAPIError):
        orig = error.orig
        code = _sqlstate(orig)
        if code is not None and (
            reason := _SQLSTATE_REASONS.get(code) or _SQLSTATE_CLASS_REASONS.get(code[:2])
        ):
            return reason
        if orig is not None and (reason := _reason(orig) or _sqlite_reason(orig)):
            return reason
        if orig is not None and isinstance(orig.__cause__, OSError | asyncio.TimeoutError):
            return UNREACHABLE
        # Anything else is a query error (no such table, syntax, misuse): a bug, so a 500.
        return UNAVAILABLE if error.connection_invalidated else None
    if isinstance(error, sa_exc.InvalidRequestError) and "connection is closed" in str(error):
        return UNAVAILABLE  # the pool gave up: every connection it tried failed its ping
    if isinstance(error, OSError | asyncio.TimeoutError):
        return UNREACHABLE
    code = _sqlstate(error)  # a driver error that reached us unwrapped
    if code is not None:
        return _SQLSTATE_REASONS.get(code) or _SQLSTATE_CLASS_REASONS.get(code[:2])
    return None


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database cannot serve now: down, unreachable, missing,
    refusing the login, shutting down, timed out, or no pooled connection free."""
    return _reason(error) is not None


def unavailable_error(error: BaseException) -> DatabaseUnavailableError:
    """A 503 problem for `error`, naming only its kind (no host, user or driver message)."""
    return DatabaseUnavailableError(_reason(error) or UNAVAILABLE, retry_after=1)


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
    # SQLite: "UNIQUE constraint failed: clinics.code[, table.column]"
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
    the database cannot serve, 409 for a violated constraint, 422 for a value it cannot store;
    None for anything else (a bug, answered 500 and logged)."""
    if is_database_unavailable(error):
        return unavailable_error(error)
    if isinstance(error, sa_exc.IntegrityError):
        return integrity_error(error)
    code = _sqlstate(error.orig) if isinstance(error, sa_exc.DBAPIError) else None
    if code in _UNSTORABLE_VALUE:
        # A value the database cannot store: input validation names the field first; this is
        # the backstop. Logged: a 422 from here means a validation rule is missing.
        logger.warning("database refused a value (SQLSTATE {}): answered 422", code)
        return ValidationFailedError("a value of the request cannot be stored by the database")
    return None
