"""Optimistic locking for any versioned table (`id`, `version`, `updated_at` columns).

Every guard is part of the statement itself (`... WHERE id = :id AND version = :v`), never a
read followed by an unconditional write, so of two concurrent writers exactly one wins.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api_server.clock import utcnow
from api_server.exceptions import (
    PreconditionFailedError,
    ResourceNotFoundError,
    VersionConflictError,
)
from api_server.models.versioned import TimestampedVersioned
from api_server.services.etag import check_if_match

__all__ = ["current_version", "versioned_delete", "versioned_update"]

M = TypeVar("M", bound=TimestampedVersioned)


async def current_version(session: AsyncSession, model: type[M], key: UUID) -> int | None:
    key_column = col(model.id)  # type: ignore[attr-defined]  # every versioned table has `id`
    version: int | None = await session.scalar(select(col(model.version)).where(key_column == key))
    return version


async def versioned_update(
    session: AsyncSession,
    model: type[M],
    key: UUID,
    *,
    resource: str,
    expected: int | None,
    changes: dict[str, Any],
    if_match: str | None = None,
) -> M:
    """Apply `changes`, bump `version` and `updated_at`, and return the updated row.

    `If-Match` is checked first (412). `expected` is the version the client read (409 when it
    is not current); None means "whatever is current" (the If-Match version when one was
    sent). 404 when the row does not exist.
    """
    guard = expected
    if if_match is not None:
        current = await current_version(session, model, key)
        if current is None:
            raise ResourceNotFoundError(resource, key)
        check_if_match(if_match, resource, current)
        guard = expected if expected is not None else current
    conditions = [col(model.id) == key]  # type: ignore[attr-defined]
    if guard is not None:
        conditions.append(col(model.version) == guard)
    statement = (
        update(model)
        .where(*conditions)
        .values(**changes, version=col(model.version) + 1, updated_at=utcnow())
        .returning(model)
        .execution_options(populate_existing=True)
    )
    row: M | None = (await session.scalars(statement)).one_or_none()
    if row is not None:
        return row
    current = await current_version(session, model, key)
    if current is None:
        raise ResourceNotFoundError(resource, key)
    if expected is None:  # only the If-Match version guarded it, and it moved meanwhile
        raise PreconditionFailedError(f"{resource} {key} changed since its ETag was checked")
    raise VersionConflictError(resource, key, expected=expected, current=current)


async def versioned_delete(
    session: AsyncSession,
    model: type[M],
    key: UUID,
    *,
    resource: str,
    if_match: str | None = None,
) -> None:
    """Delete the row; with `If-Match`, only the version whose ETag matched (else 412)."""
    current = await current_version(session, model, key)
    if current is None:
        raise ResourceNotFoundError(resource, key)
    check_if_match(if_match, resource, current)
    conditions = [col(model.id) == key]  # type: ignore[attr-defined]
    if if_match is not None:
        conditions.append(col(model.version) == current)
    result = await session.execute(delete(model).where(*conditions))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        if if_match is not None:
            raise PreconditionFailedError(f"{resource} {key} changed since its ETag was checked")
        raise ResourceNotFoundError(resource, key)
