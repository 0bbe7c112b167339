"""installment payment links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:51:32.235101
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_link_id", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key("fk_installments_payment_link_id", "payment_links", ["payment_link_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_installments_payment_link_id", type_="foreignkey")
        batch_op.drop_column("payment_link_id")
