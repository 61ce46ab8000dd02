"""Columns every versioned resource table has: timestamps and the optimistic-lock version."""

from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from api_server.models.types import UTCDateTime, utcnow

__all__ = ["TimestampedVersioned"]


class TimestampedVersioned(SQLModel):
    """Mix into a table model; `services.versioned` updates and deletes such rows safely.

    The migration helper `database.migration_columns.timestamps_and_version()` creates the
    same three columns.
    """

    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


@event.listens_for(Mapper, "init")
def _one_timestamp_per_new_row(target: Any, args: Any, kwargs: dict[str, Any]) -> None:
    # Built with neither timestamp given, the two defaults would be two clock readings: a new
    # row would look updated microseconds after it was created. Given ones are kept.
    if (
        isinstance(target, TimestampedVersioned)
        and "created_at" not in kwargs
        and "updated_at" not in kwargs
    ):
        kwargs["created_at"] = kwargs["updated_at"] = utcnow()
