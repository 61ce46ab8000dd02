"""Database layer: the `patients` and `addresses` tables. Columns come from the base layer;
only what the database needs on top (keys, column types, indexes) is declared here.

(No `from __future__ import annotations`: SQLModel reads the annotations at class creation.)
"""

from typing import ClassVar
from uuid import UUID

from sqlalchemy import Column, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlmodel import Field, Relationship

from api_server.domains.patients.base_model import AddressBase, AddressType, PatientBase, Sex
from api_server.ids import uuid7
from api_server.models.versioned import TimestampedVersioned

__all__ = ["Address", "Patient"]


class Patient(PatientBase, TimestampedVersioned, table=True):
    __tablename__: ClassVar[str] = "patients"
    __table_args__ = (
        UniqueConstraint("patient_id", name="uq_patients_patient_id"),
        Index("ix_patients_last_name_id", "last_name", "id"),
    )

    id: UUID = Field(default_factory=uuid7, sa_type=Uuid, primary_key=True)
    patient_id: str = Field(sa_type=String(64), nullable=False)
    # Stored as text, not a database enum type: a new value needs no migration.
    sex: Sex = Field(sa_type=String(16), nullable=False)
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


class Address(AddressBase, TimestampedVersioned, table=True):
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
