"""Payments: links for what is owed, how money received settles invoices, pay-in-full and
early-payment discounts, refunds that reopen invoices, and overpayments given back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from amicable.services import ServiceError, payments
from amicable.services.accounts import amount_due, balance
from amicable.services.payments import (
    book_payment,
    cancel_link,
    create_payment_link,
    pay_in_full_discount,
    record_payment,
    record_refund,
)


def dues(account) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    return {i.number: amount_due(i) for i in account.invoices}


def test_a_link_asks_for_the_whole_balance_by_default(session, config, load):
    account = load()
    before = datetime.now(UTC)
    link = create_payment_link(session, config, account)
    assert (link.amount, link.discount, link.currency, link.purpose) == (Decimal("120.50"), 0, "EUR", "balance")
    assert link.methods == ["card", "bancontact"]  # the policy's methods for Belgium
    assert link.url == f"http://testserver/pay/{link.id}"
    assert link.status == "open" and link.provider == "local"
    assert timedelta(days=7) <= link.expires_at - before < timedelta(days=7, minutes=1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": Decimal("120.51")}, "more than the balance 120.50"),
        ({"amount": Decimal("50.00"), "discount": True}, "only to a link for the whole balance"),
        ({"purpose": "tip"}, "unknown purpose"),
    ],
)
def test_a_link_never_asks_for_more_than_is_owed_or_for_an_unknown_purpose(session, config, load, kwargs, message):
    account = load()
    with pytest.raises(ServiceError, match=message):
        create_payment_link(session, config, account, **kwargs)


def test_no_link_for_a_paid_account(session, config, load):
    account = load()
    book_payment(session, config, account, Decimal("120.50"), "test", None, "by hand")
    with pytest.raises(ServiceError) as refused:
        create_payment_link(session, config, account)
    assert refused.value.status_code == 409


def test_a_new_link_supersedes_the_open_one_of_the_same_purpose_only(session, config, load):
    account = load()
    first = create_payment_link(session, config, account)
    installment = create_payment_link(session, config, account, Decimal("25.00"), purpose="installment")
    second = create_payment_link(session, config, account, Decimal("60.00"))
    assert (first.status, installment.status, second.status) == ("superseded", "open", "open")
    assert [link.id for link in payments.open_links(session, account)] == [installment.id, second.id]


def test_payments_settle_the_oldest_invoice_first(session, config, load):
    account = load()
    _, left = book_payment(session, config, account, Decimal("90.00"), "test", None, "by hand")
    assert left == 0
    assert dues(account) == {"INV-1": Decimal("0.00"), "INV-2": Decimal("30.50")}  # 90.00 - 84.20 = 5.80 on INV-2
    assert balance(account) == Decimal("30.50")


def test_a_creditor_may_have_payments_settle_the_newest_invoice_first(session, config, load):
    account = load(creditor="Newest First Ltd")
    book_payment(session, config, account, Decimal("40.00"), "test", None, "by hand")
    # 36.30 settles INV-2 (due in five days); the 3.70 left goes to INV-1: 84.20 - 3.70 = 80.50.
    assert dues(account) == {"INV-1": Decimal("80.50"), "INV-2": Decimal("0.00")}


@pytest.mark.parametrize(
    ("owed", "percent", "off"),
    [
        ("120.50", "5", "6.03"),  # 6.025, rounded in the debtor's favour
        ("100.10", "2.5", "2.50"),  # 2.5025
        ("0.10", "5", "0.01"),  # 0.005
        ("200.00", "0", "0.00"),
    ],
)
def test_the_pay_in_full_discount_is_rounded_half_up_to_the_cent(owed, percent, off):
    assert pay_in_full_discount(Decimal(owed), Decimal(percent)) == Decimal(off)


def test_paying_a_discounted_link_in_full_settles_the_account(session, config, load):
    account = load(creditor="Polder Telecom")  # 5% off for paying in full
    link = create_payment_link(session, config, account, discount=True)
    assert (link.amount, link.discount) == (Decimal("114.47"), Decimal("6.03"))
    assert balance(account) == Decimal("120.50")  # an offer changes nothing until it is paid
    record_payment(session, config, link, Decimal("114.47"), "local", "pi_1")
    assert link.status == "paid"
    assert [(a.kind, a.amount) for a in account.adjustments] == [("discount", Decimal("6.03"))]
    assert balance(account) == Decimal("0.00")


def test_a_refund_withdraws_the_discount_and_reopens_the_newest_invoice_first(session, config, load):
    account = load(creditor="Polder Telecom")
    link = create_payment_link(session, config, account, discount=True)
    payment = record_payment(session, config, link, Decimal("114.47"), "local", "pi_1")
    record_refund(session, config, payment, Decimal("10.00"), "re_1")
    assert [(a.kind, a.amount) for a in account.adjustments] == [
        ("discount", Decimal("6.03")),
        ("discount_revoked", Decimal("-6.03")),
    ]
    # The 6.03 is owed again, and the 10.00 given back reopens INV-2 (settled last).
    assert dues(account) == {"INV-1": Decimal("0.00"), "INV-2": Decimal("16.03")}
    assert balance(account) == Decimal("16.03")


def test_a_refund_cannot_exceed_what_is_left_of_the_payment(session, config, load):
    account = load()
    payment, _ = book_payment(session, config, account, Decimal("120.50"), "test", "P1", "by hand")
    record_refund(session, config, payment, Decimal("50.00"), "re_1")
    # Reopened from the invoice settled last: INV-2 whole (36.30), then 13.70 of INV-1.
    assert dues(account) == {"INV-1": Decimal("13.70"), "INV-2": Decimal("36.30")}
    with pytest.raises(ServiceError, match="more than the 70.50 left"):
        record_refund(session, config, payment, Decimal("70.51"), "re_2")
    record_refund(session, config, payment, Decimal("70.50"), "re_3")
    assert balance(account) == Decimal("120.50")


def test_an_overpayment_is_flagged_and_given_back_once(session, config, load):
    account = load()
    link = create_payment_link(session, config, account)
    payment = record_payment(session, config, link, Decimal("130.00"), "local", "pi_1")
    assert balance(account) == Decimal("0.00")
    assert payments.overpayments(session) == [(payment, Decimal("9.50"))]
    refund = payments.return_overpayment(session, config, payment.id)
    assert (refund.kind, refund.amount, refund.provider_reference) == (
        "refund",
        Decimal("-9.50"),
        f"returned by hand ({payment.id})",
    )
    assert refund.allocations == []  # what was owed stays paid
    assert balance(account) == Decimal("0.00")
    assert payments.overpayments(session) == []
    with pytest.raises(ServiceError) as again:
        payments.return_overpayment(session, config, payment.id)
    assert again.value.status_code == 409


def test_a_link_asking_more_than_is_now_owed_is_stale_and_reissued_for_what_is_owed(session, config, load):
    account = load()
    link = create_payment_link(session, config, account)
    book_payment(session, config, account, Decimal("20.00"), "bank_transfer", "B1", "by bank transfer")
    assert link.status == "open" and payments.stale(link)
    fresh = payments.reissue(session, config, link)
    assert fresh.amount == Decimal("100.50")
    assert link.status == "superseded" and not payments.stale(fresh)


def test_every_open_link_closes_once_nothing_is_owed(session, config, load):
    account = load()
    whole = create_payment_link(session, config, account)
    part = create_payment_link(session, config, account, Decimal("25.00"), purpose="installment")
    book_payment(session, config, account, Decimal("120.50"), "bank_transfer", "B1", "by bank transfer")
    assert (whole.status, part.status) == ("closed", "closed")
    assert payments.open_links(session, account) == []


def test_an_early_payment_offer_lasts_until_the_end_of_its_day_in_the_debtors_time(session, config, load):
    account = load()
    last_day = date.today() + timedelta(days=4)
    link = create_payment_link(session, config, account, Decimal("84.20"), early_payment=(Decimal("2"), last_day))
    # 2% of 84.20 is 1.684: 1.68 off.
    assert (link.purpose, link.amount, link.discount) == ("early_payment", Decimal("82.52"), Decimal("1.68"))
    local = link.expires_at.astimezone(ZoneInfo("Europe/Brussels"))
    assert local.replace(tzinfo=None) == datetime.combine(last_day + timedelta(days=1), time(0))


def test_an_operator_cancels_only_an_open_link(session, config, load):
    account = load()
    link = create_payment_link(session, config, account, Decimal("20.00"))
    assert cancel_link(session, config, link).status == "cancelled"
    assert cancel_link(session, config, link).status == "cancelled"  # twice is once
    paid = create_payment_link(session, config, account, Decimal("20.00"))
    record_payment(session, config, paid, Decimal("20.00"), "local", "pi_2")
    with pytest.raises(ServiceError) as refused:
        cancel_link(session, config, paid)
    assert refused.value.status_code == 409
    assert balance(account) == Decimal("100.50")
