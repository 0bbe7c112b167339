"""Payment events: every payment arrives as a Stripe-shaped event, verified, applied once;
the local (demo) provider's events move money only in the demo."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest

from amicable.services import ServiceError, payment_events
from amicable.services.accounts import balance
from amicable.services.payments import create_payment_link, record_payment

SECRET = "whsec_services_test_0123456789"


def signed(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    """A Stripe-Signature header, made as Stripe makes it (HMAC-SHA256 of "t.payload")."""
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def paid_event(link, amount_total: int, event_id: str = "evt_1", currency: str = "eur") -> dict:  # type: ignore[no-untyped-def]
    return {
        "id": event_id,
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": f"cs_test_{event_id}",
                "client_reference_id": link.id,
                "payment_status": "paid",
                "currency": currency,
                "amount_total": amount_total,
                "payment_intent": f"pi_{event_id}",
                "metadata": {"payment_link_id": link.id, "account_reference": link.account.reference},
            }
        },
    }


def stripe_link(session, config, account, amount=None):  # type: ignore[no-untyped-def]
    link = create_payment_link(session, config, account, amount)
    link.provider = "stripe"  # as if its Checkout Session had been opened at Stripe
    return link


def test_an_event_is_applied_once(session, config, load):
    account = load()
    link = stripe_link(session, config, account, Decimal("20.00"))
    event = paid_event(link, 2000)
    assert payment_events.apply_event(session, config, event) == "paid"
    session.flush()
    assert payment_events.apply_event(session, config, event) == "duplicate: already applied"
    assert balance(account) == Decimal("100.50")
    assert [(p.amount, p.provider, p.provider_reference) for p in account.payments] == [
        (Decimal("20.00"), "stripe", "pi_evt_1")
    ]


def test_a_second_payment_for_a_paid_link_is_flagged_not_booked(session, config, load):
    account = load()
    link = stripe_link(session, config, account, Decimal("20.00"))
    payment_events.apply_event(session, config, paid_event(link, 2000, "evt_1"))
    assert payment_events.apply_event(session, config, paid_event(link, 2000, "evt_2")) == "flagged: link already paid"
    assert balance(account) == Decimal("100.50")
    assert account.contacts[-1].kind == "payment_flagged"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "gbp"}, "currency GBP does not match the link's EUR"),
        ({"amount_total": 0}, "amount_total must be a positive integer"),
        ({"amount_total": 20.0}, "amount_total must be a positive integer"),
        ({"metadata": {"account_reference": "ACC-9999"}}, "does not match the link"),
        ({"client_reference_id": "pl_unknown", "metadata": {}}, "unknown payment link"),
    ],
)
def test_an_event_that_does_not_fit_is_refused_and_books_nothing(session, config, load, change, message):
    account = load()
    link = stripe_link(session, config, account)
    event = paid_event(link, 12050)
    event["data"]["object"].update(change)
    with pytest.raises(ServiceError, match=message):
        payment_events.apply_event(session, config, event)
    assert balance(account) == Decimal("120.50")


def test_refund_events_carry_a_running_total_and_only_what_is_new_is_booked(session, config, load):
    account = load()
    link = create_payment_link(session, config, account)
    record_payment(session, config, link, Decimal("120.50"), "stripe", "pi_9")
    session.flush()

    def refunded(event_id: str, total: int) -> str:
        event = {
            "id": event_id,
            "type": "charge.refunded",
            "data": {"object": {"payment_intent": "pi_9", "currency": "eur", "amount_refunded": total}},
        }
        result = payment_events.apply_event(session, config, event)
        session.flush()
        return result

    assert refunded("evt_r1", 1000) == "refunded"
    assert refunded("evt_r2", 1500) == "refunded"  # 5.00 more
    assert refunded("evt_r3", 1500) == "refund already booked"
    assert sorted(p.amount for p in account.payments if p.kind == "refund") == [Decimal("-10.00"), Decimal("-5.00")]
    assert balance(account) == Decimal("15.00")


def test_the_demos_pay_page_pays_a_local_link_only_in_the_demo(session, config, load):
    account = load()
    link = create_payment_link(session, config, account, Decimal("30.00"))
    assert payment_events.pay_locally(session, config, link, "card") == "paid"
    assert balance(account) == Decimal("90.50")
    other = create_payment_link(session, config, account, Decimal("30.00"))
    production = config.model_copy(update={"amicable_demo": False})
    with pytest.raises(ServiceError, match="takes no payments"):
        payment_events.pay_locally(session, production, other, "card")
    assert balance(account) == Decimal("90.50")


def test_a_webhook_is_verified_against_the_secret_and_its_age():
    payload = json.dumps({"id": "evt_1", "type": "ping"}).encode()
    assert payment_events.verify(payload, signed(payload), SECRET)["id"] == "evt_1"
    for header, secret, message in [
        (signed(payload), "", "not configured"),
        (signed(payload), "whsec_amicable_local_provider", "not configured"),  # a published secret
        (None, SECRET, "missing Stripe-Signature"),
        (signed(payload, "whsec_other"), SECRET, "bad signature"),
        (signed(payload, at=int(time.time()) - 600), SECRET, "bad signature"),  # ten minutes old
    ]:
        with pytest.raises(ServiceError, match=message) as refused:
            payment_events.verify(payload, header, secret)
        assert refused.value.status_code == 400
