"""The portfolio: creditors' accounts as a list that filters, searches, sorts and pages, in SQL.

A list of 100,000 files cannot load each account to compute its balance and status, so both
are computed here as SQL expressions. They are the same rules as `accounts.balance` and
`accounts.account_status` (which work on one loaded account); `tests/services/test_portfolio.py`
checks on a varied portfolio that the two never disagree.

Paging is by cursor (keyset): the cursor holds the sort value and id of the last row seen, so
a page is read by index whatever its depth, and rows added or changed while a client pages do
not shift the pages it has yet to read.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from amicable.db.models import (
    Account,
    Allocation,
    Creditor,
    Debtor,
    Dispute,
    Handoff,
    Invoice,
    Plan,
    Promise,
    search_key,
)
from amicable.services import ServiceError

STATUSES = ("paid", "disputed", "on_hold", "with_agent", "in_plan", "promised", "overdue", "open")
# No due date: a file with nothing left to pay sorts after every overdue one.
NEVER = date(9999, 12, 31)
MAX_LIMIT = 500


@dataclass(frozen=True)
class Filters:
    """What narrows the list; None is "any". `creditor_id` is the caller's scope (a creditor's
    API key), `creditor` a name the caller asked for."""

    creditor_id: int | None = None
    creditor: str | None = None
    status: tuple[str, ...] = ()
    reason: str | None = None
    country: str | None = None
    language: str | None = None
    has_plan: bool | None = None
    has_dispute: bool | None = None
    vulnerable: bool | None = None
    overdue_min_days: int | None = None
    balance_min: Decimal | None = None
    balance_max: Decimal | None = None
    updated_since: datetime | None = None
    q: str | None = None


def _paid_on(invoice: Any) -> ColumnElement[Any]:
    return (
        select(func.coalesce(func.sum(Allocation.amount), 0))
        .where(Allocation.invoice_id == invoice.id)
        .correlate(invoice)
        .scalar_subquery()
    )


def _balance() -> ColumnElement[Any]:
    """What is still due on the account: its invoices less what was allocated to them. A
    correlated subquery, so a page sorted by another column computes it for its own rows only."""
    invoice = aliased(Invoice)
    return (
        select(func.coalesce(func.sum(invoice.amount - _paid_on(invoice)), 0))
        .where(invoice.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )


def _oldest_due() -> ColumnElement[Any]:
    """The due date of the oldest invoice with something left to pay."""
    invoice = aliased(Invoice)
    return (
        select(func.min(invoice.due_on))
        .where(invoice.account_id == Account.id, invoice.amount - _paid_on(invoice) > 0)
        .correlate(Account)
        .scalar_subquery()
    )


def _open_dispute() -> ColumnElement[bool]:
    return exists().where(Dispute.account_id == Account.id, Dispute.status == "open")


def _active_plan() -> ColumnElement[bool]:
    return exists().where(Plan.account_id == Account.id, Plan.status == "active")


@dataclass(frozen=True)
class _Columns:
    balance: ColumnElement[Any]
    oldest_due: ColumnElement[Any]
    status: ColumnElement[str]


def _columns(today: date) -> _Columns:
    # Rounded in SQL: SQLite sums money as floating point, and 120.499999 must compare as 120.50.
    balance = func.round(_balance(), 2)
    oldest_due = _oldest_due()
    status = case(
        (balance <= 0, literal("paid")),
        (_open_dispute(), literal("disputed")),
        (Account.on_hold.is_(True), literal("on_hold")),
        (exists().where(Handoff.account_id == Account.id, Handoff.status.in_(("waiting", "active"))), "with_agent"),
        (_active_plan(), literal("in_plan")),
        (
            exists().where(Promise.account_id == Account.id, Promise.status == "pending", Promise.due_on >= today),
            literal("promised"),
        ),
        (oldest_due < today, literal("overdue")),
        else_=literal("open"),
    )
    return _Columns(balance=balance, oldest_due=oldest_due, status=status)


# Sort names a client may give (with "-" for descending) and what each orders by. Every sort
# ends on the account's id, so the order is total and a cursor names one place in it.
SORTS = ("reference", "name", "balance", "updated_at", "created_at", "oldest_due_on")


def _sort_column(name: str, columns: _Columns) -> ColumnElement[Any]:
    return {
        "reference": Account.reference,
        "name": Debtor.name,
        "balance": columns.balance,
        "updated_at": Account.updated_at,
        "created_at": Account.created_at,
        "oldest_due_on": func.coalesce(columns.oldest_due, NEVER),
    }[name]


def parse_sort(sort: str) -> tuple[str, bool]:
    """`balance` or `-balance` -> (name, descending); 422 for a name not in SORTS."""
    descending = sort.startswith("-")
    name = sort.lstrip("-+ ")
    if name not in SORTS:
        raise ServiceError(f"sort by one of {', '.join(SORTS)} (with '-' before it for descending)", 422)
    return name, descending


def _encode_cursor(sort: str, value: Any, account_id: int) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    elif isinstance(value, Decimal | float):
        value = str(Decimal(str(value)).quantize(Decimal("0.01")))
    raw = json.dumps({"s": sort, "v": value, "i": account_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value, account_id = data["v"], data["i"]
        # A cursor comes back from the client: every part is checked before it reaches SQL.
        if data["s"] != sort or not isinstance(account_id, int) or not 0 <= account_id < 2**62:
            raise ValueError
        name = sort.lstrip("-")
        if name in ("updated_at", "created_at"):
            value = datetime.fromisoformat(value)
        elif name == "oldest_due_on":
            value = date.fromisoformat(value)
        elif name == "balance":
            value = Decimal(value)
            if not value.is_finite() or abs(value) >= 10**12:
                raise ValueError
        elif not isinstance(value, str) or len(value) > 400:
            raise ValueError
    except (ValueError, KeyError, TypeError, ArithmeticError, binascii.Error, UnicodeDecodeError):
        raise ServiceError("this cursor is not one this list gave, or was given for another sort", 422) from None
    return value, account_id


def _where(query: Select, filters: Filters, columns: _Columns, today: date) -> Select:
    conditions: list[ColumnElement[bool]] = []
    if filters.creditor_id is not None:
        conditions.append(Account.creditor_id == filters.creditor_id)
    if filters.creditor:
        conditions.append(Creditor.name == filters.creditor)
    if filters.status:
        conditions.append(columns.status.in_(filters.status))
    if filters.reason:
        conditions.append(Account.reason == filters.reason)
    if filters.country:
        conditions.append(func.upper(Debtor.country) == filters.country.upper())
    if filters.language:
        conditions.append(Debtor.language == filters.language.lower())
    if filters.has_plan is not None:
        conditions.append(_active_plan() if filters.has_plan else ~_active_plan())
    if filters.has_dispute is not None:
        conditions.append(_open_dispute() if filters.has_dispute else ~_open_dispute())
    if filters.vulnerable is not None:
        conditions.append(Account.vulnerable.is_(filters.vulnerable))
    if filters.overdue_min_days is not None:
        conditions.append(columns.oldest_due <= today - timedelta(days=filters.overdue_min_days))
        conditions.append(columns.balance > 0)
    if filters.balance_min is not None:
        conditions.append(columns.balance >= filters.balance_min)
    if filters.balance_max is not None:
        conditions.append(columns.balance <= filters.balance_max)
    if filters.updated_since is not None:
        conditions.append(Account.updated_at >= filters.updated_since)
    if filters.q:
        conditions.append(_search(filters.q))
    return query.where(and_(*conditions)) if conditions else query


def _search(q: str) -> ColumnElement[bool]:
    """A part of the reference, the debtor's name (any case, with or without accents) or
    e-mail, or of the phone number (its digits, however they were typed: "+32 470 12",
    "0470/12")."""
    needle = q.strip().lower()
    options = [
        func.lower(Account.reference).contains(needle, autoescape=True),
        func.lower(Debtor.name).contains(needle, autoescape=True),
        # "zoe", "ZOË" and "zoë" all find Zoë (the folded name, kept on every write).
        Debtor.search_key.contains(search_key(q.strip()), autoescape=True),
        func.lower(Debtor.email).contains(needle, autoescape=True),
    ]
    digits = "".join(ch for ch in needle if ch.isdigit())
    if len(digits) >= 4 and not any(ch.isalpha() for ch in needle):
        # A national number typed with its leading 0 ("0470…") is the E.164 number without it.
        options.append(Debtor.phone.contains(digits.lstrip("0") or digits, autoescape=True))
    return or_(*options)


@dataclass(frozen=True)
class Row:
    """One account as the list shows it."""

    id: int
    reference: str
    creditor: str
    currency: str
    balance: Decimal
    status: str
    reason: str | None
    vulnerable: bool
    oldest_due_on: date | None
    created_at: datetime
    updated_at: datetime
    debtor_name: str
    debtor_language: str
    debtor_phone: str | None
    debtor_email: str | None
    debtor_country: str | None
    debtor_timezone: str

    def days_overdue(self, today: date) -> int:
        if self.oldest_due_on is None or self.balance <= 0:
            return 0
        return max(0, (today - self.oldest_due_on).days)

    def public(self, today: date) -> dict:
        """The list's item: the contract's keys (reference, creditor, balance, status,
        debtor.name) and what an operator scans a list for."""
        return {
            "reference": self.reference,
            "creditor": self.creditor,
            "currency": self.currency,
            "balance": f"{self.balance:.2f}",
            "status": self.status,
            "reason": self.reason,
            "vulnerable": self.vulnerable,
            "oldest_due_on": self.oldest_due_on.isoformat() if self.oldest_due_on else None,
            "days_overdue": self.days_overdue(today),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "debtor": {
                "name": self.debtor_name,
                "language": self.debtor_language,
                "phone": self.debtor_phone,
                "email": self.debtor_email,
                "country": self.debtor_country,
                "timezone": self.debtor_timezone,
            },
        }


def _base(filters: Filters, today: date) -> tuple[Select, _Columns]:
    columns = _columns(today)
    query = (
        select(
            Account.id,
            Account.reference,
            Creditor.name.label("creditor"),
            Account.currency,
            columns.balance.label("balance"),
            columns.status.label("status"),
            Account.reason,
            Account.vulnerable,
            columns.oldest_due.label("oldest_due_on"),
            Account.created_at,
            Account.updated_at,
            Debtor.name.label("debtor_name"),
            Debtor.language.label("debtor_language"),
            Debtor.phone.label("debtor_phone"),
            Debtor.email.label("debtor_email"),
            Debtor.country.label("debtor_country"),
            Debtor.timezone.label("debtor_timezone"),
        )
        .join(Creditor, Creditor.id == Account.creditor_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
    )
    return _where(query, filters, columns, today), columns


def _counted(filters: Filters, today: date) -> Select:
    """How many match: the computed columns only where a filter needs them."""
    query = (
        select(func.count(Account.id))
        .join(Creditor, Creditor.id == Account.creditor_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
    )
    return _where(query, filters, _columns(today), today)


def _row(values: Any) -> Row:
    data = dict(values._mapping)
    data["balance"] = Decimal(str(data["balance"] or 0)).quantize(Decimal("0.01"))
    if isinstance(data["oldest_due_on"], str):  # SQLite hands back MIN(date) as text
        data["oldest_due_on"] = date.fromisoformat(data["oldest_due_on"])
    for key in ("created_at", "updated_at"):
        if data[key].tzinfo is None:  # SQLite forgets the zone; every stored time is UTC
            data[key] = data[key].replace(tzinfo=UTC)
    return Row(**data)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    next_cursor: str | None
    total: int


def page(
    session: Session,
    filters: Filters,
    today: date,
    *,
    sort: str = "reference",
    limit: int = 50,
    cursor: str | None = None,
    count: bool = True,
) -> Page:
    """One page of the list, the cursor of the next (None on the last) and, with `count`, how
    many match in all (-1 without)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ServiceError(f"limit must be between 1 and {MAX_LIMIT}", 422)
    name, descending = parse_sort(sort)
    query, columns = _base(filters, today)
    total = (session.scalar(_counted(filters, today)) or 0) if count else -1
    key = _sort_column(name, columns)
    if cursor:
        value, after = _decode_cursor(cursor, sort if descending else name)
        if descending:
            query = query.where(or_(key < value, and_(key == value, Account.id < after)))
        else:
            query = query.where(or_(key > value, and_(key == value, Account.id > after)))
    order = (key.desc(), Account.id.desc()) if descending else (key.asc(), Account.id.asc())
    found = session.execute(query.order_by(*order).limit(limit + 1)).all()
    rows = [_row(values) for values in found[:limit]]
    next_cursor = None
    if len(found) > limit:
        last = rows[-1]
        value = {
            "reference": last.reference,
            "name": last.debtor_name,
            "balance": last.balance,
            "updated_at": last.updated_at,
            "created_at": last.created_at,
            "oldest_due_on": last.oldest_due_on or NEVER,
        }[name]
        next_cursor = _encode_cursor("-" + name if descending else name, value, last.id)
    return Page(rows=rows, next_cursor=next_cursor, total=total)


def every(
    session: Session, filters: Filters, today: date, *, sort: str = "reference", batch: int = 500
) -> Iterator[Row]:
    """Every matching row in order, read a page at a time (for exports: memory stays flat)."""
    cursor = None
    while True:
        found = page(session, filters, today, sort=sort, limit=batch, cursor=cursor, count=False)
        yield from found.rows
        # A cursor that does not move on would read the same page for ever: stop instead.
        if found.next_cursor is None or found.next_cursor == cursor:
            return
        cursor = found.next_cursor


def account_ids(session: Session, filters: Filters, today: date) -> Select:
    """The ids of matching accounts, as a subquery for exports of their records."""
    query, _ = _base(filters, today)
    return select(query.subquery().c.id)
