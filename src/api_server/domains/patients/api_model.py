"""API layer: what clients send and receive. Create and read models inherit the base layer;
update models list the fields a client may change (all optional) once."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from api_server.domains.patients.base_model import (
    NAME_MAX,
    TERMS_MAX,
    AddressBase,
    AddressType,
    PatientBase,
    Sex,
    Term,
    clean_terms,
)
from api_server.models.api import (
    CreatedAt,
    InputModel,
    PartialUpdate,
    ReadModel,
    RecordId,
    RecordVersion,
    UpdatedAt,
    Version,
    descriptions_from,
)

__all__ = [
    "AddressCreate",
    "AddressInput",
    "AddressRead",
    "AddressUpdate",
    "PatientCreate",
    "PatientRead",
    "PatientUpdate",
    "PrimaryAddressUpdate",
]

PatientCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
]
MAX_ADDRESSES_PER_CREATE = 20
# The list filter, described once for REST's `last_name` and GraphQL's `lastName`.
LAST_NAME_FILTER = "Only patients whose last name is exactly this (case-sensitive)."


class _CleanTerms:
    @field_validator("conditions", "allergies", mode="after", check_fields=False)
    @classmethod
    def _clean(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else clean_terms(values)


# -- addresses -----------------------------------------------------------------------------


class AddressInput(InputModel, AddressBase):  # type: ignore[misc]  # ConfigDict vs SQLModelConfig
    """An address given inline when creating a patient."""


class AddressCreate(AddressInput):
    """A new address of an existing patient."""

    patient_id: UUID = Field(description="Id of the patient the address is for.")


@descriptions_from(AddressBase)
class AddressUpdate(PartialUpdate):
    """Partial update: only the fields sent change; `version` is required."""

    type: AddressType | None = None
    street: str | None = Field(default=None, min_length=1, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)
    country: str | None = Field(default=None, min_length=2, max_length=64)
    version: Version


class AddressRead(ReadModel, AddressBase):  # type: ignore[misc]  # as above
    """An address of a patient."""

    id: RecordId
    patient_id: UUID = Field(description="Id of the patient the address belongs to.")
    created_at: CreatedAt
    updated_at: UpdatedAt
    version: RecordVersion


# -- patients ------------------------------------------------------------------------------


class PatientCreate(_CleanTerms, InputModel, PatientBase):  # type: ignore[misc]  # as above
    """A new patient, optionally with addresses."""

    patient_id: PatientCode | None = Field(
        default=None, description="Human-friendly identifier; generated when omitted."
    )
    addresses: list[AddressInput] = Field(
        default_factory=list,
        max_length=MAX_ADDRESSES_PER_CREATE,
        description=f"Addresses created with the patient (at most {MAX_ADDRESSES_PER_CREATE}).",
    )


@descriptions_from(PatientBase)
class PatientUpdate(_CleanTerms, PartialUpdate):
    """Partial update: only the fields sent change; `version` is required."""

    first_name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    last_name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    date_of_birth: date | None = None
    sex: Sex | None = None
    conditions: list[Term] | None = Field(default=None, max_length=TERMS_MAX)
    allergies: list[Term] | None = Field(default=None, max_length=TERMS_MAX)
    version: Version


class PrimaryAddressUpdate(InputModel):
    """The patient's primary address: one of its addresses, or none."""

    address_id: UUID | None = Field(
        description="Id of one of the patient's addresses; null for none."
    )
    version: Version | None = Field(
        default=None, description="When sent, must equal the patient's current version."
    )


class PatientRead(ReadModel, PatientBase):  # type: ignore[misc]  # as above
    """A patient."""

    id: RecordId
    patient_id: str = Field(
        description="Human-friendly identifier: the one chosen at creation, or a generated "
        "`P-XXXX-XXXX`."
    )
    primary_address_id: UUID | None = Field(
        description="Id of the address chosen as primary; null for none."
    )
    created_at: CreatedAt
    updated_at: UpdatedAt
    version: RecordVersion
