"""SQLAlchemy internals (written against SQLAlchemy 2.1; see tests/compat/test_contracts.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["wrap_dialect_rollback"]


def wrap_dialect_rollback(
    engine: AsyncEngine, wrapper: Callable[[Callable[[Any], None]], Callable[[Any], None]]
) -> None:
    """Replace `engine`'s dialect `do_rollback(dbapi_connection)` by `wrapper(original)`.

    The dialect object belongs to this engine alone, so no other engine is affected.
    """
    dialect = engine.sync_engine.dialect
    setattr(dialect, "do_rollback", wrapper(dialect.do_rollback))  # noqa: B010
