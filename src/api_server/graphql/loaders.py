"""DataLoaders: one query per kind of relation per execution step, never one per row."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from strawberry.dataloader import DataLoader

from api_server.models import db_model as db
from api_server.models.api_model import PatientRead
from api_server.services.address_service import AddressService
from api_server.services.patient_service import PatientService

if TYPE_CHECKING:
    from api_server.graphql.context import GraphQLContext

__all__ = ["Loaders"]


class Loaders:
    """The loaders of one request; all SQL stays in the services (`read_many`, `get_many`,
    `list_for_patients`)."""

    def __init__(self, context: GraphQLContext) -> None:
        self._context = context
        self.patient: DataLoader[UUID, PatientRead | None] = DataLoader(self._patients)
        self.address: DataLoader[UUID, db.Address | None] = DataLoader(self._addresses)
        self.addresses_by_patient: DataLoader[UUID, list[db.Address]] = DataLoader(
            self._addresses_by_patient
        )

    async def _patients(self, ids: list[UUID]) -> list[PatientRead | None]:
        async with self._context.read() as session:
            found = await self._context.service(PatientService).read_many(session=session, ids=ids)
        return [found.get(key) for key in ids]

    async def _addresses(self, ids: list[UUID]) -> list[db.Address | None]:
        async with self._context.read() as session:
            found = await self._context.service(AddressService).get_many(session=session, ids=ids)
        return [found.get(key) for key in ids]

    async def _addresses_by_patient(self, patient_ids: list[UUID]) -> list[list[db.Address]]:
        async with self._context.read() as session:
            grouped = await self._context.service(AddressService).list_for_patients(
                session=session, patient_ids=patient_ids
            )
        return [grouped.get(key, []) for key in patient_ids]
