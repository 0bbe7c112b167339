"""when a contact was claimed for sending: a claim a dead worker left is found and shown

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outreach_contacts") as batch:
        batch.add_column(sa.Column("claimed_at", amicable.db.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outreach_contacts") as batch:
        batch.drop_column("claimed_at")
