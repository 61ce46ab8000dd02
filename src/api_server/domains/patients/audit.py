"""A small audit trail fed by the domain events: shows a handler class with an injected service."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from loguru import logger

from api_server.domains.patients.events import (
    AddressChanged,
    PatientCreated,
    PatientDeleted,
    PatientUpdated,
    PrimaryAddressChanged,
)
from api_server.event_bus import BaseEvent, EventBus


@dataclass(frozen=True)
class AuditEntry:
    event_id: UUID
    event_type: str
    occurred_at: datetime
    subject: UUID
    actor: str | None  # who made the change (`key:<name>`, `jwt:<sub>`), from the event


class AuditLogService:
    """Keeps the most recent audit entries in memory and logs each one.

    A real deployment would write them to a table or ship them elsewhere; the handler below
    would not change.
    """

    def __init__(self, capacity: int = 1_000) -> None:
        self._entries: deque[AuditEntry] = deque(maxlen=capacity)

    def record(self, event: BaseEvent, subject: UUID) -> None:
        entry = AuditEntry(
            event.event_id, type(event).__name__, event.occurred_at, subject, event.actor
        )
        self._entries.append(entry)
        logger.info("audit {} {} by {}", entry.event_type, subject, entry.actor or "-")

    def entries(self) -> list[AuditEntry]:
        return list(self._entries)


class AuditTrailHandler:
    """Registered for every domain event; its constructor gets `AuditLogService` injected."""

    def __init__(self, audit: AuditLogService) -> None:
        self._audit = audit

    async def handle(self, event: BaseEvent) -> None:
        subject = getattr(event, "patient_id", None) or event.event_id
        self._audit.record(event, subject)


DOMAIN_EVENTS: tuple[type[BaseEvent], ...] = (
    PatientCreated,
    PatientUpdated,
    PatientDeleted,
    AddressChanged,
    PrimaryAddressChanged,
)


def register_audit_trail(bus: EventBus) -> None:
    """Every domain event goes to the audit trail (`AuditLogService` must be registered)."""
    for event_type in DOMAIN_EVENTS:
        bus.register(event_type, AuditTrailHandler)
