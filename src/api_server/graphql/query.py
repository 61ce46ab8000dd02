"""Query root. An unknown id is not a failure: lookups answer null; failures are errors."""

from __future__ import annotations

import strawberry

from api_server.exceptions import ResourceNotFoundError, ValidationFailedError
from api_server.graphql.inputs import parse_id
from api_server.graphql.types import (
    Address,
    Info,
    PageInfo,
    Patient,
    PatientConnection,
    PatientEdge,
)
from api_server.services.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    InvalidCursorError,
    encode_cursor,
)
from api_server.services.patient_service import PatientService

__all__ = ["Query"]


def _argument_error(argument: str, message: str) -> ValidationFailedError:
    return ValidationFailedError(
        f"invalid argument: {argument}",
        extensions={"errors": [{"loc": [argument], "msg": message, "type": "value_error"}]},
    )


@strawberry.type
class Query:
    @strawberry.field(description="A patient by id; null when there is none.")
    async def patient(self, info: Info, id: strawberry.ID) -> Patient | None:
        # The service's primary-key read (cached statement, no ORM) rather than the loader's
        # IN query: this is the hot path. The row primes the loader for `address.patient`.
        pk = parse_id(id, "id")
        service = info.context.service(PatientService)
        try:
            async with info.context.read() as session:
                row = await service.read(session=session, patient_id=pk)
        except ResourceNotFoundError:
            return None  # a lookup that finds nothing, not a failure
        info.context.loaders.patient.prime(pk, row)
        return Patient.from_row(row)

    @strawberry.field(description="A patient by its human-friendly identifier; null when none.")
    async def patient_by_patient_id(self, info: Info, patient_id: str) -> Patient | None:
        service = info.context.service(PatientService)
        try:
            async with info.context.read() as session:
                row = await service.get_by_code(session=session, code=patient_id)
        except ResourceNotFoundError:
            return None  # a lookup that finds nothing, not a failure
        return Patient.from_row(row)

    @strawberry.field(description=f"Patients in creation order; `first` is 1..{MAX_LIMIT}.")
    async def patients(
        self,
        info: Info,
        first: int | None = DEFAULT_LIMIT,
        after: str | None = None,
        last_name: str | None = None,
    ) -> PatientConnection:
        first = DEFAULT_LIMIT if first is None else first
        if not 1 <= first <= MAX_LIMIT:
            raise _argument_error("first", f"must be between 1 and {MAX_LIMIT}")
        service = info.context.service(PatientService)
        try:
            async with info.context.read() as session:
                page = await service.list(
                    session=session, limit=first, cursor=after, last_name=last_name
                )
        except InvalidCursorError:
            raise _argument_error("after", "invalid cursor") from None
        edges = [
            PatientEdge(cursor=encode_cursor(row.id), node=Patient.from_row(row))
            for row in page.items
        ]
        return PatientConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.next_cursor is not None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="An address by id; null when there is none.")
    async def address(self, info: Info, id: strawberry.ID) -> Address | None:
        row = await info.context.loaders.address.load(parse_id(id, "id"))
        return None if row is None else Address.from_row(row)
