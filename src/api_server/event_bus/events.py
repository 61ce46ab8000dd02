"""`BaseEvent`: the immutable base of every event carried by the bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api_server.clock import utcnow
from api_server.ids import uuid7

__all__ = ["BaseEvent"]


class BaseEvent(BaseModel):
    """An immutable fact that something happened. Subclass it and add fields:

        class OrderCreated(BaseEvent):
            order_id: str

    `event_id` (UUIDv7, so ids sort by creation time) and `occurred_at` (aware, UTC) are filled
    in when the event is created.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(default_factory=uuid7)
    occurred_at: datetime = Field(default_factory=utcnow)

    @field_validator("occurred_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("occurred_at must carry a time zone")
        return value.astimezone(UTC)
