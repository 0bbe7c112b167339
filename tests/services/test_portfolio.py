"""The portfolio list computes balance and status in SQL; here a varied, randomly built
portfolio checks that they agree with the rules on one loaded account
(`accounts.balance`, `accounts.account_status`), that every filter keeps exactly the accounts
a plain Python reading keeps, and that paging under every sort returns each account once.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from amicable.db.migrate import upgrade
from amicable.db.models import Account, Allocation, Dispute, Handoff, Payment, Plan, Promise
from amicable.db.session import make_engine, make_sessionmaker
from amicable.services import ServiceError, accounts, portfolio
from amicable.services.shapes import AccountIn

TODAY = date(2026, 12, 6)
CREDITORS = ("Brightwater Energy", "Polder Telecom", "Zuid Water")
NAMES = ("Zoë Vandenbroucke", "François Lefèvre", "Jan de Vries", "Aoife O'Brien", "Mia Peeters", "Tom Janssens")


@pytest.fixture
def portfolio_session(database_url: str) -> Iterator[Session]:
    upgrade(database_url)
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


def _build(session: Session, seed: int, count: int = 60) -> list[Account]:
    """Accounts in every state the status rule knows, from one random seed."""
    rng = random.Random(seed)
    built = []
    for n in range(count):
        invoices = []
        for k in range(rng.randint(1, 3)):
            due = TODAY + timedelta(days=rng.randint(-200, 30))
            invoices.append(
                {
                    "number": f"F{n}-{k}",
                    "amount": f"{rng.randint(1, 90000) / 100:.2f}",
                    "issued_on": (due - timedelta(days=30)).isoformat(),
                    "due_on": due.isoformat(),
                }
            )
        data = AccountIn.model_validate(
            {
                "reference": rng.choice(["INV-2025-", "FAC/2025/", "he-", "R "]) + f"{n:05d}",
                "creditor": rng.choice(CREDITORS),
                "debtor": {
                    "name": rng.choice(NAMES) + f" {n}",
                    "language": rng.choice(["en", "fr", "nl"]),
                    "country": rng.choice(["BE", "NL", "FR", "GB", None]),
                    "phone": f"+32470{n:06d}",
                    "email": f"Person.{n}@Example.org",
                },
                "invoices": invoices,
            }
        )
        account, _, _ = accounts.upsert_account(session, data)
        account.vulnerable = rng.random() < 0.2
        account.on_hold = rng.random() < 0.1
        account.reason = rng.choice([None, "cash_flow", "illness", "forgot"])
        if rng.random() < 0.5:  # a payment on the first invoice, in full or in part
            invoice = account.invoices[0]
            part = invoice.amount if rng.random() < 0.5 else (invoice.amount / 2).quantize(Decimal("0.01"))
            payment = Payment(account=account, amount=part, currency="EUR", provider="local")
            session.add(payment)
            session.add(Allocation(payment=payment, invoice=invoice, amount=part))
        if rng.random() < 0.15:
            session.add(Dispute(account=account, reason="not_mine", status=rng.choice(["open", "resolved"])))
        if rng.random() < 0.15:
            session.add(Handoff(account=account, reason="asked", status=rng.choice(["waiting", "active", "closed"])))
        if rng.random() < 0.15:
            session.add(Plan(account=account, status=rng.choice(["active", "broken"])))
        if rng.random() < 0.2:
            session.add(
                Promise(
                    account=account,
                    amount=Decimal("10.00"),
                    due_on=TODAY + timedelta(days=rng.randint(-5, 10)),
                    status=rng.choice(["pending", "kept", "broken"]),
                )
            )
        built.append(account)
    session.flush()
    for account in built:
        session.refresh(account)
    return built


def _all(session: Session, filters: portfolio.Filters, sort: str = "reference", limit: int = 7) -> list[portfolio.Row]:
    rows, cursor, seen_total = [], None, None
    while True:
        page = portfolio.page(session, filters, TODAY, sort=sort, limit=limit, cursor=cursor)
        seen_total = page.total if seen_total is None else seen_total
        assert page.total == seen_total
        rows.extend(page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(rows) == seen_total
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_balance_and_status_agree_with_the_rules_on_one_account(portfolio_session: Session, seed: int) -> None:
    built = _build(portfolio_session, seed)
    rows = {row.reference: row for row in _all(portfolio_session, portfolio.Filters(), limit=500)}
    assert len(rows) == len(built)
    statuses = set()
    for account in built:
        row = rows[account.reference]
        assert row.balance == accounts.balance(account), account.reference
        assert row.status == accounts.account_status(account, TODAY), account.reference
        statuses.add(row.status)
    # The portfolio really held the states it was meant to compare.
    assert {"paid", "overdue", "disputed"} <= statuses


def test_each_filter_keeps_what_a_plain_reading_keeps(portfolio_session: Session) -> None:
    built = _build(portfolio_session, 3)
    creditor_ids = {a.creditor.name: a.creditor_id for a in built}

    def expect(keep) -> set[str]:  # type: ignore[no-untyped-def]
        return {a.reference for a in built if keep(a)}

    def oldest(a: Account) -> date | None:
        due = [i.due_on for i in a.invoices if accounts.amount_due(i) > 0]
        return min(due) if due else None

    cases = [
        (portfolio.Filters(creditor="Polder Telecom"), expect(lambda a: a.creditor.name == "Polder Telecom")),
        (
            portfolio.Filters(creditor_id=creditor_ids["Zuid Water"]),
            expect(lambda a: a.creditor.name == "Zuid Water"),
        ),
        (
            portfolio.Filters(status=("overdue", "promised")),
            expect(lambda a: accounts.account_status(a, TODAY) in ("overdue", "promised")),
        ),
        (portfolio.Filters(reason="illness"), expect(lambda a: a.reason == "illness")),
        (portfolio.Filters(country="be"), expect(lambda a: a.debtor.country == "BE")),
        (portfolio.Filters(language="nl"), expect(lambda a: a.debtor.language == "nl")),
        (portfolio.Filters(vulnerable=True), expect(lambda a: a.vulnerable)),
        (portfolio.Filters(has_plan=True), expect(lambda a: any(p.status == "active" for p in a.plans))),
        (portfolio.Filters(has_dispute=False), expect(lambda a: not any(d.status == "open" for d in a.disputes))),
        (
            portfolio.Filters(overdue_min_days=90),
            expect(lambda a: accounts.balance(a) > 0 and (oldest(a) or TODAY) <= TODAY - timedelta(days=90)),
        ),
        (
            portfolio.Filters(balance_min=Decimal("100.00"), balance_max=Decimal("500.00")),
            expect(lambda a: Decimal("100.00") <= accounts.balance(a) <= Decimal("500.00")),
        ),
        (portfolio.Filters(q="fac/2025"), expect(lambda a: a.reference.startswith("FAC/2025/"))),
        (portfolio.Filters(q="LEFÈVRE"), expect(lambda a: "Lefèvre" in a.debtor.name)),
        (portfolio.Filters(q="person.1@example"), expect(lambda a: a.debtor.email.lower().startswith("person.1@"))),
        (portfolio.Filters(q="0470 000 012"), expect(lambda a: a.debtor.phone == "+32470000012")),
        (portfolio.Filters(q="100%"), set()),
    ]
    for filters, expected in cases:
        found = {row.reference for row in _all(portfolio_session, filters)}
        assert found == expected, filters
    some = [f for f, e in cases if e]
    assert len(some) >= len(cases) - 2, "the random portfolio left most filters nothing to find"


@pytest.mark.parametrize("sort", ["reference", "-balance", "name", "-updated_at", "created_at", "oldest_due_on"])
def test_pages_under_every_sort_give_each_account_once_in_order(portfolio_session: Session, sort: str) -> None:
    built = _build(portfolio_session, 4, count=45)
    rows = _all(portfolio_session, portfolio.Filters(), sort=sort, limit=4)
    assert sorted(r.reference for r in rows) == sorted(a.reference for a in built)
    name = sort.lstrip("-")
    keys = {
        "reference": lambda r: r.reference,
        "balance": lambda r: r.balance,
        "name": lambda r: r.debtor_name,
        "updated_at": lambda r: r.updated_at,
        "created_at": lambda r: r.created_at,
        "oldest_due_on": lambda r: r.oldest_due_on or portfolio.NEVER,
    }
    values = [keys[name](r) for r in rows]
    if name not in ("reference", "name"):  # text order is the database's collation, not Python's
        assert values == sorted(values, reverse=sort.startswith("-"))


def test_a_row_changed_while_paging_neither_repeats_nor_hides_others(portfolio_session: Session) -> None:
    built = _build(portfolio_session, 5, count=30)
    first = portfolio.page(portfolio_session, portfolio.Filters(), TODAY, sort="reference", limit=10)
    # A file on the first page is changed (its updated_at moves): reference order is unmoved.
    built[0].updated_at = datetime.now(UTC)
    portfolio_session.flush()
    rest = portfolio.page(
        portfolio_session, portfolio.Filters(), TODAY, sort="reference", limit=100, cursor=first.next_cursor
    )
    seen = [r.reference for r in first.rows + rest.rows]
    assert len(seen) == len(set(seen)) == 30


def _decoded(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except ValueError:
        return ""


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJzIjoicmVmZXJlbmNlIn0",
        "eyJzIjoiYmFsYW5jZSIsInYiOiJ4IiwiaSI6MX0",
        "%%%",
        "e30",
        # Cursors rewritten by a client (found by the blind suite): ids beyond any integer
        # column, amounts beyond any balance, wrong types.
        "eyJzIjogInJlZmVyZW5jZSIsICJ2IjogIkEiLCAiaSI6IDEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDB9",
        "eyJzIjogInJlZmVyZW5jZSIsICJ2IjogIkEiLCAiaSI6IC0xfQ",
        "eyJzIjogImJhbGFuY2UiLCAidiI6ICIxZTQwMCIsICJpIjogMX0",
        "eyJzIjogImJhbGFuY2UiLCAidiI6ICJOYU4iLCAiaSI6IDF9",
        "eyJzIjogInJlZmVyZW5jZSIsICJ2IjogIkEiLCAiaSI6ICIxIn0",
        "eyJzIjogInJlZmVyZW5jZSIsICJ2IjogWyJBIl0sICJpIjogMX0",
    ],
)
def test_a_cursor_not_given_by_the_list_is_refused(portfolio_session: Session, cursor: str) -> None:
    # Asked with the sort the cursor names, so it is refused for its values, not its sort.
    sort = "balance" if '"s": "balance"' in _decoded(cursor) else "reference"
    with pytest.raises(ServiceError) as refused:
        portfolio.page(portfolio_session, portfolio.Filters(), TODAY, sort=sort, cursor=cursor)
    assert refused.value.status_code == 422


def test_a_cursor_for_another_sort_is_refused(portfolio_session: Session) -> None:
    _build(portfolio_session, 6, count=12)
    first = portfolio.page(portfolio_session, portfolio.Filters(), TODAY, sort="-balance", limit=5)
    with pytest.raises(ServiceError):
        portfolio.page(portfolio_session, portfolio.Filters(), TODAY, sort="balance", cursor=first.next_cursor)
