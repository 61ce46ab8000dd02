"""Mutation fields of patients and addresses. Every field is non-null, so a failed one nulls
`data` and the operation's transaction rolls back (see `DatabaseTransaction`); domain errors
carry the REST `code`."""

from __future__ import annotations

from typing import Annotated

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
    AddressId,
    AddressUpdateInput,
    Info,
    Patient,
    PatientCreateInput,
    PatientId,
    PatientUpdateInput,
)
from api_server.domains.patients.service import PatientService
from api_server.graphql.derive import described_argument
from api_server.graphql.inputs import parse_id, validated

__all__ = ["Mutation"]

# Mutations return read models, which resolve as the GraphQL types (`graphql/types.py`).

# The `input` arguments: what changes is described by each input type's fields.
NewPatient = Annotated[PatientCreateInput, strawberry.argument(description="The new patient.")]  # type: ignore[valid-type]
PatientChanges = Annotated[
    PatientUpdateInput,  # type: ignore[valid-type]
    strawberry.argument(description="The fields to change, and the version last read."),
]
NewAddress = Annotated[AddressCreateInput, strawberry.argument(description="The new address.")]  # type: ignore[valid-type]
AddressChanges = Annotated[
    AddressUpdateInput,  # type: ignore[valid-type]
    strawberry.argument(description="The fields to change, and the version last read."),
]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a patient, optionally with addresses.")
    async def create_patient(self, info: Info, input: NewPatient) -> Patient:
        data = validated(PatientCreate, input)
        async with info.context.write() as session:
            row = await info.context.service(PatientService).create(session=session, data=data)
        return PatientRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Change some fields; `input.version` must be current.")
    async def update_patient(
        self,
        info: Info,
        id: PatientId,
        input: PatientChanges,
    ) -> Patient:
        patient_id = parse_id(id, "id")
        data = validated(PatientUpdate, input)
        async with info.context.write() as session:
            row = await info.context.service(PatientService).update(
                session=session, patient_id=patient_id, data=data
            )
        return PatientRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete a patient and its addresses.")
    async def delete_patient(self, info: Info, id: PatientId) -> bool:
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
        patient_id: Annotated[strawberry.ID, strawberry.argument(description="Id of the patient.")],
        address_id: Annotated[
            strawberry.ID | None, described_argument(PrimaryAddressUpdate, "address_id")
        ] = None,
        version: Annotated[int | None, described_argument(PrimaryAddressUpdate, "version")] = None,
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
    async def create_address(self, info: Info, input: NewAddress) -> Address:
        data = validated(AddressCreate, input)
        async with info.context.write() as session:
            row = await info.context.service(AddressService).create(session=session, data=data)
        return AddressRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Change some fields; `input.version` must be current.")
    async def update_address(
        self,
        info: Info,
        id: AddressId,
        input: AddressChanges,
    ) -> Address:
        address_id = parse_id(id, "id")
        data = validated(AddressUpdate, input)
        async with info.context.write() as session:
            row = await info.context.service(AddressService).update(
                session=session, address_id=address_id, data=data
            )
        return AddressRead.model_validate(row)  # type: ignore[return-value]

    @strawberry.mutation(description="Delete an address (a patient using it gets none).")
    async def delete_address(self, info: Info, id: AddressId) -> bool:
        address_id = parse_id(id, "id")
        async with info.context.write() as session:
            await info.context.service(AddressService).delete(
                session=session, address_id=address_id
            )
        return True
