"""`BaseEvent`: the immutable base of every event carried by the bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api_server.auth.principal import current_principal
from api_server.clock import utcnow
from api_server.ids import uuid7

__all__ = ["BaseEvent"]


def _current_actor() -> str | None:
    principal = current_principal()
    return principal.label if principal is not None else None


class BaseEvent(BaseModel):
    """An immutable fact that something happened. Subclass it and add fields:

        class OrderCreated(BaseEvent):
            order_id: str

    `event_id` (UUIDv7, so ids sort by creation time) and `occurred_at` (aware, UTC) are filled
    in when the event is created, and `actor` with the label of the authenticated caller
    whose request raised it (`key:<name>`, `jwt:<sub>@<client_id>`; None outside a request,
    e.g. the CLI's sample data).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(default_factory=uuid7)
    occurred_at: datetime = Field(default_factory=utcnow)
    actor: str | None = Field(default_factory=_current_actor)

    @field_validator("occurred_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("occurred_at must carry a time zone")
        return value.astimezone(UTC)
