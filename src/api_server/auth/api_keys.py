"""API keys: made by `api-server-cli auth create-key`, stored only as a SHA-256 digest.

A key is `apisrv_` and 43 URL-safe characters (256 random bits): the fixed prefix lets secret
scanners find a leaked one. Only its SHA-256 digest is stored and looked up. A fast digest is
the right one here: the key is random, not a password, so there is nothing to brute-force a
slow hash would protect; timing of the indexed lookup reveals at most a digest prefix, which
does not help forge a key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from api_server.database.leases import ReadSource
from api_server.exceptions import ResourceConflictError, ResourceNotFoundError
from api_server.ids import uuid7
from api_server.models.types import UTCDateTime, utcnow

__all__ = [
    "KEY_PREFIX",
    "API_KEYS",
    "ApiKeyRecord",
    "NewKey",
    "check_name",
    "create_key",
    "digest",
    "find_key",
    "list_keys",
    "revoke_key",
]

KEY_PREFIX = "apisrv_"
_KEY = re.compile(r"apisrv_[A-Za-z0-9_-]{43}")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

API_KEYS = sa.Table(
    "api_keys",
    SQLModel.metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("key_digest", sa.String(64), nullable=False),
    sa.Column("scopes", sa.JSON(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("key_digest", name="uq_api_keys_key_digest"),
    # One live key per name; a revoked name can be given to a new key.
    sa.Index(
        "uq_api_keys_live_name",
        "name",
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    ),
)


@dataclass(frozen=True)
class ApiKeyRecord:
    id: UUID
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable_at(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class NewKey:
    record: ApiKeyRecord
    key: str  # shown once, never stored


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(token: str) -> bool:
    return _KEY.fullmatch(token) is not None


def check_name(name: str) -> str:
    if NAME.fullmatch(name) is None:
        raise ValueError(
            "a key name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit"
        )
    return name


def _record(row: sa.RowMapping) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row["id"],
        name=row["name"],
        scopes=tuple(row["scopes"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


async def create_key(
    session: AsyncSession, *, name: str, scopes: list[str], expires_in: timedelta | None
) -> NewKey:
    """A new key for `name` (unique among keys not revoked)."""
    live = API_KEYS.c.name == check_name(name), API_KEYS.c.revoked_at.is_(None)
    if await session.scalar(sa.select(API_KEYS.c.id).where(*live)) is not None:
        raise ResourceConflictError(
            f"a key named {name} exists; revoke it first or choose another name",
            extensions={"field": "name"},
        )
    now = utcnow()
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    values = {
        "id": uuid7(),
        "name": name,
        "key_digest": digest(key),
        "scopes": sorted(set(scopes)),
        "created_at": now,
        "expires_at": now + expires_in if expires_in is not None else None,
        "revoked_at": None,
        "last_used_at": None,
    }
    await session.execute(sa.insert(API_KEYS).values(values))
    return NewKey(_record(values), key)  # type: ignore[arg-type]


async def list_keys(session: ReadSource) -> list[ApiKeyRecord]:
    rows = await session.execute(sa.select(API_KEYS).order_by(API_KEYS.c.id))
    return [_record(row) for row in rows.mappings()]


async def revoke_key(session: AsyncSession, *, name: str) -> ApiKeyRecord:
    """Revoke the live key named `name`; refused on every instance once their caches expire."""
    statement = (
        sa.update(API_KEYS)
        .where(API_KEYS.c.name == name, API_KEYS.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(*API_KEYS.c)
    )
    row = (await session.execute(statement)).mappings().first()
    if row is None:
        raise ResourceNotFoundError("api key", name)
    return _record(row)


async def find_key(session: ReadSource, key_digest: str) -> ApiKeyRecord | None:
    statement = sa.select(API_KEYS).where(API_KEYS.c.key_digest == key_digest)
    row = (await session.execute(statement)).mappings().first()
    return _record(row) if row is not None else None


async def mark_used(session: AsyncSession, key_id: UUID, at: datetime) -> None:
    await session.execute(
        sa.update(API_KEYS).where(API_KEYS.c.id == key_id).values(last_used_at=at)
    )
