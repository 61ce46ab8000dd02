"""GraphQL output types and inputs of patients and addresses, derived from the API models
(`graphql.derive`): only the resolvers of related objects are written here."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api_server.domains.patients.api_model import (
    AddressCreate,
    AddressInput,
    AddressRead,
    AddressUpdate,
    PatientCreate,
    PatientRead,
    PatientUpdate,
)
from api_server.domains.patients.base_model import AddressType, Sex
from api_server.domains.patients.graphql import loaders
from api_server.graphql.context import GraphQLContext
from api_server.graphql.derive import enum_from, input_from_model, type_from_model
from api_server.graphql.pagination import After, Connection, First, connection
from api_server.services.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    InvalidCursorError,
    check_page_size,
)

__all__ = [
    "Address",
    "AddressCreateInput",
    "AddressId",
    "AddressInputType",
    "AddressUpdateInput",
    "Info",
    "Patient",
    "PatientCreateInput",
    "PatientId",
    "PatientUpdateInput",
]

Info = strawberry.Info[GraphQLContext, None]

# The domain's own enums, registered with Strawberry: GraphQL and REST accept the same set.
enum_from(Sex)
enum_from(AddressType)

# The `id` arguments of the fields that find or change one record.
PatientId = Annotated[strawberry.ID, strawberry.argument(description="Id of the patient.")]
AddressId = Annotated[strawberry.ID, strawberry.argument(description="Id of the address.")]


# Resolvers return read models (`PatientRead`, `AddressRead`): the types' fields are theirs,
# resolved by attribute, and `root` is the read model being resolved.
@type_from_model(PatientRead, name="Patient")
class Patient:
    @strawberry.field(
        description=f"The patient's addresses, oldest first; `first` is 1..{MAX_LIMIT}."
    )
    async def addresses(
        self,
        root: PatientRead,
        info: Info,
        first: First = DEFAULT_LIMIT,
        after: After = None,
    ) -> Connection[Address]:
        limit = check_page_size(first, ["first"])
        try:
            page = await info.context.loader(loaders.addresses_by_patient).load(
                (root.id, limit, after)
            )
        except InvalidCursorError:
            raise InvalidCursorError(["after"]) from None
        return connection(page, lambda row: row, after=after)

    @strawberry.field(description="The address chosen as primary, if any.")
    async def primary_address(self, root: PatientRead, info: Info) -> Address | None:
        if root.primary_address_id is None:
            return None
        row = await info.context.loader(loaders.address_by_id).load(root.primary_address_id)
        return row  # type: ignore[return-value]


@type_from_model(AddressRead, name="Address")
class Address:
    @strawberry.field(description="The patient this address belongs to.")
    async def patient(self, root: AddressRead, info: Info) -> Patient:
        row = await info.context.loader(loaders.patient_by_id).load(root.patient_id)
        if row is None:  # the foreign key makes this impossible inside one transaction
            raise LookupError(f"address {root.id} has no patient")
        return row  # type: ignore[return-value]


AddressInputType = input_from_model(AddressInput, name="AddressInput")
AddressCreateInput = input_from_model(AddressCreate, name="AddressCreateInput")
AddressUpdateInput = input_from_model(AddressUpdate, name="AddressUpdateInput")
PatientCreateInput = input_from_model(
    PatientCreate, name="PatientCreateInput", nested={AddressInput: AddressInputType}
)
PatientUpdateInput = input_from_model(PatientUpdate, name="PatientUpdateInput")
