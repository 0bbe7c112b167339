"""Payment links on the local provider: the pay page emits Stripe's event shape, signed, and
the one webhook path marks invoices paid."""

from __future__ import annotations

import json
import time

import stripe

from amicable.services.payments import checkout_completed_event, sign
from tests.conftest import AUTH
from tests.factories import account_body


def _link(client, amount=None):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    body = {"amount": amount} if amount else {}
    return client.post("/api/v1/accounts/ACC-1001/payment-links", json=body, headers=AUTH).json()


def test_paying_on_the_local_pay_page_settles_the_invoices(client):
    link = _link(client)
    page = client.get(f"/pay/{link['id']}")
    assert page.status_code == 200
    assert "120.50" in page.text and "Bancontact" in page.text
    paid = client.post(f"/pay/{link['id']}", data={"method": "bancontact"}, follow_redirects=False)
    assert paid.status_code == 303
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["balance"] == "0.00"
    assert state["status"] == "paid"
    assert {i["status"] for i in state["invoices"]} == {"paid"}
    assert state["payment_links"][0]["status"] == "paid"
    assert "complete" in client.get(f"/pay/{link['id']}").text
    # Paying the same link again changes nothing.
    client.post(f"/pay/{link['id']}", data={"method": "card"})
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"] == "0.00"


def test_partial_payment_goes_to_the_oldest_invoice_first(client):
    link = _link(client, "90.00")
    client.post(f"/pay/{link['id']}", data={"method": "card"})
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["balance"] == "30.50"
    assert [(i["number"], i["amount_due"], i["status"]) for i in state["invoices"]] == [
        ("INV-1", "0.00", "paid"),
        ("INV-2", "30.50", "partially_paid"),
    ]


def _event_for(client, link_id):
    from amicable.db.models import PaymentLink

    with client.app.state.sessionmaker() as session:
        return checkout_completed_event(session.get(PaymentLink, link_id), "card")


def test_stripe_webhook_verifies_signatures_and_is_idempotent(client, settings):
    link = _link(client)
    payload = json.dumps(_event_for(client, link["id"]))
    secret = settings.stripe_webhook_secret
    header = sign(payload, secret)
    # The real library accepts our signature: same scheme as Stripe's.
    assert stripe.Webhook.construct_event(payload, header, secret)["type"] == "checkout.session.completed"

    assert client.post("/webhooks/stripe", content=payload).status_code == 400
    forged = sign(payload, "whsec_wrong")
    assert client.post("/webhooks/stripe", content=payload, headers={"stripe-signature": forged}).status_code == 400
    stale = sign(payload, secret, timestamp=int(time.time()) - 3600)
    assert client.post("/webhooks/stripe", content=payload, headers={"stripe-signature": stale}).status_code == 400
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"] == "120.50"

    first = client.post("/webhooks/stripe", content=payload, headers={"stripe-signature": header})
    assert first.status_code == 200 and first.json()["result"] == "paid"
    again = client.post("/webhooks/stripe", content=payload, headers={"stripe-signature": sign(payload, secret)})
    assert again.json()["result"].startswith("duplicate")
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"] == "0.00"


def test_events_for_unknown_links_or_other_currencies_are_refused(client, settings):
    link = _link(client)
    event = _event_for(client, link["id"])
    secret = settings.stripe_webhook_secret
    event["data"]["object"]["currency"] = "usd"
    payload = json.dumps(event)
    assert (
        client.post(
            "/webhooks/stripe", content=payload, headers={"stripe-signature": sign(payload, secret)}
        ).status_code
        == 400
    )
    event["data"]["object"].update(
        currency="eur", client_reference_id="pl_nope", metadata={"payment_link_id": "pl_nope"}
    )
    event["id"] = "evt_other"
    payload = json.dumps(event)
    assert (
        client.post(
            "/webhooks/stripe", content=payload, headers={"stripe-signature": sign(payload, secret)}
        ).status_code
        == 400
    )
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"] == "120.50"
