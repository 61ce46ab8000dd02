"""The audit trail of patients and addresses: one row per domain event in `audit_events`,
written by a durable handler (run by the outbox relay, once per event even when the event is
delivered again), readable by administrators at `GET /api/v1/audit-events`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from api_server.database.leases import ReadSource
from api_server.domains.patients.events import (
    AddressChanged,
    PatientCreated,
    PatientDeleted,
    PatientUpdated,
    PrimaryAddressChanged,
)
from api_server.event_bus import BaseEvent
from api_server.event_bus.relay import DurableHandlers
from api_server.models.types import UTCDateTime

__all__ = ["AUDIT_EVENTS", "AuditEntry", "AuditLogService", "register_audit_trail"]

AUDIT_EVENTS = sa.Table(
    "audit_events",
    SQLModel.metadata,
    sa.Column("event_id", sa.Uuid(), primary_key=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("subject", sa.Uuid(), nullable=False),
    sa.Column("actor", sa.String(250), nullable=True),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Index("ix_audit_events_subject", "subject", "event_id"),
)

HANDLER = "patients.audit_trail"  # its name in processed_events: keep it stable


@dataclass(frozen=True)
class AuditEntry:
    event_id: UUID
    event_type: str
    occurred_at: datetime
    subject: UUID  # the patient (or the event itself when it names none)
    actor: str | None  # who made the change (`key:<name>`, `jwt:<sub>`), from the event


class AuditLogService:
    async def record(self, session: AsyncSession, event: BaseEvent) -> None:
        subject = getattr(event, "patient_id", None) or event.event_id
        await session.execute(
            sa.insert(AUDIT_EVENTS).values(
                event_id=event.event_id,
                event_type=type(event).__name__,
                subject=subject,
                actor=event.actor,
                occurred_at=event.occurred_at,
            )
        )
        logger.debug("audit {} {} by {}", type(event).__name__, subject, event.actor or "-")

    async def entries(
        self, session: ReadSource, *, subject: UUID | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The most recent entries, newest first (of one patient when `subject` is given)."""
        query = sa.select(AUDIT_EVENTS).order_by(AUDIT_EVENTS.c.event_id.desc()).limit(limit)
        if subject is not None:
            query = query.where(AUDIT_EVENTS.c.subject == subject)
        rows = (await session.execute(query)).mappings()
        return [
            AuditEntry(r["event_id"], r["event_type"], r["occurred_at"], r["subject"], r["actor"])
            for r in rows
        ]


DOMAIN_EVENTS: tuple[type[BaseEvent], ...] = (
    PatientCreated,
    PatientUpdated,
    PatientDeleted,
    AddressChanged,
    PrimaryAddressChanged,
)


def register_audit_trail(durable: DurableHandlers, audit: AuditLogService) -> None:
    """Every domain event goes to the audit trail, durably."""

    async def record(event: BaseEvent, session: AsyncSession) -> None:
        await audit.record(session, event)

    for event_type in DOMAIN_EVENTS:
        durable.register(event_type, HANDLER, record)
