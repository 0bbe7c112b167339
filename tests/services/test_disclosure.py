"""What the bot may tell a confirmed debtor: the balance, the invoices still open, the plan
running, how to pay by transfer, and the latest date a promise may name."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from amicable.services.disclosure import account_summary
from amicable.services.outcomes import debtor_today
from amicable.services.payments import book_payment
from amicable.services.plans import record_plan


def test_the_summary_tells_the_balance_the_open_invoices_and_how_to_pay_by_transfer(session, config, load):
    account = load()
    book_payment(session, config, account, Decimal("84.20"), "test", None, "by hand")
    summary = account_summary(config, account)
    today = debtor_today(account)
    assert summary["balance"] == "36.30"
    assert summary["status"] == "open"  # the overdue invoice is paid; the other is not yet due
    assert summary["today"] == today.isoformat()
    assert summary["latest_promise_date"] == (today + timedelta(days=30)).isoformat()
    assert summary["invoices"] == [
        {"number": "INV-2", "amount_due": "36.30", "due_on": account.invoices[1].due_on.isoformat(), "status": "open"}
    ]
    assert summary["bank_transfer"] == {
        "iban": "BE68 5390 0754 7034",
        "bic": "GKCCBEBB",
        "beneficiary": "Brightwater Energy SA",
        "reference": "+++000/0000/00101+++",
    }
    assert summary["vulnerability_consent_required"] is True  # a Belgian debtor
    assert summary["plan"] is None


def test_no_transfer_is_offered_without_the_creditors_iban(config, load):
    summary = account_summary(config, load(creditor="Newest First Ltd", country="US", postcode="10001"))
    assert summary["bank_transfer"] is None
    assert summary["vulnerability_consent_required"] is False


def test_a_creditor_reference_is_shown_in_groups_and_the_promise_limit_is_the_creditors(config, load):
    account = load(creditor="Polder Telecom", country="NL", postcode="3511AB")
    summary = account_summary(config, account)
    assert summary["bank_transfer"] is None  # this test's Polder Telecom has no IBAN
    assert account.payment_reference == "RF740000000001"
    assert summary["latest_promise_date"] == (debtor_today(account) + timedelta(days=14)).isoformat()


def test_the_plan_running_is_summarised_with_what_is_due_next(session, config, load):
    account = load()
    plan = record_plan(session, config, account, Decimal("50"), None)
    book_payment(session, config, account, Decimal("70.00"), "test", None, "by hand")
    session.flush()
    summary = account_summary(config, account)
    assert summary["status"] == "in_plan"
    assert summary["balance"] == "50.50"
    assert summary["plan"] == {
        "id": plan.id,
        "installments_left": 3,
        "next_amount": "30.00",  # 70.00 paid: the first 50.00 and 20.00 of the second
        "next_due_on": plan.installments[1].due_on.isoformat(),
    }
