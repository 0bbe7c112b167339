"""adjustments (pay-in-full discounts) settle invoices like payments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:15:16.933006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("payment_link_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", amicable.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["payment_link_id"], ["payment_links.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adjustments_account_id"), ["account_id"], unique=False)

    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjustment_id", sa.Integer(), nullable=True))
        batch_op.alter_column("payment_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_allocations_adjustment_id"), ["adjustment_id"], unique=False)
        batch_op.create_foreign_key("fk_allocations_adjustment_id", "adjustments", ["adjustment_id"], ["id"])
        batch_op.create_check_constraint("allocation_has_one_source", "(payment_id IS NULL) <> (adjustment_id IS NULL)")

    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discount", sa.Numeric(precision=12, scale=2), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.drop_column("discount")

    op.execute("DELETE FROM allocations WHERE adjustment_id IS NOT NULL")
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_constraint("allocation_has_one_source", type_="check")
        batch_op.drop_constraint("fk_allocations_adjustment_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_allocations_adjustment_id"))
        batch_op.alter_column("payment_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("adjustment_id")

    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjustments_account_id"))
    op.drop_table("adjustments")
