"""Output types: `Patient`, `Address` and the Relay-style `PatientConnection`."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import strawberry

from api_server.graphql.context import GraphQLContext
from api_server.models import db_model as db
from api_server.models.api_model import PatientRead
from api_server.models.base_model import AddressType, Sex

__all__ = [
    "Address",
    "AddressType",
    "Info",
    "PageInfo",
    "Patient",
    "PatientConnection",
    "PatientEdge",
    "Sex",
]

Info = strawberry.Info[GraphQLContext, None]

# The domain's own enums, registered with Strawberry: GraphQL and REST accept the same set.
strawberry.enum(Sex)
strawberry.enum(AddressType)


@strawberry.type(name="Patient")
class Patient:
    id: strawberry.ID
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex
    conditions: list[str]
    allergies: list[str]
    primary_address_id: strawberry.ID | None
    created_at: datetime
    updated_at: datetime
    version: int
    pk: strawberry.Private[UUID]
    primary_pk: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: db.Patient | PatientRead) -> Patient:
        primary = row.primary_address_id
        return cls(
            id=strawberry.ID(str(row.id)),
            patient_id=row.patient_id,
            first_name=row.first_name,
            last_name=row.last_name,
            date_of_birth=row.date_of_birth,
            sex=row.sex,
            conditions=list(row.conditions),
            allergies=list(row.allergies),
            primary_address_id=None if primary is None else strawberry.ID(str(primary)),
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            pk=row.id,
            primary_pk=primary,
        )

    @strawberry.field(description="Every address of the patient, oldest first.")
    async def addresses(self, info: Info) -> list[Address]:
        rows = await info.context.loaders.addresses_by_patient.load(self.pk)
        return [Address.from_row(row) for row in rows]

    @strawberry.field(description="The address chosen as primary, if any.")
    async def primary_address(self, info: Info) -> Address | None:
        if self.primary_pk is None:
            return None
        row = await info.context.loaders.address.load(self.primary_pk)
        return None if row is None else Address.from_row(row)


@strawberry.type(name="Address")
class Address:
    id: strawberry.ID
    patient_id: strawberry.ID
    type: AddressType
    street: str
    city: str
    postal_code: str
    country: str
    created_at: datetime
    updated_at: datetime
    version: int
    patient_pk: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, row: db.Address) -> Address:
        return cls(
            id=strawberry.ID(str(row.id)),
            patient_id=strawberry.ID(str(row.patient_id)),
            type=row.type,
            street=row.street,
            city=row.city,
            postal_code=row.postal_code,
            country=row.country,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            patient_pk=row.patient_id,
        )

    @strawberry.field(description="The patient this address belongs to.")
    async def patient(self, info: Info) -> Patient:
        row = await info.context.loaders.patient.load(self.patient_pk)
        if row is None:  # the foreign key makes this impossible inside one transaction
            raise LookupError(f"address {self.id} has no patient")
        return Patient.from_row(row)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class PatientEdge:
    cursor: str
    node: Patient


@strawberry.type
class PatientConnection:
    edges: list[PatientEdge]
    page_info: PageInfo
