"""Installments taken from a saved method: the debtor saves a SEPA mandate or a card once,
is told of each amount before its date, and each installment is charged on its due date, on
the local provider and on Stripe (the real library against the local Stripe server)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
import stripe
from fastapi.testclient import TestClient

from amicable.db.session import transaction
from amicable.outreach.collection import run
from server.app import create_app
from tests.conftest import AUTH
from tests.factories import account_body
from tests.fakes.stripe_api import FakeStripe

ACCOUNT = "/api/v1/accounts/ACC-1001"


def _collect(client, settings, day: date):
    """A collection run with the app's own settings (with or without Stripe)."""
    with transaction(client.app.state.sessionmaker) as session:
        return run(session, client.app.state.settings, datetime.combine(day, time(8, 0), tzinfo=UTC))


def _plan(client) -> tuple[dict, list[date]]:
    client.post("/api/v1/accounts", json=account_body(language="nl"), headers=AUTH)
    plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
    return plan, [date.fromisoformat(i["due_on"]) for i in plan["installments"]]


def _installments(client) -> list[dict]:
    return client.get(ACCOUNT, headers=AUTH).json()["plans"][0]["installments"]


def _log(client, kind: str) -> list[str]:
    return [c["detail"] for c in client.get(ACCOUNT, headers=AUTH).json()["contact_log"] if c["kind"] == kind]


def test_a_saved_mandate_is_announced_then_charged_on_the_due_date(client, settings):
    plan, dues = _plan(client)
    assert plan["autopay_url"] == f"http://testserver/plans/{plan['id']}/autopay"
    page = client.get(plan["autopay_url"])
    assert 'lang="nl"' in page.text and "SEPA-incasso" in page.text and "Kaart" in page.text
    saved = client.post(plan["autopay_url"], data={"method": "sepa_debit"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("/autopay/done")
    assert "automatisch betaald" in client.get(saved.headers["location"]).text
    offered = client.post(f"{ACCOUNT}/plans/{plan['id']}/autopay", headers=AUTH).json()
    assert offered["saved_method"] == "sepa_debit"

    _collect(client, settings, dues[0] - timedelta(days=3))
    [notice] = _log(client, "installment_notice")
    assert "50.00 EUR will be collected by sepa_debit on" in notice
    assert "termijn 1 van uw regeling met Brightwater Energy, €\xa050,00, wordt zoals afgesproken op" in notice
    assert client.get(ACCOUNT, headers=AUTH).json()["payment_links"] == []  # no link: it is collected
    _collect(client, settings, dues[0])
    _collect(client, settings, dues[0] + timedelta(days=1))
    assert [i["status"] for i in _installments(client)] == ["paid", "scheduled", "scheduled"]
    assert client.get(ACCOUNT, headers=AUTH).json()["balance"] == "70.50"
    # Nothing is charged twice, however often the collection runs.
    _collect(client, settings, dues[0] + timedelta(days=2))
    assert client.get(ACCOUNT, headers=AUTH).json()["balance"] == "70.50"


def test_a_method_the_policy_does_not_allow_is_refused(client):
    plan, _ = _plan(client)
    refused = client.post(plan["autopay_url"], data={"method": "bancontact"})
    assert refused.status_code == 422 and "offered: sepa_debit, card" in refused.json()["detail"]


@pytest.fixture
def stripe_client(settings) -> Iterator[tuple[TestClient, FakeStripe]]:
    with FakeStripe() as fake:
        configured = settings.model_copy(update={"stripe_api_key": fake.api_key, "stripe_api_base": fake.url})
        with TestClient(create_app(configured)) as client:
            yield client, fake


def _post_event(client, fake, settings, kind, obj):
    payload, headers = fake.signed_event(settings.stripe_webhook_secret, kind, obj)
    assert stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], settings.stripe_webhook_secret)
    response = client.post("/webhooks/stripe", content=payload, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_on_stripe_a_sepa_mandate_is_saved_and_each_debit_booked_when_it_settles(stripe_client, settings):
    client, fake = stripe_client
    plan, dues = _plan(client)
    onward = client.post(plan["autopay_url"], data={"method": "sepa_debit"}, follow_redirects=False)
    assert onward.headers["location"].startswith("https://checkout.stripe.com/c/setup/")
    [(session_id, session)] = [(k, v) for k, v in fake.sessions.items() if v["mode"] == "setup"]
    assert session["metadata"] == {"account_reference": "ACC-1001", "plan_id": plan["id"]}
    assert session["customer"] in fake.customers
    _post_event(client, fake, settings, "checkout.session.completed", fake.complete_setup(session_id))

    _collect(client, settings, dues[0])
    [(intent_id, intent)] = fake.payment_intents.items()
    [request] = [r for r in fake.requests if r[1] == "/v1/payment_intents"]
    assert request[2]["off_session"] == "true" and request[2]["confirm"] == "true"
    assert request[2]["payment_method"] == f"pm_test_{session_id[-4:]}"
    assert request[3]["Idempotency-Key"] == f"{plan['id']}-1"
    assert intent["amount"] == 5000 and intent["metadata"]["installment"] == "1"
    # A SEPA debit takes days: not paid yet, and not late either while it settles.
    _collect(client, settings, dues[0] + timedelta(days=2))
    assert _installments(client)[0]["status"] == "scheduled"
    intent.update(status="succeeded", amount_received=5000)
    assert _post_event(client, fake, settings, "payment_intent.succeeded", intent) == "installment paid"
    assert _post_event(client, fake, settings, "payment_intent.succeeded", intent) == "already booked"
    _collect(client, settings, dues[0] + timedelta(days=3))
    assert _installments(client)[0]["status"] == "paid"
    assert client.get(ACCOUNT, headers=AUTH).json()["balance"] == "70.50"


def test_a_declined_saved_card_falls_back_to_a_link(stripe_client, settings):
    client, fake = stripe_client
    plan, dues = _plan(client)
    client.post(plan["autopay_url"], data={"method": "card"}, follow_redirects=False)
    [session_id] = [k for k, v in fake.sessions.items() if v["mode"] == "setup"]
    _post_event(client, fake, settings, "checkout.session.completed", fake.complete_setup(session_id))
    fake.fail_next = {"status": 402, "message": "Your card was declined."}
    _collect(client, settings, dues[0])
    assert any("installment 1" in detail for detail in _log(client, "payment_failed"))
    _collect(client, settings, dues[0] + timedelta(days=1))
    installment = _installments(client)[0]
    assert installment["status"] == "late"
    assert len(fake.payment_intents) == 0  # never retried on the declined card


def test_checkout_payments_are_not_booked_twice_from_their_intent(stripe_client, settings):
    client, fake = stripe_client
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    [session_id] = [k for k, v in fake.sessions.items() if v["client_reference_id"] == link["id"]]
    session = fake.complete(session_id)
    _post_event(client, fake, settings, "checkout.session.completed", session)
    intent = {
        "id": session["payment_intent"],
        "object": "payment_intent",
        "amount_received": 12050,
        "currency": "eur",
        "metadata": {"account_reference": "ACC-1001", "payment_link_id": link["id"]},
        "status": "succeeded",
    }
    assert _post_event(client, fake, settings, "payment_intent.succeeded", intent).startswith("ignored")
    assert client.get(ACCOUNT, headers=AUTH).json()["balance"] == "0.00"
