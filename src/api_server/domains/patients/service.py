"""Patients: the business rules and every query on the `patients` table.

Services take the request's session, `flush()` but never commit (the session's owner does),
and raise domain errors. Events are bound to the transaction: delivered after COMMIT only.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api_server.database.leases import ReadSource
from api_server.domains.patients.api_model import PatientCreate, PatientRead, PatientUpdate
from api_server.domains.patients.db_model import Address, Patient
from api_server.domains.patients.events import (
    PatientCreated,
    PatientDeleted,
    PatientUpdated,
    PrimaryAddressChanged,
)
from api_server.event_bus import EventBus, publish_after_commit
from api_server.exceptions import (
    ResourceConflictError,
    ResourceNotFoundError,
    ValidationFailedError,
)
from api_server.models.types import utcnow
from api_server.services.pagination import PageResult, keyset_page
from api_server.services.versioned import versioned_delete, versioned_update

RESOURCE = "patient"
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_CODE_ATTEMPTS = 5

# Reads that only display a patient select the table's columns and validate them straight into
# the read model: no ORM instance, identity map or attribute instrumentation (see
# docs/performance.md). A Core statement does not autoflush: it sees what the session has
# flushed, which every method of this service does before it returns.
_PATIENTS: Table = Patient.__table__  # type: ignore[attr-defined]
_READ_ONE = select(_PATIENTS).where(_PATIENTS.c.id == bindparam("id"))
_READ_MANY = select(_PATIENTS).where(_PATIENTS.c.id.in_(bindparam("ids", expanding=True)))
_READ_BY_CODE = select(_PATIENTS).where(_PATIENTS.c.patient_id == bindparam("code"))


def new_patient_code() -> str:
    """`P-XXXX-XXXX`: 40 random bits, readable aloud; uniqueness is enforced on insert."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"P-{chars[:4]}-{chars[4:]}"


class PatientService:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def get(self, *, session: AsyncSession, patient_id: UUID) -> Patient:
        patient = await session.get(Patient, patient_id)
        if patient is None:
            raise ResourceNotFoundError(RESOURCE, patient_id)
        return patient

    async def read(self, *, session: ReadSource, patient_id: UUID) -> PatientRead:
        """The patient as the API shows it (read model); 404 when there is none.

        For display only: changes go through `get()` and the ORM. `session` may be a read
        connection (`ReadConnectionDep`): no ORM is involved.
        """
        row = (await session.execute(_READ_ONE, {"id": patient_id})).mappings().first()
        if row is None:
            raise ResourceNotFoundError(RESOURCE, patient_id)
        return PatientRead.model_validate(row)

    async def read_by_code(self, *, session: ReadSource, code: str) -> PatientRead:
        """The patient with the human-friendly identifier `code`, as `read()`."""
        row = (await session.execute(_READ_BY_CODE, {"code": code})).mappings().first()
        if row is None:
            raise ResourceNotFoundError(RESOURCE, code)
        return PatientRead.model_validate(row)

    async def read_many(self, *, session: ReadSource, ids: list[UUID]) -> dict[UUID, PatientRead]:
        """Read models of the patients by id, in one query (for DataLoaders)."""
        rows = (await session.execute(_READ_MANY, {"ids": ids})).mappings()
        return {row["id"]: PatientRead.model_validate(row) for row in rows}

    async def list(
        self,
        *,
        session: ReadSource,
        limit: int,
        cursor: str | None = None,
        last_name: str | None = None,
    ) -> PageResult[PatientRead]:
        conditions: list[ColumnElement[bool]] = []
        if last_name is not None:
            conditions.append(_PATIENTS.c.last_name == last_name)
        return await keyset_page(
            session,
            _PATIENTS,
            *conditions,
            limit=limit,
            cursor=cursor,
            read=PatientRead.model_validate,
        )

    async def create(self, *, session: AsyncSession, data: PatientCreate) -> Patient:
        fields = data.model_dump(exclude={"addresses", "patient_id"})
        patient = await self._insert_with_code(session, fields, data.patient_id)
        now = patient.created_at
        for address in data.addresses:
            session.add(
                Address(
                    **address.model_dump(), patient_id=patient.id, created_at=now, updated_at=now
                )
            )
        await session.flush()
        publish_after_commit(
            session,
            PatientCreated(patient_id=patient.id, patient_code=patient.patient_id),
            bus=self._bus,
        )
        return patient

    async def _insert_with_code(
        self, session: AsyncSession, fields: dict[str, Any], code: str | None
    ) -> Patient:
        attempts = 1 if code is not None else _CODE_ATTEMPTS
        for _ in range(attempts):
            now = utcnow()
            patient = Patient(
                **fields, patient_id=code or new_patient_code(), created_at=now, updated_at=now
            )
            try:
                async with session.begin_nested():  # a clash undoes only this insert
                    session.add(patient)
                    await session.flush()
            except IntegrityError:
                if await self._code_taken(session, patient.patient_id):
                    continue
                raise
            return patient
        if code is not None:
            raise ResourceConflictError(
                f"patient_id {code} is already taken", extensions={"field": "patient_id"}
            )
        raise ResourceConflictError("could not generate a free patient_id; try again")

    async def _code_taken(self, session: AsyncSession, code: str) -> bool:
        return (
            await session.scalar(select(col(Patient.id)).where(col(Patient.patient_id) == code))
            is not None
        )

    async def update(
        self,
        *,
        session: AsyncSession,
        patient_id: UUID,
        data: PatientUpdate,
        if_match: str | None = None,
    ) -> Patient:
        changes = data.model_dump(exclude_unset=True, exclude={"version"})
        patient = await versioned_update(
            session,
            Patient,
            patient_id,
            resource=RESOURCE,
            expected=data.version,
            changes=changes,
            if_match=if_match,
        )
        publish_after_commit(
            session,
            PatientUpdated(
                patient_id=patient.id,
                version=patient.version,
                changed_fields=tuple(sorted(changes)),
            ),
            bus=self._bus,
        )
        return patient

    async def set_primary_address(
        self,
        *,
        session: AsyncSession,
        patient_id: UUID,
        address_id: UUID | None,
        version: int | None = None,
        if_match: str | None = None,
    ) -> Patient:
        await self.get(session=session, patient_id=patient_id)  # 404 before judging the address
        if address_id is not None:
            # FOR KEY SHARE (PostgreSQL): the address cannot be deleted until this request
            # ends, so a concurrent delete sees the new primary and clears it with a new
            # version and an event, never a silent ON DELETE SET NULL. Edits of the address
            # are not blocked.
            owner = await session.scalar(
                select(col(Address.patient_id))
                .where(col(Address.id) == address_id)
                .with_for_update(read=True, key_share=True)
            )
            if owner is None:
                raise ResourceNotFoundError("address", address_id)
            if owner != patient_id:
                raise ValidationFailedError(
                    f"address {address_id} belongs to another patient",
                    extensions={"field": "address_id"},
                )
        patient = await versioned_update(
            session,
            Patient,
            patient_id,
            resource=RESOURCE,
            expected=version,  # None: no version sent, the change applies to the current one
            changes={"primary_address_id": address_id},
            if_match=if_match,
        )
        publish_after_commit(
            session,
            PrimaryAddressChanged(patient_id=patient_id, address_id=address_id),
            bus=self._bus,
        )
        return patient

    async def delete(
        self, *, session: AsyncSession, patient_id: UUID, if_match: str | None = None
    ) -> None:
        # Addresses go with it (ON DELETE CASCADE in the schema).
        await versioned_delete(session, Patient, patient_id, resource=RESOURCE, if_match=if_match)
        publish_after_commit(session, PatientDeleted(patient_id=patient_id), bus=self._bus)
