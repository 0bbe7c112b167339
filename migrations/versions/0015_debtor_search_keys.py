"""debtors' names folded for search (accents and case)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from amicable.db.models import search_key

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.add_column(sa.Column("search_key", sa.String(length=200), nullable=True))
    debtors = sa.table(
        "debtors", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("search_key", sa.String)
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(debtors.c.id, debtors.c.name)).all()
    for start in range(0, len(rows), 5000):
        connection.execute(
            debtors.update().where(debtors.c.id == sa.bindparam("debtor_id")).values(search_key=sa.bindparam("key")),
            [{"debtor_id": row.id, "key": search_key(row.name or "")[:200]} for row in rows[start : start + 5000]],
        )


def downgrade() -> None:
    with op.batch_alter_table("debtors") as batch:
        batch.drop_column("search_key")
