"""structured payment references and bank statement lines

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:35:38.983212
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import amicable.db.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=255), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("remittance", sa.Text(), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("counterparty_iban", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", amicable.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_lines_account_id"), ["account_id"], unique=False)

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_reference", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint("uq_accounts_payment_reference", ["payment_reference"])

    # Accounts created before this revision get their reference now, as new ones do.
    from amicable.services.references import for_account

    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT a.id, d.country FROM accounts a JOIN debtors d ON d.id = a.debtor_id")
    ).all()
    for account_id, country in rows:
        connection.execute(
            sa.text("UPDATE accounts SET payment_reference = :ref WHERE id = :id"),
            {"ref": for_account(account_id, country), "id": account_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_payment_reference", type_="unique")
        batch_op.drop_column("payment_reference")

    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_lines_account_id"))

    op.drop_table("statement_lines")
