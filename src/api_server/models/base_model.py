"""Base layer: the fields and rules a resource has, shared by the table and the API models."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlmodel import Field, SQLModel


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class AddressType(StrEnum):
    HOME = "home"
    WORK = "work"
    BILLING = "billing"
    OTHER = "other"


NAME_MAX = 100


class PatientBase(SQLModel):
    first_name: str = Field(min_length=1, max_length=NAME_MAX)
    last_name: str = Field(min_length=1, max_length=NAME_MAX, index=False)
    date_of_birth: date
    sex: Sex


class AddressBase(SQLModel):
    type: AddressType
    street: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(min_length=2, max_length=64)


def clean_terms(values: list[str]) -> list[str]:
    """Trimmed, non-empty, de-duplicated (first occurrence kept) list of short terms."""
    seen: dict[str, None] = {}
    for value in values:
        term = value.strip()
        if not term:
            raise ValueError("entries must not be blank")
        if len(term) > 100:
            raise ValueError("entries must be at most 100 characters")
        seen.setdefault(term, None)
    return list(seen)
