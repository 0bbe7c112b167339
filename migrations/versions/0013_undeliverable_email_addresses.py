"""undeliverable email addresses: bounces and complaints stop email to an address

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 08:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "undeliverable_addresses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", amicable.db.models.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_undeliverable_addresses_address", "undeliverable_addresses", ["address"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_undeliverable_addresses_address", table_name="undeliverable_addresses")
    op.drop_table("undeliverable_addresses")
