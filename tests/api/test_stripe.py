"""Stripe as the payment provider: the real `stripe` library talks to a local server that
answers in Stripe's shapes, and events are signed with Stripe's scheme and checked against
`stripe.Webhook.construct_event` as an oracle."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import stripe
from fastapi.testclient import TestClient

from server.app import create_app
from tests.conftest import AUTH
from tests.factories import account_body
from tests.fakes.stripe_api import FakeStripe, fixture

ACCOUNT = "/api/v1/accounts/ACC-1001"


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        yield server


@pytest.fixture
def client(settings, fake) -> Iterator[TestClient]:
    stripe_settings = settings.model_copy(update={"stripe_api_key": fake.api_key, "stripe_api_base": fake.url})
    with TestClient(create_app(stripe_settings)) as test_client:
        test_client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        yield test_client


def _post_event(client, fake, settings, kind, obj):
    payload, headers = fake.signed_event(settings.stripe_webhook_secret, kind, obj)
    # The oracle: Stripe's own library accepts the signature we are about to rely on.
    assert stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], settings.stripe_webhook_secret)
    return client.post("/webhooks/stripe", content=payload, headers=headers)


def _state(client):
    return client.get(ACCOUNT, headers=AUTH).json()


def _paid_link(client, fake, settings, body=None):
    link = client.post(f"{ACCOUNT}/payment-links", json=body or {}, headers=AUTH).json()
    [session_id] = [s for s in fake.sessions if fake.sessions[s]["client_reference_id"] == link["id"]]
    response = _post_event(client, fake, settings, "checkout.session.completed", fake.complete(session_id))
    assert response.status_code == 200, response.text
    return link, fake.sessions[session_id]


def test_a_link_is_a_checkout_session_for_the_exact_amount_and_methods(client, fake):
    link = client.post(f"{ACCOUNT}/payment-links", json={"amount": "90.10"}, headers=AUTH).json()
    [(method, path, params, headers)] = fake.requests
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert headers["Idempotency-Key"].startswith(link["id"])
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == link["id"]
    assert params["metadata"] == {"account_reference": "ACC-1001", "payment_link_id": link["id"]}
    assert params["payment_intent_data"]["metadata"] == params["metadata"]
    [item] = params["line_items"]
    assert item["price_data"]["unit_amount"] == "9010" and item["price_data"]["currency"] == "eur"
    # A Belgian debtor: the methods the policy allows in Belgium, in English (their language).
    assert params["payment_method_types"] == ["card", "bancontact"]
    assert params["locale"] == "en"
    assert params["success_url"] == f"http://testserver/pay/{link['id']}/done?session_id={{CHECKOUT_SESSION_ID}}"
    assert params["cancel_url"] == f"http://testserver/pay/{link['id']}?cancelled=1"
    assert 0 < int(params["expires_at"]) - time.time() <= 24 * 3600
    # The debtor gets our own page, which sends them on to Stripe's.
    assert link["url"] == f"http://testserver/pay/{link['id']}"
    onward = client.post(f"/pay/{link['id']}", data={"method": "card"}, follow_redirects=False)
    assert onward.status_code == 303 and onward.headers["location"].startswith("https://checkout.stripe.com/")


def test_a_paid_session_reduces_the_balance_by_exactly_its_amount_once(client, fake, settings):
    link, session = _paid_link(client, fake, settings, {"amount": "90.10"})
    state = _state(client)
    assert state["balance"] == "30.40"
    assert [(p["id"], p["status"]) for p in state["payment_links"]] == [(link["id"], "paid")]
    # Stripe retries: same event id, nothing changes twice.
    payload, headers = fake.signed_event(settings.stripe_webhook_secret, "checkout.session.completed", session)
    first = client.post("/webhooks/stripe", content=payload, headers=headers)
    again = client.post("/webhooks/stripe", content=payload, headers=headers)
    assert first.json()["result"].startswith("flagged") and again.json()["result"].startswith("duplicate")
    assert _state(client)["balance"] == "30.40"
    assert any("second payment" in c["detail"] for c in _state(client)["contact_log"])
    assert client.get(f"/pay/{link['id']}/done").status_code == 200


def test_bank_debits_wait_for_the_money(client, fake, settings):
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    [session] = fake.sessions.values()
    session.update(status="complete", payment_status="unpaid", payment_intent="pi_test_debit")
    _post_event(client, fake, settings, "checkout.session.completed", session)
    state = _state(client)
    assert state["balance"] == "120.50" and state["payment_links"][0]["status"] == "processing"
    assert "waiting for your bank" in client.get(f"/pay/{link['id']}").text
    session["payment_status"] = "paid"
    _post_event(client, fake, settings, "checkout.session.async_payment_succeeded", session)
    assert _state(client)["balance"] == "0.00"


def test_a_failed_bank_debit_fails_the_link_and_leaves_the_balance(client, fake, settings):
    client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH)
    [session] = fake.sessions.values()
    session.update(status="complete", payment_status="unpaid")
    _post_event(client, fake, settings, "checkout.session.async_payment_failed", session)
    state = _state(client)
    assert state["balance"] == "120.50" and state["payment_links"][0]["status"] == "failed"


def test_a_declined_card_is_logged_and_the_link_stays_open(client, fake, settings):
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    intent = fixture("payment_intent")
    intent.update(
        status="requires_payment_method",
        metadata={"account_reference": "ACC-1001", "payment_link_id": link["id"]},
        last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds", "message": "Declined."},
    )
    assert _post_event(client, fake, settings, "payment_intent.payment_failed", intent).status_code == 200
    state = _state(client)
    assert state["payment_links"][0]["status"] == "open"
    assert any("insufficient_funds" in c["detail"] for c in state["contact_log"] if c["kind"] == "payment_failed")


def test_an_expired_session_is_replaced_while_the_link_is_valid(client, fake, settings):
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    [session] = fake.sessions.values()
    session["status"] = "expired"
    _post_event(client, fake, settings, "checkout.session.expired", session)
    assert _state(client)["payment_links"][0]["status"] == "open"
    onward = client.post(f"/pay/{link['id']}", data={"method": "bancontact"}, follow_redirects=False)
    assert len(fake.sessions) == 2
    assert onward.headers["location"] != session["url"]


def test_refunds_reopen_the_invoices_once_per_amount(client, fake, settings):
    _paid_link(client, fake, settings)
    payment_intent = next(iter(fake.sessions.values()))["payment_intent"]
    charge = fixture("charge")
    charge.update(payment_intent=payment_intent, amount=12050, currency="eur", amount_refunded=3000, refunded=False)
    _post_event(client, fake, settings, "charge.refunded", charge)
    state = _state(client)
    # 30.00 back: the most recent invoice (INV-2, 36.30) is partly open again.
    assert state["balance"] == "30.00"
    assert [(i["number"], i["amount_due"]) for i in state["invoices"]] == [("INV-1", "0.00"), ("INV-2", "30.00")]
    # The same running total again books nothing; a higher one books only the difference.
    _post_event(client, fake, settings, "charge.refunded", charge)
    assert _state(client)["balance"] == "30.00"
    charge.update(amount_refunded=12050, refunded=True)
    _post_event(client, fake, settings, "charge.refunded", charge)
    assert _state(client)["balance"] == "120.50"
    assert [c["kind"] for c in _state(client)["contact_log"]].count("refund") == 2
    book = client.get(f"{ACCOUNT}/ledger", headers=AUTH).json()
    assert [(e["kind"], e["amount"], e["applied"]) for e in book["entries"]] == [
        ("invoice", "84.20", "84.20"),
        ("invoice", "36.30", "36.30"),
        ("payment", "-120.50", "-120.50"),
        ("refund", "30.00", "30.00"),
        ("refund", "90.50", "90.50"),
    ]
    assert (book["balance"], book["credit"], book["entries"][-1]["balance"]) == ("120.50", "0.00", "120.50")


def test_a_chargeback_opens_a_dispute_that_pauses_collection(client, fake, settings):
    _paid_link(client, fake, settings, {"amount": "50.00"})
    dispute = fixture("dispute")
    dispute.update(
        payment_intent=next(iter(fake.sessions.values()))["payment_intent"], amount=5000, reason="fraudulent"
    )
    _post_event(client, fake, settings, "charge.dispute.created", dispute)
    state = _state(client)
    assert state["status"] == "disputed"
    assert state["disputes"][0]["reason"] == "chargeback"
    assert state["balance"] == "70.50"  # the money stays booked until the bank takes it back


def test_events_that_do_not_fit_are_refused_and_change_nothing(client, fake, settings):
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    [session] = fake.sessions.values()
    paid = fake.complete(session["id"])
    for change in (
        {"currency": "usd"},
        {"amount_total": -5},
        {"metadata": {"account_reference": "ACC-9999", "payment_link_id": link["id"]}},
        {"metadata": {}, "client_reference_id": "pl_unknown"},
    ):
        assert _post_event(client, fake, settings, "checkout.session.completed", {**paid, **change}).status_code == 400
    charge = fixture("charge")
    charge.update(payment_intent="pi_nobody", amount_refunded=100, currency="eur")
    assert _post_event(client, fake, settings, "charge.refunded", charge).status_code == 400
    assert _state(client)["balance"] == "120.50"


def test_when_stripe_fails_no_link_is_stored_and_the_client_is_told(client, fake):
    fake.fail_next = {"status": 400, "message": "The payment method type 'bancontact' is invalid."}
    response = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH)
    assert response.status_code == 502 and "bancontact" in response.json()["detail"]
    assert _state(client)["payment_links"] == []


def test_a_newer_link_expires_the_old_checkout_session_at_stripe(client, fake):
    old = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    [old_session] = [s for s, v in fake.sessions.items() if v["client_reference_id"] == old["id"]]
    client.post(f"{ACCOUNT}/payment-links", json={"amount": "50.00"}, headers=AUTH)
    assert ("POST", f"/v1/checkout/sessions/{old_session}/expire") in [(m, p) for m, p, _, _ in fake.requests]
    assert fake.sessions[old_session]["status"] == "expired"
    cancelled = client.post(f"/api/v1/payment-links/{old['id']}/cancel", headers=AUTH)
    assert cancelled.status_code == 409  # superseded already: nothing left to cancel


def test_an_overpayment_is_listed_then_refunded_through_stripe_once(client, fake, settings):
    """The debtor was already on Stripe's page for 120.50 when 100.00 came in by a newer link:
    Stripe takes the 120.50 anyway. The 100.00 too much is listed, refunded at Stripe through
    the API, shown in the ledger, and Stripe's own refund event afterwards books nothing more."""
    first = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    [first_session] = [s for s, v in fake.sessions.items() if v["client_reference_id"] == first["id"]]
    _paid_link(client, fake, settings, {"amount": "100.00"})
    late = _post_event(client, fake, settings, "checkout.session.completed", fake.complete(first_session))
    assert late.status_code == 200
    [due] = client.get("/api/v1/refunds", headers=AUTH).json()
    assert (due["account_reference"], due["amount"], due["provider"]) == ("ACC-1001", "100.00", "stripe")
    done = client.post(f"/api/v1/refunds/{due['id']}", headers=AUTH)
    assert done.status_code == 200, done.text
    [refund] = fake.refunds
    assert (refund["amount"], refund["payment_intent"]) == (10000, fake.sessions[first_session]["payment_intent"])
    assert done.json()["reference"] == refund["id"]
    assert client.get("/api/v1/refunds", headers=AUTH).json() == []
    assert client.post(f"/api/v1/refunds/{due['id']}", headers=AUTH).status_code == 409
    charge = fixture("charge")
    charge.update(payment_intent=refund["payment_intent"], amount=12050, currency="eur", amount_refunded=10000)
    assert _post_event(client, fake, settings, "charge.refunded", charge).json()["result"] == "refund already booked"
    state = _state(client)
    assert state["balance"] == "0.00"
    book = client.get(f"{ACCOUNT}/ledger", headers=AUTH).json()
    assert [e["kind"] for e in book["entries"]].count("refund") == 1 and book["credit"] == "0.00"
