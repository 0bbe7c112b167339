"""the gateway's outbox: debtors' messages the bot has not answered yet

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(length=128), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("bot_metadata", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", amicable.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", amicable.db.models.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bot_outbox_conversation_id", "bot_outbox", ["conversation_id"])
    op.create_index("ix_bot_outbox_status", "bot_outbox", ["status"])


def downgrade() -> None:
    op.drop_table("bot_outbox")
