"""API layer: what clients send and receive. Separate create / update / read models; unknown
fields are rejected; read models expose only what a client may see.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Self, TypeVar
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from api_server.models.base_model import (
    NAME_MAX,
    AddressBase,
    AddressType,
    PatientBase,
    Sex,
    clean_terms,
)

T = TypeVar("T")

PatientCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
]
Term = Annotated[str, StringConstraints(max_length=100)]
Terms = Annotated[list[Term], Field(max_length=50)]
Version = Annotated[int, Field(ge=1, description="The version the client last read.")]
MAX_ADDRESSES_PER_CREATE = 20


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _PartialUpdate(_Input):
    """Fields left out stay unchanged; sending `null` for a required field is an error."""

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} may be omitted but not null")
        return self


class _TermsInput(_Input):
    @field_validator("conditions", "allergies", mode="after", check_fields=False)
    @classmethod
    def _clean(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else clean_terms(values)


# -- addresses -----------------------------------------------------------------------------


class AddressInput(_Input, AddressBase):  # type: ignore[misc]  # ConfigDict vs SQLModelConfig
    """An address given inline when creating a patient."""


class AddressCreate(AddressInput):
    patient_id: UUID


class AddressUpdate(_PartialUpdate):
    """Partial update: only the fields sent change; `version` is required."""

    type: AddressType | None = None
    street: str | None = Field(default=None, min_length=1, max_length=200)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)
    country: str | None = Field(default=None, min_length=2, max_length=64)
    version: Version


class AddressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    patient_id: UUID
    type: AddressType
    street: str
    city: str
    postal_code: str
    country: str
    created_at: datetime
    updated_at: datetime
    version: int


# -- patients ------------------------------------------------------------------------------


class PatientCreate(_TermsInput, PatientBase):  # type: ignore[misc]  # as above
    patient_id: PatientCode | None = Field(
        default=None, description="Human-friendly identifier; generated when omitted."
    )
    conditions: Terms = Field(default_factory=list)
    allergies: Terms = Field(default_factory=list)
    addresses: list[AddressInput] = Field(default_factory=list, max_length=MAX_ADDRESSES_PER_CREATE)


class PatientUpdate(_PartialUpdate, _TermsInput):
    """Partial update: only the fields sent change; `version` is required."""

    first_name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    last_name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    date_of_birth: date | None = None
    sex: Sex | None = None
    conditions: Terms | None = None
    allergies: Terms | None = None
    version: Version


class PrimaryAddressUpdate(_Input):
    address_id: UUID | None
    version: Version | None = Field(
        default=None, description="When sent, must equal the patient's current version."
    )


class PatientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex
    conditions: list[str]
    allergies: list[str]
    primary_address_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")
