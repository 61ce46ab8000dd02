"""Mutation fields of patients and addresses. Every field is non-null, so a failed one nulls
`data` and the operation's transaction rolls back (see `DatabaseTransaction`); domain errors
carry the REST `code`."""

from __future__ import annotations

import strawberry

from api_server.domains.patients.address_service import AddressService
from api_server.domains.patients.api_model import (
    AddressCreate,
    AddressRead,
    AddressUpdate,
    PatientCreate,
    PatientRead,
    PatientUpdate,
    PrimaryAddressUpdate,
)
from api_server.domains.patients.graphql.types import (
    Address,
    AddressCreateInput,
    AddressUpdateInput,
    Info,
    Patient,
    PatientCreateInput,
    PatientUpdateInput,
)
from api_server.domains.patients.service import PatientService
from api_server.graphql.inputs import parse_id, validated

__all__ = ["Mutation"]

# Mutations return read models, which resolve as the GraphQL types (`graphql/types.py`).


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a patient, optionally with addresses.")
    async def create_patient(self, info: Info, input: PatientCreateInput) -> Patient:  # type: ignore[valid-type]
        data = validated(PatientCreate, input)
        async with info.context.write() as session:
            row = await info.context.service(PatientService).create(session=session, data=data)
        return PatientRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Change some fields; `input.version` must be current.")
    async def update_patient(
        self,
        info: Info,
        id: strawberry.ID,
        input: PatientUpdateInput,  # type: ignore[valid-type]
    ) -> Patient:
        patient_id = parse_id(id, "id")
        data = validated(PatientUpdate, input)
        async with info.context.write() as session:
            row = await info.context.service(PatientService).update(
                session=session, patient_id=patient_id, data=data
            )
        return PatientRead.model_validate(row)  # type: ignore[return-value]

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
        return PatientRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Add an address to an existing patient.")
    async def create_address(self, info: Info, input: AddressCreateInput) -> Address:  # type: ignore[valid-type]
        data = validated(AddressCreate, input)
        async with info.context.write() as session:
            row = await info.context.service(AddressService).create(session=session, data=data)
        return AddressRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Change some fields; `input.version` must be current.")
    async def update_address(
        self,
        info: Info,
        id: strawberry.ID,
        input: AddressUpdateInput,  # type: ignore[valid-type]
    ) -> Address:
        address_id = parse_id(id, "id")
        data = validated(AddressUpdate, input)
        async with info.context.write() as session:
            row = await info.context.service(AddressService).update(
                session=session, address_id=address_id, data=data
            )
        return AddressRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an address (a patient using it gets none).")
    async def delete_address(self, info: Info, id: strawberry.ID) -> bool:
        address_id = parse_id(id, "id")
        async with info.context.write() as session:
            await info.context.service(AddressService).delete(
                session=session, address_id=address_id
            )
        return True
