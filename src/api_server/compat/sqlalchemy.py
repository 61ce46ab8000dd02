"""SQLAlchemy internals (written against SQLAlchemy 2.1; see tests/compat/test_contracts.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

__all__ = ["run_awaitable_from_sync", "wrap_dialect_rollback"]

T = TypeVar("T")


def run_awaitable_from_sync(awaitable: Awaitable[T]) -> T:
    """Await from synchronous code that SQLAlchemy's async layer runs in a greenlet (a pool
    event handler): SQLAlchemy's own bridge."""
    return await_(awaitable)


def wrap_dialect_rollback(
    engine: AsyncEngine, wrapper: Callable[[Callable[[Any], None]], Callable[[Any], None]]
) -> None:
    """Replace `engine`'s dialect `do_rollback(dbapi_connection)` by `wrapper(original)`.

    The dialect object belongs to this engine alone, so no other engine is affected.
    """
    dialect = engine.sync_engine.dialect
    setattr(dialect, "do_rollback", wrapper(dialect.do_rollback))  # noqa: B010
