"""payment link purposes: one open link per account and purpose

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=16), nullable=False, server_default="balance"))
        batch_op.create_index("ix_payment_links_account_purpose_status", ["account_id", "purpose", "status"])
    # Links already made for an installment keep that purpose.
    op.execute(
        "UPDATE payment_links SET purpose = 'installment' "
        "WHERE id IN (SELECT payment_link_id FROM installments WHERE payment_link_id IS NOT NULL)"
    )


def downgrade() -> None:
    with op.batch_alter_table("payment_links", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_links_account_purpose_status")
        batch_op.drop_column("purpose")
