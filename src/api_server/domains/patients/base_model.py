"""Base layer: the fields and rules of a patient and an address, declared once.

The table models (`db_model.py`) and the API models (`api_model.py`) inherit these classes;
GraphQL types and inputs are derived from the API models (`graphql/types.py`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

__all__ = ["AddressBase", "AddressType", "PatientBase", "Sex", "clean_terms"]


class Sex(StrEnum):
    """Sex recorded for the patient: `female`, `male`, `other` or `unknown` in REST; GraphQL
    spells the same values in upper case (`FEMALE`, `MALE`, `OTHER`, `UNKNOWN`)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class AddressType(StrEnum):
    """What an address is used for: `home`, `work`, `billing` or `other` in REST; GraphQL
    spells the same values in upper case (`HOME`, `WORK`, `BILLING`, `OTHER`)."""

    HOME = "home"
    WORK = "work"
    BILLING = "billing"
    OTHER = "other"


NAME_MAX = 100
TERM_MAX = 100
TERMS_MAX = 50
Term = Annotated[str, StringConstraints(min_length=1, max_length=TERM_MAX)]


class PatientBase(SQLModel):
    first_name: str = Field(min_length=1, max_length=NAME_MAX)
    last_name: str = Field(min_length=1, max_length=NAME_MAX)
    date_of_birth: date
    sex: Sex
    conditions: list[Term] = Field(
        default_factory=list, max_length=TERMS_MAX, sa_type=JSON, nullable=False
    )
    allergies: list[Term] = Field(
        default_factory=list, max_length=TERMS_MAX, sa_type=JSON, nullable=False
    )


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
        if len(term) > TERM_MAX:
            raise ValueError(f"entries must be at most {TERM_MAX} characters")
        seen.setdefault(term, None)
    return list(seen)
