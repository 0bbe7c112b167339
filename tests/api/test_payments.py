"""Payment links on the local provider (the demo's): the pay page applies Stripe's event
shape in-process, through the one path that marks invoices paid; the Stripe webhook verifies
what it receives against the webhook secret."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from fastapi.testclient import TestClient

from amicable.policy import load_policy
from amicable.providers.local_pay import checkout_completed as checkout_completed_event
from server.app import create_app
from tests.conftest import AUTH, copy_policies
from tests.factories import account_body


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value, computed with Stripe's documented scheme."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return f"t={timestamp},v1={signature}"


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


def _discount_client(settings, tmp_path, percent):
    policies = copy_policies(tmp_path / "policies", collection_policies=False)
    (policies / "brightwater-energy.yml").write_text(f"discount:\n  pay_in_full_percent: {percent}\n")
    return TestClient(create_app(settings.model_copy(update={"policies_dir": policies})))


def test_paying_in_full_with_the_policy_discount_settles_the_whole_balance(settings, tmp_path):
    with _discount_client(settings, tmp_path, "5") as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        url = "/api/v1/accounts/ACC-1001/payment-links"
        # 5 % of 120.50 is 6.025: rounded to the debtor's advantage.
        link = client.post(url, json={"discount": True}, headers=AUTH).json()
        assert (link["amount"], link["discount"]) == ("114.47", "6.03")
        # An unpaid offer changes nothing on the file.
        assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"] == "120.50"
        client.post(f"/pay/{link['id']}", data={"method": "card"})
        state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
        assert state["balance"] == "0.00" and state["status"] == "paid"
        assert [(a["kind"], a["amount"]) for a in state["adjustments"]] == [("discount", "6.03")]
        assert {i["status"] for i in state["invoices"]} == {"paid"}
        assert any(c["kind"] == "discount" for c in state["contact_log"])


def test_a_discount_is_capped_by_what_is_still_owed_and_only_for_the_whole_balance(settings, tmp_path):
    with _discount_client(settings, tmp_path, "10") as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        url = "/api/v1/accounts/ACC-1001/payment-links"
        partial = client.post(url, json={"discount": True, "amount": "50.00"}, headers=AUTH)
        assert partial.status_code == 422 and "whole balance" in partial.json()["detail"]
        offer = client.post(url, json={"discount": True}, headers=AUTH).json()
        assert (offer["amount"], offer["discount"]) == ("108.45", "12.05")
        # A newer link of the same purpose replaces the offer: the old one can no longer be
        # paid, so the debtor cannot pay twice through us.
        other = client.post(url, json={"amount": "100.00"}, headers=AUTH).json()
        client.post(f"/pay/{other['id']}", data={"method": "card"})
        refused = client.post(f"/pay/{offer['id']}", data={"method": "card"})
        assert "replaced by a newer one" in refused.text and "108" not in refused.text
        state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
        assert state["balance"] == "20.50"
        assert state["adjustments"] == []
        assert not any("flagged for refund" in c["detail"] for c in state["contact_log"])


def test_a_newer_link_supersedes_the_open_one_and_its_page_says_so(settings, tmp_path):
    with _discount_client(settings, tmp_path, "10") as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        offer = client.post("/api/v1/accounts/ACC-1001/payment-links", json={"discount": True}, headers=AUTH).json()
        newer = client.post("/api/v1/accounts/ACC-1001/payment-links", json={"amount": "100.00"}, headers=AUTH)
        links = {
            link["id"]: link["status"]
            for link in client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["payment_links"]
        }
        assert links == {offer["id"]: "superseded", newer.json()["id"]: "open"}
        page = client.get(f"/pay/{offer['id']}")
        assert "replaced by a newer one" in page.text and "108,45" not in page.text and "108.45" not in page.text


def test_without_a_policy_discount_the_link_is_for_the_balance(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    link = client.post("/api/v1/accounts/ACC-1001/payment-links", json={"discount": True}, headers=AUTH).json()
    assert (link["amount"], link["discount"]) == ("120.50", "0.00")


def test_a_policy_with_an_impossible_discount_is_refused(tmp_path):
    (tmp_path / "default.yml").write_text("discount:\n  pay_in_full_percent: 80\n")
    with pytest.raises(ValueError, match="pay_in_full_percent"):
        load_policy(tmp_path, "Anyone")


def test_a_policy_can_settle_the_newest_invoice_first(settings, tmp_path):
    policies = copy_policies(tmp_path / "policies", collection_policies=False)
    (policies / "brightwater-energy.yml").write_text("allocation: newest_first\n")
    with TestClient(create_app(settings.model_copy(update={"policies_dir": policies}))) as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        link = client.post("/api/v1/accounts/ACC-1001/payment-links", json={"amount": "40.00"}, headers=AUTH).json()
        client.post(f"/pay/{link['id']}", data={"method": "card"})
        state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
        assert [(i["number"], i["amount_due"]) for i in state["invoices"]] == [("INV-1", "80.50"), ("INV-2", "0.00")]


def test_an_operator_cancels_a_link_and_it_can_no_longer_be_paid(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    link = client.post("/api/v1/accounts/ACC-1001/payment-links", json={}, headers=AUTH).json()
    cancelled = client.post(f"/api/v1/payment-links/{link['id']}/cancel", headers=AUTH)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/payment-links/{link['id']}/cancel", headers=AUTH).status_code == 200
    page = client.post(f"/pay/{link['id']}", data={"method": "card"})
    assert "withdrawn" in page.text and "120.50" not in page.text
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"] == "120.50"
    assert client.post("/api/v1/payment-links/pl_nope/cancel", headers=AUTH).status_code == 404
    assert client.post(f"/api/v1/payment-links/{link['id']}/cancel").status_code == 401
