"""Accounts: loading and updating a file, its balance and status, finding it from what a
debtor types, and its ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from amicable.db.models import Handoff, Plan
from amicable.services import ServiceError, accounts
from amicable.services.accounts import (
    account_status,
    amount_due,
    balance,
    find_by_typed_reference,
    invoice_status,
    upsert_account,
)
from amicable.services.outcomes import record_dispute, record_promise
from amicable.services.payments import book_payment
from amicable.services.shapes import AccountIn
from tests.services.conftest import body, invoice, upsert

TODAY = date.today()


def test_a_new_account_is_created_with_its_invoices_and_a_payment_reference(session):
    account, created, outcome = upsert_account(session, AccountIn.model_validate(body()))
    assert created is True
    assert outcome == {"INV-1": True, "INV-2": True}
    assert account.currency == "EUR"
    assert account.creditor.name == "Brightwater Energy"
    assert account.reference_key == "ACC1001"
    # The first file of a fresh database, for a Belgian debtor: 0000000001, 1 mod 97 = 01.
    assert account.id == 1
    assert account.payment_reference == "+++000/0000/00101+++"
    session.refresh(account)
    assert balance(account) == Decimal("120.50")  # 84.20 + 36.30


def test_new_invoices_hold_decimal_amounts_at_once(session):
    account, _, _ = upsert_account(session, AccountIn.model_validate(body()))
    assert [type(i.amount) for i in account.invoices] == [Decimal, Decimal]
    assert balance(account) == Decimal("120.50")


def test_an_update_matches_invoices_by_number_and_never_deletes_one(session, load):
    load()
    update = body(invoices=[invoice("INV-1", "90.00", -10), invoice("INV-3", "50.00", 20)])
    update["debtor"] = {"name": "Sam P."}  # only the name: the rest must stay as stored
    account, created, outcome = upsert_account(session, AccountIn.model_validate(update))
    session.refresh(account)
    assert created is False
    assert outcome == {"INV-1": False, "INV-3": True}
    assert sorted((i.number, i.amount) for i in account.invoices) == [
        ("INV-1", Decimal("90.00")),
        ("INV-2", Decimal("36.30")),
        ("INV-3", Decimal("50.00")),
    ]
    assert balance(account) == Decimal("176.30")
    assert account.debtor.name == "Sam P."
    assert account.debtor.phone == "+32470123456"
    assert account.debtor.date_of_birth == date(1985, 3, 12)


def test_the_payment_reference_is_fixed_when_the_file_is_created(load):
    account = load(country="NL", postcode="3511AB")
    assert account.payment_reference == "RF740000000001"
    load(country="BE")  # the debtor moved: a reference printed on a letter must still work
    assert account.debtor.country == "BE"
    assert account.payment_reference == "RF740000000001"


def test_consents_are_kept_once_per_channel_and_source(session):
    consent = {"channel": "sms", "source": "opt_in", "wording": "Yes, text me"}
    data = body()
    data["consents"] = [consent, {**consent, "source": "debtor_request"}]
    upsert(session, data)
    account = upsert(session, data)
    assert sorted((c.channel, c.source) for c in account.consents) == [("sms", "debtor_request"), ("sms", "opt_in")]


@pytest.mark.parametrize(
    ("invoices", "message"),
    [
        ([invoice("A", "10.00", -5), invoice("B", "10.00", -5, currency="USD")], "one currency"),
        ([invoice("A", "10.00", -5), invoice("A", "20.00", 5)], "appears twice"),
        (
            [{"number": "A", "amount": "10.00", "issued_on": "2026-02-01", "due_on": "2026-01-01"}],
            "due_on is before issued_on",
        ),
    ],
)
def test_an_inconsistent_file_is_refused_whole(session, invoices, message):
    with pytest.raises(ServiceError, match=message):
        upsert_account(session, AccountIn.model_validate(body(invoices=invoices)))


def test_an_update_in_another_currency_is_refused(session, load):
    load()
    with pytest.raises(ServiceError, match="is in EUR"):
        upsert_account(session, AccountIn.model_validate(body(invoices=[invoice("INV-9", "10.00", 5, "GBP")])))


def test_an_invoice_cannot_be_lowered_below_what_was_paid_on_it(session, config, load):
    account = load()
    book_payment(session, config, account, Decimal("50.00"), "test", None, "by hand")
    with pytest.raises(ServiceError, match="less than the 50.00 already paid"):
        upsert_account(session, AccountIn.model_validate(body(invoices=[invoice("INV-1", "49.99", -10)])))
    # Down to exactly what was paid is allowed: the invoice is then settled.
    account = upsert(session, body(invoices=[invoice("INV-1", "50.00", -10)]))
    assert balance(account) == Decimal("36.30")


def test_the_shape_refuses_floats_and_unknown_languages():
    with pytest.raises(ValidationError):
        AccountIn.model_validate(body(invoices=[{**invoice("A", "1", 5), "amount": 84.2}]))
    with pytest.raises(ValidationError):
        AccountIn.model_validate(body(language="de"))


def test_invoice_status_follows_what_is_still_due(session, config, load):
    account = load()
    book_payment(session, config, account, Decimal("100.00"), "test", None, "by hand")
    first, second = account.invoices  # oldest due date first
    assert (first.number, invoice_status(first, TODAY), amount_due(first)) == ("INV-1", "paid", Decimal("0"))
    # 100.00 - 84.20 = 15.80 went to INV-2: 36.30 - 15.80 = 20.50 still due.
    assert (invoice_status(second, TODAY), amount_due(second)) == ("partially_paid", Decimal("20.50"))
    assert invoice_status(second, second.due_on + timedelta(days=1)) == "partially_paid"


def test_an_unpaid_invoice_is_open_until_its_due_date_then_overdue(load):
    account = load(invoices=[invoice("ONLY", "10.00", 0)])
    (only,) = account.invoices
    assert invoice_status(only, only.due_on) == "open"
    assert invoice_status(only, only.due_on + timedelta(days=1)) == "overdue"
    assert account_status(account, only.due_on) == "open"
    assert account_status(account, only.due_on + timedelta(days=1)) == "overdue"


def test_the_most_binding_state_wins(session, config, load):
    account = load()
    assert account_status(account, TODAY) == "overdue"  # INV-1 was due ten days ago
    record_promise(session, config, account, TODAY + timedelta(days=3), None, None)
    assert account_status(account, TODAY) == "promised"
    account.plans.append(Plan())
    session.flush()
    assert account_status(account, TODAY) == "in_plan"
    account.handoffs.append(Handoff(reason="asked_for_agent"))
    session.flush()
    assert account_status(account, TODAY) == "with_agent"
    account.on_hold = True
    assert account_status(account, TODAY) == "on_hold"
    record_dispute(session, account, "already_paid", "paid in cash", None)
    assert account_status(account, TODAY) == "disputed"
    book_payment(session, config, account, Decimal("120.50"), "test", None, "by hand")
    assert account_status(account, TODAY) == "paid"


def test_a_promise_whose_date_has_passed_no_longer_counts(session, config, load):
    account = load()
    record_promise(session, config, account, TODAY + timedelta(days=2), None, None)
    assert account_status(account, TODAY + timedelta(days=2)) == "promised"
    assert account_status(account, TODAY + timedelta(days=3)) == "overdue"


def test_a_typed_reference_finds_its_file_by_letters_and_digits(session, load):
    wanted = load("INV-2025-00871")
    structured = load("+++090/9337/55493+++")
    assert find_by_typed_reference(session, "inv 2025 00871") is wanted
    assert find_by_typed_reference(session, "  inv-2025-00871 ") is wanted
    assert find_by_typed_reference(session, "it is INV/2025/00871") is wanted
    assert find_by_typed_reference(session, "090 9337 55493") is structured
    assert find_by_typed_reference(session, "INV-2025-00872") is None


def test_two_files_that_differ_only_in_separators_are_never_guessed_between(session, load):
    dashed = load("HE-100")
    plain = load("HE100")
    assert find_by_typed_reference(session, "he100") is plain  # exact (ignoring case) first
    assert find_by_typed_reference(session, "HE-100") is dashed
    assert find_by_typed_reference(session, "he 100") is None


def test_the_ledger_adds_up_to_the_balance_and_keeps_overpayments_as_credit(session, config, load):
    account = load()
    book_payment(session, config, account, Decimal("100.00"), "test", "P1", "by hand")
    _, left = book_payment(session, config, account, Decimal("30.00"), "test", "P2", "by hand")
    assert left == Decimal("9.50")  # 130.00 paid on 120.50
    book = accounts.ledger(account)
    assert book["balance"] == Decimal("0.00")
    assert book["credit"] == Decimal("9.50")
    assert [(e["kind"], e["applied"], e["balance"]) for e in book["entries"]] == [
        ("invoice", Decimal("84.20"), Decimal("84.20")),
        ("invoice", Decimal("36.30"), Decimal("120.50")),
        ("payment", Decimal("-100.00"), Decimal("20.50")),
        ("payment", Decimal("-20.50"), Decimal("0.00")),
    ]


def test_received_since_counts_money_after_a_moment_only(session, config, load):
    account = load()
    before = datetime.now(UTC) - timedelta(seconds=1)
    book_payment(session, config, account, Decimal("20.00"), "test", None, "by hand")
    session.flush()
    assert accounts.received_since(account, before) == Decimal("20.00")
    assert accounts.received_since(account, datetime.now(UTC) + timedelta(minutes=1)) == Decimal("0.00")


def test_every_file_of_a_phone_number_is_found_oldest_first(session, load):
    first = load("A-1", phone="+32470000001")
    second = load("A-2", phone="+32470000001")
    load("A-3", phone="+32470000002")
    assert accounts.accounts_for_phone(session, "+32470000001") == [first, second]
