"""Mutation root. Every field is non-null, so a failed one nulls `data` and the operation's
transaction rolls back (see `DatabaseTransaction`); domain errors carry the REST `code`."""

from __future__ import annotations

import strawberry

from api_server.graphql.inputs import (
    AddressCreateInput,
    AddressUpdateInput,
    PatientCreateInput,
    PatientUpdateInput,
    parse_id,
    validated,
)
from api_server.graphql.types import Address, Info, Patient
from api_server.models.api_model import (
    AddressCreate,
    AddressUpdate,
    PatientCreate,
    PatientUpdate,
    PrimaryAddressUpdate,
)
from api_server.services.address_service import AddressService
from api_server.services.patient_service import PatientService

__all__ = ["Mutation"]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a patient, optionally with addresses.")
    async def create_patient(self, info: Info, input: PatientCreateInput) -> Patient:
        data = validated(PatientCreate, input)
        async with info.context.write() as session:
            row = await info.context.service(PatientService).create(session=session, data=data)
        return Patient.from_row(row)

    @strawberry.mutation(description="Change some fields; `input.version` must be current.")
    async def update_patient(
        self, info: Info, id: strawberry.ID, input: PatientUpdateInput
    ) -> Patient:
        patient_id = parse_id(id, "id")
        data = validated(PatientUpdate, input)
        async with info.context.write() as session:
            row = await info.context.service(PatientService).update(
                session=session, patient_id=patient_id, data=data
            )
        return Patient.from_row(row)

    @strawberry.mutation(description="Delete a patient and its addresses.")
    async def delete_patient(self, info: Info, id: strawberry.ID) -> bool:
        patient_id = parse_id(id, "id")
        async with info.context.write() as session:
            await info.context.service(PatientService).delete(
                session=session, patient_id=patient_id
            )
        return True

    @strawberry.mutation(description="Choose (or clear, with null) the primary address.")
    async def set_primary_address(
        self,
        info: Info,
        patient_id: strawberry.ID,
        address_id: strawberry.ID | None = None,
        version: int | None = None,
    ) -> Patient:
        pk = parse_id(patient_id, "patientId")
        data = validated(
            PrimaryAddressUpdate, {}, path="arguments", address_id=address_id, version=version
        )
        async with info.context.write() as session:
            row = await info.context.service(PatientService).set_primary_address(
                session=session, patient_id=pk, address_id=data.address_id, version=data.version
            )
        return Patient.from_row(row)

    @strawberry.mutation(description="Add an address to an existing patient.")
    async def create_address(self, info: Info, input: AddressCreateInput) -> Address:
        data = validated(AddressCreate, input)
        async with info.context.write() as session:
            row = await info.context.service(AddressService).create(session=session, data=data)
        return Address.from_row(row)

    @strawberry.mutation(description="Change some fields; `input.version` must be current.")
    async def update_address(
        self, info: Info, id: strawberry.ID, input: AddressUpdateInput
    ) -> Address:
        address_id = parse_id(id, "id")
        data = validated(AddressUpdate, input)
        async with info.context.write() as session:
            row = await info.context.service(AddressService).update(
                session=session, address_id=address_id, data=data
            )
        return Address.from_row(row)

    @strawberry.mutation(description="Delete an address (a patient using it gets none).")
    async def delete_address(self, info: Info, id: strawberry.ID) -> bool:
        address_id = parse_id(id, "id")
        async with info.context.write() as session:
            await info.context.service(AddressService).delete(
                session=session, address_id=address_id
            )
        return True
