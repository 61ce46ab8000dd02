"""Typed dependencies: a route's signature reads like documentation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query

from api_server.database.connection import ReadConnectionDep, SessionDep
from api_server.services.address_service import AddressService
from api_server.services.di import Service
from api_server.services.pagination import DEFAULT_LIMIT, MAX_LIMIT
from api_server.services.patient_service import PatientService

__all__ = [
    "AddressServiceDep",
    "CursorQuery",
    "IfMatchHeader",
    "LimitQuery",
    "PatientServiceDep",
    "ReadConnectionDep",
    "SessionDep",
]

PatientServiceDep = Annotated[PatientService, Service(PatientService)]
AddressServiceDep = Annotated[AddressService, Service(AddressService)]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")]
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
]
IfMatchHeader = Annotated[
    str | None, Header(description="ETag the client last read; a mismatch answers 412.")
]
DEFAULT_PAGE_SIZE = DEFAULT_LIMIT
