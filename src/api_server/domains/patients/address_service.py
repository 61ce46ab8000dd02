"""Addresses: the business rules and every query on the `addresses` table."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api_server.database.leases import ReadSource
from api_server.domains.patients.api_model import AddressCreate, AddressRead, AddressUpdate
from api_server.domains.patients.db_model import Address, Patient
from api_server.domains.patients.events import AddressChanged, PrimaryAddressChanged
from api_server.event_bus import EventBus, publish_after_commit
from api_server.exceptions import ResourceNotFoundError
from api_server.models.types import utcnow
from api_server.services.pagination import PageResult, keyset_page, keyset_pages
from api_server.services.versioned import versioned_delete, versioned_update

RESOURCE = "address"
_ADDRESSES: Table = Address.__table__  # type: ignore[attr-defined]


class AddressService:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def get(self, *, session: AsyncSession, address_id: UUID) -> Address:
        address = await session.get(Address, address_id)
        if address is None:
            raise ResourceNotFoundError(RESOURCE, address_id)
        return address

    async def read_many(self, *, session: ReadSource, ids: list[UUID]) -> dict[UUID, AddressRead]:
        """Read models of the addresses by id, in one query (for DataLoaders)."""
        rows = (
            await session.execute(select(_ADDRESSES).where(_ADDRESSES.c.id.in_(ids)))
        ).mappings()
        return {row["id"]: AddressRead.model_validate(row) for row in rows}

    async def pages_for_patients(
        self,
        *,
        session: ReadSource,
        patient_ids: list[UUID],
        limit: int,
        cursor: str | None = None,
    ) -> dict[UUID, PageResult[AddressRead]]:
        """A page of each patient's addresses, oldest first, in one query (for DataLoaders)."""
        return await keyset_pages(
            session,
            _ADDRESSES,
            "patient_id",
            patient_ids,
            limit=limit,
            cursor=cursor,
            read=AddressRead.model_validate,
        )

    async def list_for_patient(
        self, *, session: ReadSource, patient_id: UUID, limit: int, cursor: str | None = None
    ) -> PageResult[AddressRead]:
        patients: Table = Patient.__table__  # type: ignore[attr-defined]
        if await session.scalar(select(patients.c.id).where(patients.c.id == patient_id)) is None:
            raise ResourceNotFoundError("patient", patient_id)
        return await keyset_page(
            session,
            _ADDRESSES,
            _ADDRESSES.c.patient_id == patient_id,
            limit=limit,
            cursor=cursor,
            read=AddressRead.model_validate,
        )

    async def create(self, *, session: AsyncSession, data: AddressCreate) -> Address:
        if (
            await session.scalar(select(col(Patient.id)).where(col(Patient.id) == data.patient_id))
            is None
        ):
            raise ResourceNotFoundError("patient", data.patient_id)
        now = utcnow()
        address = Address(**data.model_dump(), created_at=now, updated_at=now)
        session.add(address)
        await session.flush()
        self._changed(session, address, "created")
        return address

    async def update(
        self,
        *,
        session: AsyncSession,
        address_id: UUID,
        data: AddressUpdate,
        if_match: str | None = None,
    ) -> Address:
        changes: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
        address = await versioned_update(
            session,
            Address,
            address_id,
            resource=RESOURCE,
            expected=data.version,
            changes=changes,
            if_match=if_match,
        )
        self._changed(session, address, "updated")
        return address

    async def delete(
        self, *, session: AsyncSession, address_id: UUID, if_match: str | None = None
    ) -> None:
        # Locked (PostgreSQL) before the patients are looked at: a concurrent request choosing
        # this address as primary holds a key-share lock on it until it commits, so this
        # waits and then sees that patient; one that comes later finds no address (404).
        address = await session.scalar(
            select(Address)
            .where(col(Address.id) == address_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if address is None:
            raise ResourceNotFoundError(RESOURCE, address_id)
        # A patient whose primary address goes changes too: a new version, not the silent NULL
        # the foreign key's ON DELETE SET NULL would leave. So before the delete (a failed
        # If-Match below rolls this back with the rest of the request).
        cleared = await session.execute(
            update(Patient)
            .where(col(Patient.primary_address_id) == address_id)
            .values(primary_address_id=None, version=col(Patient.version) + 1, updated_at=utcnow())
            .returning(col(Patient.id))
        )
        cleared_patients = cleared.all()
        await versioned_delete(session, Address, address_id, resource=RESOURCE, if_match=if_match)
        session.expunge(address)
        self._changed(session, address, "deleted")
        for (patient_id,) in cleared_patients:
            publish_after_commit(
                session,
                PrimaryAddressChanged(patient_id=patient_id, address_id=None),
                bus=self._bus,
            )

    def _changed(self, session: AsyncSession, address: Address, change: str) -> None:
        publish_after_commit(
            session,
            AddressChanged(address_id=address.id, patient_id=address.patient_id, change=change),
            bus=self._bus,
        )
