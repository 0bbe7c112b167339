"""Exports of the portfolio as CSV: accounts, the contact log, outcomes and the ledger, for the
accounts a portfolio filter keeps. Rows are produced a batch of accounts at a time, so an
export of 100,000 files streams with flat memory.

The header row states the formats (amounts with a decimal point and two places, dates as
YYYY-MM-DD, times as ISO 8601 in UTC), because the file is opened in spreadsheets set to many
locales. A text cell that a spreadsheet would run as a formula (=, +, -, @ first) is written
with a leading apostrophe: names and messages come from outside and must stay text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from amicable.db.models import Account, Adjustment, Invoice, Payment, Plan
from amicable.services import accounts, portfolio

AMOUNT, DAY, MOMENT = "(0.00)", "(YYYY-MM-DD)", "(ISO 8601, UTC)"
KINDS = ("accounts", "contacts", "outcomes", "ledger")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_text(cell) for cell in row])
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


ACCOUNT_HEADER = [
    "reference",
    "creditor",
    "currency",
    f"balance {AMOUNT}",
    "status",
    "reason",
    "vulnerable",
    f"oldest_due_on {DAY}",
    "days_overdue",
    "debtor_name",
    "debtor_language",
    "debtor_phone",
    "debtor_email",
    "debtor_country",
    "debtor_timezone",
    f"created_at {MOMENT}",
    f"updated_at {MOMENT}",
]


def _account_rows(rows: Iterable[portfolio.Row], today: date) -> Iterator[list[object]]:
    for row in rows:
        yield [
            row.reference,
            row.creditor,
            row.currency,
            row.balance,
            row.status,
            row.reason,
            row.vulnerable,
            row.oldest_due_on,
            row.days_overdue(today),
            row.debtor_name,
            row.debtor_language,
            row.debtor_phone,
            row.debtor_email,
            row.debtor_country,
            row.debtor_timezone,
            row.created_at,
            row.updated_at,
        ]


def _loaded(session: Session, rows: Iterable[portfolio.Row], batch: int = 200) -> Iterator[Account]:
    """The full accounts behind list rows, loaded a batch at a time with what exports read."""
    chunk: list[int] = []

    def load(ids: list[int]) -> list[Account]:
        found = session.scalars(
            select(Account)
            .where(Account.id.in_(ids))
            .options(
                selectinload(Account.contacts),
                selectinload(Account.promises),
                selectinload(Account.plans).selectinload(Plan.installments),
                selectinload(Account.disputes),
                selectinload(Account.handoffs),
                selectinload(Account.opt_outs),
                selectinload(Account.payments).selectinload(Payment.allocations),
                selectinload(Account.adjustments).selectinload(Adjustment.allocations),
                selectinload(Account.invoices).selectinload(Invoice.allocations),
            )
        ).all()
        order = {account_id: n for n, account_id in enumerate(ids)}
        loaded = sorted(found, key=lambda account: order[account.id])
        session.expunge_all()  # memory stays flat: nothing read is kept beyond its batch
        return loaded

    for row in rows:
        chunk.append(row.id)
        if len(chunk) == batch:
            yield from load(chunk)
            chunk = []
    if chunk:
        yield from load(chunk)


CONTACT_HEADER = ["reference", "creditor", f"at {MOMENT}", "channel", "kind", "detail"]


def _contact_rows(loaded: Iterable[Account]) -> Iterator[list[object]]:
    for account in loaded:
        for contact in account.contacts:
            yield [
                account.reference,
                account.creditor.name,
                contact.created_at,
                contact.channel,
                contact.kind,
                contact.detail,
            ]


OUTCOME_HEADER = [
    "reference",
    "creditor",
    "outcome",
    "status",
    f"amount {AMOUNT}",
    f"due_on {DAY}",
    f"recorded_at {MOMENT}",
    "detail",
]


def _outcome_rows(loaded: Iterable[Account]) -> Iterator[list[object]]:
    """Promises, plans, disputes, hand-overs and opt-outs, one row each, oldest first."""
    for account in loaded:
        found: list[list[object]] = []
        for promise in account.promises:
            found.append(["promise", promise.status, promise.amount, promise.due_on, promise.created_at, ""])
        for plan in account.plans:
            total = sum((i.amount for i in plan.installments), Decimal("0.00"))
            first = plan.installments[0].due_on if plan.installments else None
            found.append(["plan", plan.status, total, first, plan.created_at, f"{len(plan.installments)} installments"])
        for dispute in account.disputes:
            found.append(["dispute", dispute.status, None, None, dispute.created_at, dispute.reason])
        for handoff in account.handoffs:
            found.append(["handoff", handoff.status, None, None, handoff.created_at, handoff.reason])
        for opt_out in account.opt_outs:
            found.append(["opt_out", "recorded", None, None, opt_out.created_at, opt_out.channel])
        for item in sorted(found, key=lambda r: r[4]):
            yield [account.reference, account.creditor.name, *item]


LEDGER_HEADER = [
    "reference",
    "creditor",
    "currency",
    f"on {DAY}",
    "kind",
    "entry_reference",
    f"amount {AMOUNT}",
    f"applied {AMOUNT}",
    f"balance_after {AMOUNT}",
]


def _ledger_rows(loaded: Iterable[Account]) -> Iterator[list[object]]:
    for account in loaded:
        book = accounts.ledger(account)
        for entry in book["entries"]:
            yield [
                account.reference,
                account.creditor.name,
                account.currency,
                entry["on"],
                entry["kind"],
                entry["reference"],
                entry["amount"],
                entry["applied"],
                entry["balance"],
            ]


def stream(
    session_factory: Callable[[], Session], kind: str, filters: portfolio.Filters, today: date, sort: str = "reference"
) -> Iterator[str]:
    """The CSV text of one export, in pieces. It opens its own session: a streamed response
    outlives the request's transaction."""
    if kind not in KINDS:
        raise ValueError(kind)
    with session_factory() as session:
        rows = portfolio.every(session, filters, today, sort=sort)
        if kind == "accounts":
            yield from _csv(ACCOUNT_HEADER, _account_rows(rows, today))
        elif kind == "contacts":
            yield from _csv(CONTACT_HEADER, _contact_rows(_loaded(session, rows)))
        elif kind == "outcomes":
            yield from _csv(OUTCOME_HEADER, _outcome_rows(_loaded(session, rows)))
        else:
            yield from _csv(LEDGER_HEADER, _ledger_rows(_loaded(session, rows)))
