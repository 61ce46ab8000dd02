"""DataLoaders: one query per kind of relation per execution step, never one per row.

Each is built once per request by `info.context.loader(factory)`; all SQL stays in the
services (`read_many`, `pages_for_patients`).
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from strawberry.dataloader import DataLoader

from api_server.domains.patients.address_service import AddressService
from api_server.domains.patients.api_model import AddressRead, PatientRead
from api_server.domains.patients.service import PatientService
from api_server.graphql.context import GraphQLContext
from api_server.services.pagination import PageResult

__all__ = ["AddressPageKey", "addresses_by_patient", "address_by_id", "patient_by_id"]


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


# A page of a patient's addresses: (patient id, page size, cursor after).
AddressPageKey = tuple[UUID, int, str | None]


def addresses_by_patient(
    context: GraphQLContext,
) -> DataLoader[AddressPageKey, PageResult[AddressRead]]:
    async def load(keys: list[AddressPageKey]) -> list[PageResult[AddressRead]]:
        # One query per distinct (size, cursor): in a nested query, every patient asks the
        # same first page, so that is one query for the whole level.
        wanted: dict[tuple[int, str | None], list[UUID]] = defaultdict(list)
        for patient_id, limit, cursor in keys:
            wanted[(limit, cursor)].append(patient_id)
        found: dict[AddressPageKey, PageResult[AddressRead]] = {}
        async with context.read() as session:
            for (limit, cursor), patient_ids in wanted.items():
                pages = await context.service(AddressService).pages_for_patients(
                    session=session, patient_ids=patient_ids, limit=limit, cursor=cursor
                )
                found.update({(pk, limit, cursor): page for pk, page in pages.items()})
        return [found[key] for key in keys]

    return DataLoader(load)
