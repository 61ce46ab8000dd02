"""Typed dependencies of the domain's routes."""

from __future__ import annotations

from typing import Annotated

from api_server.domains.patients.address_service import AddressService
from api_server.domains.patients.service import PatientService
from api_server.services.di import Service

__all__ = ["AddressServiceDep", "PatientServiceDep"]

PatientServiceDep = Annotated[PatientService, Service(PatientService)]
AddressServiceDep = Annotated[AddressService, Service(AddressService)]
