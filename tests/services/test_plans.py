"""Installment plans: schedules computed from the balance and the creditor's policy, the
counter-offer when a proposal does not fit, and what recording a plan changes on the file."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.policy import PlanPolicy
from amicable.services import ServiceError, plans
from amicable.services.accounts import balance
from amicable.services.outcomes import debtor_today, record_promise
from amicable.services.payments import book_payment, create_payment_link, record_payment
from amicable.services.plans import add_months, quote, record_plan, schedule

POLICY = PlanPolicy(min_installment=Decimal("25.00"), max_installments=12, first_due_days=7)
DAY = date(2027, 1, 31)
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))


def amounts(installments) -> list[Decimal]:  # type: ignore[no-untyped-def]
    return [amount for _, amount in installments]


def test_months_that_are_too_short_end_on_their_last_day():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # a leap year
    assert add_months(date(2027, 1, 31), 2) == date(2027, 3, 31)  # the day comes back
    assert add_months(date(2027, 10, 30), 4) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_a_schedule_is_equal_months_and_a_smaller_last_one():
    assert schedule(Decimal("120.50"), Decimal("25.00"), DAY) == [
        (date(2027, 1, 31), Decimal("25.00")),
        (date(2027, 2, 28), Decimal("25.00")),
        (date(2027, 3, 31), Decimal("25.00")),
        (date(2027, 4, 30), Decimal("25.00")),
        (date(2027, 5, 31), Decimal("20.50")),
    ]


def test_a_remainder_of_at_most_a_tenth_of_the_monthly_amount_joins_the_one_before():
    # 100.50 at 25: 0.50 left over (≤ 2.50) rides on the fourth installment.
    assert amounts(schedule(Decimal("100.50"), Decimal("25.00"), DAY)) == [Decimal("25.00")] * 3 + [Decimal("25.50")]
    # Exactly a tenth joins too; a cent more makes a month of its own.
    assert amounts(schedule(Decimal("102.50"), Decimal("25.00"), DAY))[-1] == Decimal("27.50")
    assert amounts(schedule(Decimal("102.51"), Decimal("25.00"), DAY))[-1] == Decimal("2.51")


def test_a_proposal_that_fits_is_taken_as_proposed():
    offer = quote(Decimal("300.00"), Decimal("40"), POLICY, DAY)
    assert (offer.fits, offer.why, offer.monthly, offer.total) == (True, None, Decimal("40.00"), Decimal("300.00"))
    assert amounts(offer.installments) == [Decimal("40.00")] * 7 + [Decimal("20.00")]
    assert offer.installments[0][0] == DAY + timedelta(days=7)


def test_a_proposal_below_the_minimum_is_countered_with_the_minimum():
    offer = quote(Decimal("300.00"), Decimal("20"), POLICY, DAY)
    assert (offer.fits, offer.why, offer.monthly) == (False, "below_minimum", Decimal("25.00"))
    assert amounts(offer.installments) == [Decimal("25.00")] * 12


def test_a_proposal_that_runs_too_long_is_countered_with_the_longest_plan_allowed():
    # 2000.00 over at most 12 months: 166.666… rounded up to 166.67; 11 × 166.67 = 1833.37.
    offer = quote(Decimal("2000.00"), Decimal("100"), POLICY, DAY)
    assert (offer.fits, offer.why, offer.monthly) == (False, "too_long", Decimal("166.67"))
    assert amounts(offer.installments) == [Decimal("166.67")] * 11 + [Decimal("166.63")]


@given(owed=cents, proposed=cents)
def test_installments_always_add_up_to_the_balance_within_the_policy(owed, proposed):
    offer = quote(owed, proposed, POLICY, DAY)
    assert offer.total == owed
    assert sum(amounts(offer.installments), Decimal("0")) == owed
    assert 1 <= len(offer.installments) <= POLICY.max_installments
    assert all(amount > 0 for amount in amounts(offer.installments))
    assert all(amount == offer.monthly for amount in amounts(offer.installments)[:-1])
    assert offer.installments[-1][1] <= offer.monthly * Decimal("1.1")
    due_dates = [day for day, _ in offer.installments]
    assert due_dates == [add_months(DAY + timedelta(days=7), n) for n in range(len(due_dates))]
    if offer.fits:
        assert offer.monthly == min(proposed, owed)


@given(owed=st.integers(min_value=2500, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2)), proposed=cents)
def test_a_counter_offer_is_itself_accepted(owed, proposed):
    offer = quote(owed, proposed, POLICY, DAY)
    assert quote(owed, offer.monthly, POLICY, DAY).fits


def test_a_counter_offer_for_a_balance_below_the_minimum_is_accepted():
    offer = quote(Decimal("20.00"), Decimal("20.00"), POLICY, DAY)
    assert offer.monthly == Decimal("20.00")
    assert quote(Decimal("20.00"), offer.monthly, POLICY, DAY).fits


def test_recording_a_plan_schedules_the_balance_and_replaces_promises_and_links(session, config, load):
    account = load()
    promise = record_promise(session, config, account, debtor_today(account) + timedelta(days=5), None, None)
    link = create_payment_link(session, config, account)
    plan = record_plan(session, config, account, Decimal("50"), None)
    first_due = debtor_today(account) + timedelta(days=7)
    assert [(i.seq, i.amount, i.due_on, i.status) for i in plan.installments] == [
        (1, Decimal("50.00"), first_due, "scheduled"),
        (2, Decimal("50.00"), add_months(first_due, 1), "scheduled"),
        (3, Decimal("20.50"), add_months(first_due, 2), "scheduled"),
    ]
    assert (plan.status, promise.status, link.status) == ("active", "replaced", "closed")
    assert plans.active_plan(account) is plan


def test_a_plan_that_does_not_fit_is_refused_with_the_counter_offer(session, config, load):
    account = load()
    with pytest.raises(ServiceError, match="the nearest that does is 25.00 a month"):
        record_plan(session, config, account, Decimal("10"), None)
    assert account.plans == []


def test_the_creditors_policy_sets_the_longest_plan(session, config, load):
    big = [{"number": "BIG", "amount": "1800.00", "issued_on": "2026-01-01", "due_on": "2026-02-01"}]
    # 1800 / 18 = 100.00 a month fits Polder Telecom's 18 months, not the default's 12.
    assert plans.quote_for(config, load("P-1", creditor="Polder Telecom", invoices=big), Decimal("100")).fits
    counter = plans.quote_for(config, load("P-2", invoices=big), Decimal("100"))
    assert (counter.fits, counter.monthly, len(counter.installments)) == (False, Decimal("150.00"), 12)


def test_a_new_plan_cancels_the_one_running(session, config, load):
    account = load()
    first = record_plan(session, config, account, Decimal("50"), None)
    second = record_plan(session, config, account, Decimal("30"), None)
    assert first.status == "cancelled"
    assert {i.status for i in first.installments} == {"cancelled"}
    assert plans.active_plan(account) is second
    assert sum(i.amount for i in second.installments) == Decimal("120.50")


def test_the_next_installment_counts_what_was_paid_since_the_plan_began(session, config, load):
    account = load()
    plan = record_plan(session, config, account, Decimal("50"), None)
    installment, due = plans.next_installment(account)
    assert (installment.seq, due) == (1, Decimal("50.00"))
    book_payment(session, config, account, Decimal("70.00"), "test", None, "by hand")
    session.flush()
    # 70.00 covers the first installment and 20.00 of the second: 30.00 is still due on it.
    installment, due = plans.next_installment(account)
    assert (installment.seq, due) == (2, Decimal("30.00"))
    assert plan.status == "active"


def test_a_link_during_a_plan_is_for_the_next_installment(session, config, load):
    account = load()
    plan = record_plan(session, config, account, Decimal("50"), None)
    link = plans.link_for_debtor(session, config, account, None)
    assert (link.purpose, link.amount) == ("installment", Decimal("50.00"))
    assert plan.installments[0].payment_link_id == link.id
    whole = plans.link_for_debtor(session, config, account, None, whole_balance=True)
    assert (whole.purpose, whole.amount) == ("balance", Decimal("120.50"))


def test_paying_off_the_balance_completes_the_plan_at_once(session, config, load):
    account = load()
    plan = record_plan(session, config, account, Decimal("50"), None)
    link = plans.link_for_debtor(session, config, account, None, whole_balance=True)
    record_payment(session, config, link, Decimal("120.50"), "local", "pi_1")
    assert balance(account) == 0
    assert plan.status == "completed"
    assert {i.status for i in plan.installments} == {"paid"}
    assert plans.next_installment(account) is None
