"""Money is exact whatever happens to an account: for any invoices and any sequence of
payments (short, exact, over), refunds and pay-in-full discounts, the balance equals the
invoices minus what was allocated to them, no invoice is settled beyond its amount, payments
settle invoices in the policy's order (oldest first by default), and the ledger adds up to the balance."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from amicable.db.models import Base
from amicable.services import accounts, payments
from amicable.services.accounts import amount_due, balance
from amicable.settings import Settings
from api.schemas import AccountIn

ZERO = Decimal("0.00")
cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
invoices = st.lists(st.tuples(cents, st.integers(min_value=0, max_value=400)), min_size=1, max_size=6)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(min_value=1, max_value=100)),  # percent of the balance
        st.tuples(st.just("overpay"), cents),
        st.tuples(st.just("refund"), st.integers(min_value=1, max_value=100)),  # percent of a payment
        st.tuples(st.just("pay_in_full"), st.just(0)),
    ),
    max_size=12,
)


def _session(policies: Path) -> tuple[Session, Settings]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine), Settings(_env_file=None, policies_dir=policies, database_url="sqlite://")


def _check(account, order: str) -> None:
    by_due = sorted(account.invoices, key=lambda i: (i.due_on, i.id), reverse=order == "newest_first")
    allocated = sum((a.amount for i in account.invoices for a in i.allocations), ZERO)
    assert balance(account) == sum((i.amount for i in account.invoices), ZERO) - allocated
    dues = [amount_due(i) for i in by_due]
    assert all(ZERO <= due <= i.amount for due, i in zip(dues, by_due, strict=True))
    # In the policy's order: once an invoice is still (partly) open, every later one is untouched.
    first_open = next((n for n, due in enumerate(dues) if due > 0), len(dues))
    assert all(due == i.amount for due, i in zip(dues[first_open + 1 :], by_due[first_open + 1 :], strict=True))
    book = accounts.ledger(account)
    assert book["balance"] == balance(account)
    assert (book["entries"][-1]["balance"] if book["entries"] else ZERO) == balance(account)
    received = sum((p.amount for p in account.payments), ZERO)
    granted = sum((a.amount for a in account.adjustments), ZERO)
    invoiced = sum((i.amount for i in account.invoices), ZERO)
    assert invoiced - received - granted + book["credit"] == balance(account)
    assert book["credit"] >= 0


@pytest.fixture(scope="module")
def policy_dirs(tmp_path_factory) -> dict[tuple[str, str], Path]:
    dirs = {}
    for percent in ("0", "2.5", "10"):
        for order in ("oldest_first", "newest_first"):
            path = dirs[percent, order] = tmp_path_factory.mktemp(f"policies-{percent}-{order}")
            (path / "default.yml").write_text(f"allocation: {order}\ndiscount:\n  pay_in_full_percent: {percent}\n")
    return dirs


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    invoices=invoices,
    operations=operations,
    percent=st.sampled_from(["0", "2.5", "10"]),
    order=st.sampled_from(["oldest_first", "newest_first"]),
)
def test_the_books_always_balance(policy_dirs, invoices, operations, percent, order):
    session, config = _session(policy_dirs[percent, order])
    today = date.today()
    body = {
        "reference": "P-1",
        "creditor": "Prop",
        "debtor": {"name": "P", "language": "en", "country": "BE"},
        "invoices": [
            {
                "number": f"I{n}",
                "amount": str(amount),
                "currency": "EUR",
                "issued_on": (today - timedelta(days=days + 30)).isoformat(),
                "due_on": (today - timedelta(days=days)).isoformat(),
            }
            for n, (amount, days) in enumerate(invoices)
        ],
    }
    account, _, _ = accounts.upsert_account(session, AccountIn.model_validate(body))
    session.expire_all()  # read amounts back as the database stores them
    received = []
    for kind, value in operations:
        owed = balance(account)
        if kind == "pay" and owed > 0:
            amount = max(Decimal("0.01"), (owed * value / 100).quantize(Decimal("0.01")))
            link = payments.create_payment_link(session, config, account, min(amount, owed))
            received.append(payments.record_payment(session, config, link, link.amount, "local", None))
        elif kind == "overpay" and owed > 0:
            link = payments.create_payment_link(session, config, account, owed)
            received.append(payments.record_payment(session, config, link, owed + value, "local", None))
        elif kind == "pay_in_full" and owed > 0:
            link = payments.create_payment_link(session, config, account, discount=True)
            assert link.amount + link.discount == owed
            received.append(payments.record_payment(session, config, link, link.amount, "local", None))
            assert balance(account) == ZERO
        elif kind == "refund" and received:
            payment = received[value % len(received)]
            left = payment.amount + sum((r.amount for r in payments.refunds_of(session, payment)), ZERO)
            if left > 0:
                payments.record_refund(
                    session, config, payment, max(Decimal("0.01"), (left * value / 100).quantize(Decimal("0.01"))), "re"
                )
        session.flush()
        session.expire_all()
        _check(account, order)
    session.close()
