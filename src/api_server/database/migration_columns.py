"""Columns that migrations of resource tables repeat, written once.

`timestamps_and_version()` creates what `models.versioned.TimestampedVersioned` declares;
`uuid_primary_key()` the UUIDv7 `id` every resource table has. Portable: the same revision
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["timestamps_and_version", "uuid_primary_key"]


def uuid_primary_key() -> sa.Column[object]:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def timestamps_and_version() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]
