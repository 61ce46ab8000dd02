"""DataLoaders: one query per kind of relation per execution step, never one per row.

Each is built once per request by `info.context.loader(factory)`; all SQL stays in the
services (`read_many`, `list_for_patients`).
"""

from __future__ import annotations

from uuid import UUID

from strawberry.dataloader import DataLoader

from api_server.domains.patients.address_service import AddressService
from api_server.domains.patients.api_model import AddressRead, PatientRead
from api_server.domains.patients.service import PatientService
from api_server.graphql.context import GraphQLContext

__all__ = ["addresses_by_patient", "address_by_id", "patient_by_id"]


def patient_by_id(context: GraphQLContext) -> DataLoader[UUID, PatientRead | None]:
    async def load(ids: list[UUID]) -> list[PatientRead | None]:
        async with context.read() as session:
            found = await context.service(PatientService).read_many(session=session, ids=ids)
        return [found.get(key) for key in ids]

    return DataLoader(load)


def address_by_id(context: GraphQLContext) -> DataLoader[UUID, AddressRead | None]:
    async def load(ids: list[UUID]) -> list[AddressRead | None]:
        async with context.read() as session:
            found = await context.service(AddressService).read_many(session=session, ids=ids)
        return [found.get(key) for key in ids]

    return DataLoader(load)


def addresses_by_patient(context: GraphQLContext) -> DataLoader[UUID, list[AddressRead]]:
    async def load(patient_ids: list[UUID]) -> list[list[AddressRead]]:
        async with context.read() as session:
            grouped = await context.service(AddressService).list_for_patients(
                session=session, patient_ids=patient_ids
            )
        return [grouped.get(key, []) for key in patient_ids]

    return DataLoader(load)
