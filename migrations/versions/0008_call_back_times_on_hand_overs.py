"""call-back times on hand-overs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 15:34:35.835677
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_at", amicable.db.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_column("callback_at")
