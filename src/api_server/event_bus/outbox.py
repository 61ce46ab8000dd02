"""The transactional outbox: every event bound to a transaction is also a row of `event_outbox`,
written by that transaction, so it exists exactly when the change it describes does.

The relay (`relay.py`) delivers rows at least once (to NATS JetStream, to durable handlers)
and marks them done; a row that keeps failing is dead-lettered after `max_attempts`.
Columns: `available_at` is when the row may next be claimed (claiming pushes it a lease into
the future, so a relay that dies mid-delivery leaves its rows to another after the lease);
`attempts` counts claims.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from api_server.clock import utcnow
from api_server.event_bus.events import BaseEvent
from api_server.models.types import UTCDateTime

__all__ = [
    "DEAD",
    "DONE",
    "OUTBOX_CHANNEL",
    "PENDING",
    "PROCESSED_EVENTS",
    "OutboxRecord",
    "event_class",
    "record_for",
    "stage",
]

PENDING, DONE, DEAD = "pending", "done", "dead"
OUTBOX_CHANNEL = "api_server_outbox"  # PostgreSQL LISTEN/NOTIFY: new rows committed


class OutboxRecord(SQLModel, table=True):
    __tablename__ = "event_outbox"
    __table_args__ = (sa.Index("ix_event_outbox_status_available_at", "status", "available_at"),)

    event_id: UUID = Field(sa_type=sa.Uuid, primary_key=True)
    event_type: str = Field(sa_type=sa.String(200), nullable=False)  # module:qualname
    name: str = Field(sa_type=sa.String(100), nullable=False)  # the class name: the subject
    payload: dict[str, Any] = Field(sa_type=sa.JSON, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    available_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    attempts: int = Field(default=0, nullable=False)
    status: str = Field(default=PENDING, sa_type=sa.String(16), nullable=False)
    last_error: str | None = Field(default=None, sa_type=sa.String(500), nullable=True)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


# (handler, event id) of every event a durable handler has processed: a redelivery skips it.
PROCESSED_EVENTS = sa.Table(
    "processed_events",
    SQLModel.metadata,
    sa.Column("handler", sa.String(200), primary_key=True),
    sa.Column("event_id", sa.Uuid(), primary_key=True),
    sa.Column("processed_at", UTCDateTime(), nullable=False),
)


def _type_name(cls: type[BaseEvent]) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def record_for(event: BaseEvent, *, now: datetime | None = None) -> OutboxRecord:
    now = now or utcnow()
    return OutboxRecord(
        event_id=event.event_id,
        event_type=_type_name(type(event)),
        name=type(event).__name__,
        payload=event.model_dump(mode="json"),
        created_at=now,
        available_at=now,
    )


def stage(session: Session, event: BaseEvent) -> None:
    """Add `event`'s outbox row to `session`: written when its transaction flushes, dropped
    with it (a rolled-back savepoint included)."""
    session.add(record_for(event))


_classes: dict[str, type[BaseEvent]] = {}


def event_class(event_type: str) -> type[BaseEvent] | None:
    """The event class a row names (None when this code no longer has it)."""
    found = _classes.get(event_type)
    if found is None:
        stack: list[type[BaseEvent]] = [BaseEvent]
        while stack:
            cls = stack.pop()
            _classes[_type_name(cls)] = cls
            stack.extend(cls.__subclasses__())
        found = _classes.get(event_type)
    return found


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... up to 5 minutes between attempts."""
    return timedelta(seconds=min(300, 2 ** max(0, attempts - 1)))
