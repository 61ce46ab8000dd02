"""Query fields of patients and addresses. An unknown id is not a failure: lookups answer
null; failures are errors."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api_server.domains.patients.api_model import LAST_NAME_FILTER, PatientRead
from api_server.domains.patients.graphql import loaders
from api_server.domains.patients.graphql.types import (
    Address,
    AddressId,
    Info,
    Patient,
    PatientId,
)
from api_server.domains.patients.service import PatientService
from api_server.exceptions import ResourceNotFoundError
from api_server.graphql.derive import described_argument
from api_server.graphql.inputs import parse_id, text_argument
from api_server.graphql.pagination import After, Connection, First, connection
from api_server.services.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    InvalidCursorError,
    check_page_size,
)

__all__ = ["Query"]


@strawberry.type
class Query:
    @strawberry.field(description="A patient by id; null when there is none.")
    async def patient(self, info: Info, id: PatientId) -> Patient | None:
        # The service's primary-key read (cached statement, no ORM) rather than the loader's
        # IN query: this is the hot path. The row primes the loader for `address.patient`.
        pk = parse_id(id, "id")
        service = info.context.service(PatientService)
        try:
            async with info.context.read() as session:
                row = await service.read(session=session, patient_id=pk)
        except ResourceNotFoundError:
            return None  # a lookup that finds nothing, not a failure
        info.context.loader(loaders.patient_by_id).prime(pk, row)
        return row  # type: ignore[return-value]  # read models resolve as the type

    @strawberry.field(description="A patient by its human-friendly identifier; null when none.")
    async def patient_by_patient_id(
        self,
        info: Info,
        patient_id: Annotated[str, described_argument(PatientRead, "patient_id")],
    ) -> Patient | None:
        service = info.context.service(PatientService)
        try:
            async with info.context.read() as session:
                row = await service.read_by_code(
                    session=session, code=text_argument(patient_id, "patientId") or ""
                )
        except ResourceNotFoundError:
            return None  # a lookup that finds nothing, not a failure
        return row  # type: ignore[return-value]

    @strawberry.field(description=f"Patients in creation order; `first` is 1..{MAX_LIMIT}.")
    async def patients(
        self,
        info: Info,
        first: First = DEFAULT_LIMIT,
        after: After = None,
        last_name: Annotated[str | None, strawberry.argument(description=LAST_NAME_FILTER)] = None,
    ) -> Connection[Patient]:
        limit = check_page_size(first, ["first"])
        service = info.context.service(PatientService)
        try:
            async with info.context.read() as session:
                page = await service.list(
                    session=session,
                    limit=limit,
                    cursor=after,
                    last_name=text_argument(last_name, "lastName"),
                )
        except InvalidCursorError:
            raise InvalidCursorError(["after"]) from None
        return connection(page, lambda row: row, after=after)

    @strawberry.field(description="An address by id; null when there is none.")
    async def address(self, info: Info, id: AddressId) -> Address | None:
        row = await info.context.loader(loaders.address_by_id).load(parse_id(id, "id"))
        return row  # type: ignore[return-value]
