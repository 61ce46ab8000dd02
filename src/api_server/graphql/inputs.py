"""Input types, and their conversion to the REST API models: one set of validation rules.

A GraphQL input is turned into a plain dict (fields left out stay out, so partial updates
and "may be omitted but not null" behave as in REST) and validated by the pydantic model.
Failures become `ValidationFailedError` listing field paths in GraphQL's camelCase, never
the submitted values.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import strawberry
from pydantic import BaseModel, ValidationError

from api_server.exceptions import ValidationFailedError
from api_server.graphql.types import AddressType, Sex

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "AddressCreateInput",
    "AddressInput",
    "AddressUpdateInput",
    "PatientCreateInput",
    "PatientUpdateInput",
    "parse_id",
    "validated",
]

UNSET: Any = strawberry.UNSET


@strawberry.input(description="An address given inline when creating a patient.")
class AddressInput:
    type: AddressType
    street: str
    city: str
    postal_code: str
    country: str


@strawberry.input
class AddressCreateInput:
    patient_id: strawberry.ID
    type: AddressType
    street: str
    city: str
    postal_code: str
    country: str


@strawberry.input(description="Partial update: only the fields sent change.")
class AddressUpdateInput:
    version: int = strawberry.field(description="The version the client last read.")
    type: AddressType | None = UNSET
    street: str | None = UNSET
    city: str | None = UNSET
    postal_code: str | None = UNSET
    country: str | None = UNSET


@strawberry.input
class PatientCreateInput:
    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex
    patient_id: str | None = strawberry.field(
        default=UNSET, description="Human-friendly identifier; generated when omitted."
    )
    conditions: list[str] | None = UNSET
    allergies: list[str] | None = UNSET
    addresses: list[AddressInput] | None = UNSET


@strawberry.input(description="Partial update: only the fields sent change.")
class PatientUpdateInput:
    version: int = strawberry.field(description="The version the client last read.")
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    date_of_birth: date | None = UNSET
    sex: Sex | None = UNSET
    conditions: list[str] | None = UNSET
    allergies: list[str] | None = UNSET


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):  # a strawberry input
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if getattr(value, f.name) is not strawberry.UNSET
        }
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _camel(name: str | int) -> str | int:
    if isinstance(name, int):
        return name
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _invalid(errors: list[dict[str, Any]]) -> ValidationFailedError:
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return ValidationFailedError(f"invalid input: {fields}", extensions={"errors": errors})


def validated(model: type[M], value: Any, *, path: str = "input", **extra: Any) -> M:
    """`value` (a GraphQL input) validated by `model`; raises ValidationFailedError."""
    try:
        return model.model_validate({**_plain(value), **extra})
    except ValidationError as error:
        # Only location, message and type: `input` and `ctx` can quote the submitted value.
        raise _invalid(
            [
                {
                    "loc": [path, *(_camel(p) for p in item["loc"])],
                    "msg": item["msg"],
                    "type": item["type"],
                }
                for item in error.errors(include_input=False, include_url=False)
            ]
        ) from None


def parse_id(value: str, argument: str) -> UUID:
    """A UUID argument; anything else is a VALIDATION_ERROR naming the argument."""
    try:
        return UUID(value)
    except ValueError:
        raise _invalid(
            [{"loc": [argument], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}]
        ) from None
