"""identity checks that lapse, sources, and attempt counters

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 23:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", amicable.db.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_message_at", amicable.db.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("identity_check", sa.JSON(), nullable=True))
        batch_op.create_index("ix_conversations_source", ["source"])
    # A confirmation from before this revision has no time: it lapses, and the debtor is asked again.
    op.execute("UPDATE conversations SET verified = false")
    op.create_table(
        "attempt_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("window", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key", "window"),
    )


def downgrade() -> None:
    op.drop_table("attempt_counters")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_source")
        batch_op.drop_column("identity_check")
        batch_op.drop_column("source")
        batch_op.drop_column("last_message_at")
        batch_op.drop_column("verified_at")
