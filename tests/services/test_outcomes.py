"""Outcomes: promises to pay within the creditor's limit, disputes, and the reasons that
pause collection (with the consent the debtor's country requires)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from amicable.services import ServiceError
from amicable.services.accounts import account_status
from amicable.services.outcomes import debtor_today, record_dispute, record_promise, record_reason
from amicable.services.payments import book_payment


def kinds(account) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(c.kind, c.detail) for c in account.contacts]


def test_dates_are_judged_in_the_debtors_time_zone(load):
    # At any hour one of these (UTC+14, UTC-11) is on another day than UTC: take that one.
    utc_today = datetime.now(UTC).date()
    zone = next(z for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if datetime.now(ZoneInfo(z)).date() != utc_today)
    account = load(timezone=zone)
    assert debtor_today(account) == datetime.now(ZoneInfo(zone)).date()
    assert debtor_today(account) != utc_today


def test_a_promise_defaults_to_the_whole_balance_on_or_before_the_limit(session, config, load):
    account = load()
    latest = debtor_today(account) + timedelta(days=30)
    promise = record_promise(session, config, account, latest, None, "conv-1")
    assert (promise.amount, promise.due_on, promise.status) == (Decimal("120.50"), latest, "pending")
    assert account.contacts[-1].kind == "promise"
    assert account.contacts[-1].detail == f"120.50 EUR on {latest.isoformat()}"
    assert account.contacts[-1].channel == "bot"  # recorded during a conversation


def test_a_promise_beyond_the_policys_limit_is_refused(session, config, load):
    account = load()
    too_late = debtor_today(account) + timedelta(days=31)
    with pytest.raises(ServiceError, match=f"on or before {(too_late - timedelta(days=1)).isoformat()}") as refused:
        record_promise(session, config, account, too_late, None, None)
    assert refused.value.status_code == 422
    assert account.promises == []


def test_the_limit_is_the_creditors_own(session, config, load):
    account = load(creditor="Polder Telecom")  # promises within 14 days
    today = debtor_today(account)
    record_promise(session, config, account, today + timedelta(days=14), None, None)
    with pytest.raises(ServiceError, match="on or before"):
        record_promise(session, config, account, today + timedelta(days=15), None, None)


@pytest.mark.parametrize(
    ("days", "amount", "message"),
    [(-1, None, "is in the past"), (3, Decimal("120.51"), "more than the balance 120.50")],
)
def test_a_promise_in_the_past_or_for_more_than_is_owed_is_refused(session, config, load, days, amount, message):
    account = load()
    with pytest.raises(ServiceError, match=message):
        record_promise(session, config, account, debtor_today(account) + timedelta(days=days), amount, None)


def test_no_promise_on_a_paid_account(session, config, load):
    account = load()
    book_payment(session, config, account, Decimal("120.50"), "test", None, "by hand")
    with pytest.raises(ServiceError) as refused:
        record_promise(session, config, account, debtor_today(account), None, None)
    assert refused.value.status_code == 409


def test_a_new_promise_replaces_the_pending_one(session, config, load):
    account = load()
    today = debtor_today(account)
    first = record_promise(session, config, account, today + timedelta(days=2), Decimal("50.00"), None)
    second = record_promise(session, config, account, today, Decimal("20.00"), None)  # today is allowed
    assert (first.status, second.status) == ("replaced", "pending")


def test_a_dispute_pauses_collection_and_names_the_reason_once(session, load):
    account = load()
    record_dispute(session, account, "already_paid", "I paid in cash at the shop", None)
    assert account_status(account, debtor_today(account)) == "disputed"
    assert account.reason == "dispute"
    account.reason = "job_loss"
    record_dispute(session, account, "wrong_amount", "", None)
    assert account.reason == "job_loss"  # a reason already given is kept
    assert [k for k, _ in kinds(account)] == ["dispute", "dispute"]
    assert kinds(account)[0][1] == "already_paid: I paid in cash at the shop"
    assert account.contacts[0].channel == "api"  # recorded outside a conversation


@pytest.mark.parametrize(
    ("country", "consent", "vulnerable", "note"),
    [
        ("BE", None, False, None),  # GDPR: health data only with an explicit yes
        ("BE", True, True, "vulnerability recorded with the debtor's consent"),
        ("BE", False, False, "not recorded: the debtor declined"),
        ("US", None, True, "vulnerability recorded"),
        ("US", False, False, "not recorded: the debtor declined"),
    ],
)
def test_illness_pauses_collection_and_records_vulnerability_only_with_the_consent_required(
    session, load, country, consent, vulnerable, note
):
    account = load(country=country, postcode="10001" if country == "US" else "1000")
    record_reason(session, account, "illness", "conv-1", consent=consent)
    assert (account.reason, account.on_hold, account.vulnerable) == ("illness", True, vulnerable)
    assert account_status(account, debtor_today(account)) == "on_hold"
    notes = [detail for kind, detail in kinds(account) if kind == "vulnerability"]
    assert notes == ([note] if note else [])


def test_other_reasons_are_noted_without_pausing_collection(session, load):
    account = load()
    record_reason(session, account, "job_loss", None)
    assert (account.reason, account.on_hold, account.vulnerable) == ("job_loss", False, False)
    assert kinds(account) == [("reason", "job_loss")]
