"""Patients and their addresses: one aggregate (an address belongs to one patient and goes
with it), so one domain. See docs/adding-a-resource.md for the layout of a domain folder."""

from __future__ import annotations

from api_server.domain import Domain
from api_server.domains.patients.address_router import router as address_router
from api_server.domains.patients.address_service import AddressService
from api_server.domains.patients.audit import AuditLogService, register_audit_trail
from api_server.domains.patients.audit_router import router as audit_router
from api_server.domains.patients.router import router as patient_router
from api_server.domains.patients.sample_data import seed_sample_patients
from api_server.domains.patients.service import PatientService
from api_server.event_bus import EventBus
from api_server.event_bus.relay import DurableHandlers
from api_server.services.registry import ServiceRegistry

__all__ = ["DOMAIN"]


def _register(registry: ServiceRegistry) -> None:
    bus = registry.get(EventBus)
    registry.register_singleton(PatientService, PatientService(bus))
    registry.register_singleton(AddressService, AddressService(bus))
    audit = AuditLogService()
    registry.register_singleton(AuditLogService, audit)
    register_audit_trail(registry.get(DurableHandlers), audit)


DOMAIN = Domain(
    name="patients",
    read_scope="patients:read",  # reads of patients and addresses, GraphQL queries
    write_scope="patients:write",  # every change, GraphQL mutations
    routers=(patient_router, address_router, audit_router),
    tags={
        "patients": "Patients: create (with addresses), list a page at a time, read, change "
        "(naming the version read), delete; choose the primary address.",
        "addresses": "A patient's addresses: each belongs to one patient and goes with it.",
        "audit": "The durable audit trail of patient changes, newest first (`admin` scope).",
    },
    register=_register,
    graphql_query="api_server.domains.patients.graphql.query:Query",
    graphql_mutation="api_server.domains.patients.graphql.mutation:Mutation",
    home_link="/patients",
    seed=seed_sample_patients,
)
