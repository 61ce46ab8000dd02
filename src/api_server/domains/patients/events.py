"""Events of the sample domain. They carry ids and what changed, never personal data."""

from __future__ import annotations

from uuid import UUID

from api_server.event_bus import BaseEvent


class PatientCreated(BaseEvent):
    patient_id: UUID
    patient_code: str


class PatientUpdated(BaseEvent):
    patient_id: UUID
    version: int
    changed_fields: tuple[str, ...]


class PatientDeleted(BaseEvent):
    patient_id: UUID


class AddressChanged(BaseEvent):
    address_id: UUID
    patient_id: UUID
    change: str  # "created" | "updated" | "deleted"


class PrimaryAddressChanged(BaseEvent):
    patient_id: UUID
    address_id: UUID | None
