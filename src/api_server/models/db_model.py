"""Database layer: SQLModel tables. The migrations in database/migrations create exactly these.

(No `from __future__ import annotations` here: SQLModel reads the annotations at class creation.)
"""

from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

from sqlalchemy import JSON, Column, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlmodel import Field, Relationship, SQLModel

from api_server.ids import uuid7
from api_server.models.base_model import AddressType, Sex
from api_server.models.types import UTCDateTime, utcnow

metadata = SQLModel.metadata


class TimestampedVersioned(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, nullable=False)


class Patient(TimestampedVersioned, table=True):
    __tablename__: ClassVar[str] = "patients"
    __table_args__ = (
        UniqueConstraint("patient_id", name="uq_patients_patient_id"),
        Index("ix_patients_last_name_id", "last_name", "id"),
    )

    id: UUID = Field(default_factory=uuid7, sa_type=Uuid, primary_key=True)
    patient_id: str = Field(sa_type=String(64), nullable=False)
    first_name: str = Field(sa_type=String(100), nullable=False)
    last_name: str = Field(sa_type=String(100), nullable=False)
    date_of_birth: date = Field(nullable=False)
    sex: Sex = Field(sa_type=String(16), nullable=False)
    conditions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    allergies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    primary_address_id: UUID | None = Field(
        default=None,
        sa_column=Column(
            Uuid,
            ForeignKey(
                "addresses.id",
                ondelete="SET NULL",
                name="fk_patients_primary_address_id",
                use_alter=True,  # patients <-> addresses is a cycle
            ),
            nullable=True,
        ),
    )

    addresses: list["Address"] = Relationship(
        sa_relationship_kwargs={
            "lazy": "raise",
            "primaryjoin": "Patient.id == Address.patient_id",
            "order_by": "Address.id",
            "viewonly": True,
        }
    )


class Address(TimestampedVersioned, table=True):
    __tablename__: ClassVar[str] = "addresses"
    __table_args__ = (Index("ix_addresses_patient_id_id", "patient_id", "id"),)

    id: UUID = Field(default_factory=uuid7, sa_type=Uuid, primary_key=True)
    patient_id: UUID = Field(
        sa_column=Column(
            Uuid,
            ForeignKey("patients.id", ondelete="CASCADE", name="fk_addresses_patient_id"),
            nullable=False,
        )
    )
    type: AddressType = Field(sa_type=String(32), nullable=False)
    street: str = Field(sa_type=String(200), nullable=False)
    city: str = Field(sa_type=String(100), nullable=False)
    postal_code: str = Field(sa_type=String(20), nullable=False)
    country: str = Field(sa_type=String(64), nullable=False)
