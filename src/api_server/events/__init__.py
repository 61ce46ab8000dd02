"""The sample domain's events and their handlers."""

from api_server.events.audit import AuditLogService, get_audit_log_service, register_domain_handlers
from api_server.events.patient_events import (
    AddressChanged,
    PatientCreated,
    PatientDeleted,
    PatientUpdated,
    PrimaryAddressChanged,
)

__all__ = [
    "AddressChanged",
    "AuditLogService",
    "PatientCreated",
    "PatientDeleted",
    "PatientUpdated",
    "PrimaryAddressChanged",
    "get_audit_log_service",
    "register_domain_handlers",
]
