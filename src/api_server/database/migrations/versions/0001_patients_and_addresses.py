"""patients and addresses

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api_server.database.migration_columns import timestamps_and_version, uuid_primary_key

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patients",
        uuid_primary_key(),
        sa.Column("patient_id", sa.String(64), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("last_name", sa.String(100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("allergies", sa.JSON(), nullable=False),
        sa.Column("primary_address_id", sa.Uuid(), nullable=True),
        *timestamps_and_version(),
        sa.UniqueConstraint("patient_id", name="uq_patients_patient_id"),
    )
    op.create_index("ix_patients_last_name_id", "patients", ["last_name", "id"])
    op.create_table(
        "addresses",
        uuid_primary_key(),
        sa.Column(
            "patient_id",
            sa.Uuid(),
            sa.ForeignKey("patients.id", ondelete="CASCADE", name="fk_addresses_patient_id"),
            nullable=False,
        ),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("postal_code", sa.String(20), nullable=False),
        sa.Column("country", sa.String(64), nullable=False),
        *timestamps_and_version(),
    )
    op.create_index("ix_addresses_patient_id_id", "addresses", ["patient_id", "id"])
    # patients <-> addresses is a cycle: the primary-address key is added once both exist.
    with op.batch_alter_table("patients") as batch:
        batch.create_foreign_key(
            "fk_patients_primary_address_id",
            "addresses",
            ["primary_address_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.drop_constraint("fk_patients_primary_address_id", type_="foreignkey")
    op.drop_index("ix_addresses_patient_id_id", table_name="addresses")
    op.drop_table("addresses")
    op.drop_index("ix_patients_last_name_id", table_name="patients")
    op.drop_table("patients")
