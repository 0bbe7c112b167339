"""plans paid by a saved method

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:07:06.837508
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charge_id", sa.String(length=255), nullable=True))

    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("autopay_method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("autopay_customer", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("autopay_payment_method", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("autopay_payment_method")
        batch_op.drop_column("autopay_customer")
        batch_op.drop_column("autopay_method")

    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_column("charge_id")
