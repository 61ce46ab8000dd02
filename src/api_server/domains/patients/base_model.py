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

from api_server.models.enums import described_values

__all__ = ["AddressBase", "AddressType", "PatientBase", "Sex", "clean_terms"]


@described_values(
    FEMALE="Female.",
    MALE="Male.",
    OTHER="Recorded as neither female nor male.",
    UNKNOWN="Not known, or not recorded.",
)
class Sex(StrEnum):
    """Sex recorded for the patient: `female`, `male`, `other` or `unknown` in REST; GraphQL
    spells the same values in upper case (`FEMALE`, `MALE`, `OTHER`, `UNKNOWN`)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@described_values(
    HOME="Where the patient lives.",
    WORK="Where the patient works.",
    BILLING="Where invoices for the patient go.",
    OTHER="Any other use.",
)
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
    first_name: str = Field(min_length=1, max_length=NAME_MAX, description="Given name.")
    last_name: str = Field(min_length=1, max_length=NAME_MAX, description="Family name.")
    date_of_birth: date = Field(description="Date of birth: RFC 3339 full-date (YYYY-MM-DD).")
    sex: Sex = Field(description="Sex recorded for the patient.")
    conditions: list[Term] = Field(
        default_factory=list,
        max_length=TERMS_MAX,
        sa_type=JSON,
        nullable=False,
        description="Known conditions, as short terms: trimmed, duplicates dropped (the "
        "first kept), blank ones refused.",
    )
    allergies: list[Term] = Field(
        default_factory=list,
        max_length=TERMS_MAX,
        sa_type=JSON,
        nullable=False,
        description="Known allergies, as short terms, under the rules of `conditions`.",
    )


class AddressBase(SQLModel):
    type: AddressType = Field(description="What the address is used for.")
    street: str = Field(min_length=1, max_length=200, description="Street and house number.")
    city: str = Field(min_length=1, max_length=100, description="City or town.")
    postal_code: str = Field(min_length=1, max_length=20, description="Postal or ZIP code.")
    country: str = Field(min_length=2, max_length=64, description="Country, as a name or a code.")


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
