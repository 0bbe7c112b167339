"""reference keys: a file's reference as people type it back

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference_key", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_accounts_reference_key", ["reference_key"])
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, reference FROM accounts")).fetchall()
    for account_id, reference in rows:
        key = re.sub(r"[^0-9A-Z]", "", reference.upper())
        connection.execute(
            sa.text("UPDATE accounts SET reference_key = :key WHERE id = :id"), {"key": key, "id": account_id}
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_reference_key")
        batch_op.drop_column("reference_key")
