"""`GET /audit-events`: the durable audit trail, for administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api_server.api.deps import ReadConnectionDep
from api_server.auth.dependencies import requires
from api_server.auth.principal import ADMIN_SCOPE
from api_server.domains.patients.audit import AuditLogService
from api_server.services.di import Service

__all__ = ["router"]

router = APIRouter(prefix="/audit-events", tags=["audit"])


class AuditEntryRead(BaseModel):
    event_id: UUID
    event_type: str
    occurred_at: datetime
    subject: UUID
    actor: str | None


@router.get(
    "",
    response_model=list[AuditEntryRead],
    dependencies=[requires(ADMIN_SCOPE)],
)
async def list_audit_events(
    connection: ReadConnectionDep,
    audit: Annotated[AuditLogService, Service(AuditLogService)],
    subject: Annotated[UUID | None, Query(description="only this patient's entries")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[AuditEntryRead]:
    """The most recent audit entries, newest first (`admin` scope)."""
    entries = await audit.entries(connection, subject=subject, limit=limit)
    return [AuditEntryRead.model_validate(entry, from_attributes=True) for entry in entries]
