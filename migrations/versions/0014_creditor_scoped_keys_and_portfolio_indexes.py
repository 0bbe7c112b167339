"""creditor-scoped API keys and agents; indexes for the portfolio list

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("creditor_id", sa.Integer(), sa.ForeignKey("creditors.id"), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("created_at", amicable.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", amicable.db.models.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_key_hash", "api_keys", ["key_hash"], unique=True)
    op.create_index("ix_api_keys_creditor_id", "api_keys", ["creditor_id"])
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("creditor_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_agents_creditor_id", "creditors", ["creditor_id"], ["id"])
        batch.create_index("ix_agents_creditor_id", ["creditor_id"])
    op.create_index("ix_accounts_creditor_id", "accounts", ["creditor_id"])
    op.create_index("ix_accounts_updated_at", "accounts", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_accounts_updated_at", "accounts")
    op.drop_index("ix_accounts_creditor_id", "accounts")
    with op.batch_alter_table("agents") as batch:
        batch.drop_index("ix_agents_creditor_id")
        batch.drop_constraint("fk_agents_creditor_id", type_="foreignkey")
        batch.drop_column("creditor_id")
    op.drop_table("api_keys")
