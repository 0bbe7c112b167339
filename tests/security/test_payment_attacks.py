"""Attacks on money, from the security review: each test is the attack, and what must hold.

- Payments fail open: the local provider "pays" without money, so it may run only in the demo
  and never once Stripe is configured; its links and demo methods never pay afterwards; the
  Stripe webhook never verifies against an empty or published secret.
- Bank statements: an amount that is not a finite, positive decimal with the currency's
  decimals is refused with a message, never a 500, and nothing is booked or lost.
- Concurrent deliveries: two distinct, validly signed events for the same payment, delivered
  at the same instant (on PostgreSQL), book the money once.
"""

from __future__ import annotations

import contextlib
import html
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import pytest
import stripe
from fastapi.testclient import TestClient
from jinja2 import Template
from sqlalchemy import event
from stdnum.be import ogm_vcs

from amicable.db.models import Installment, Payment, PaymentLink, Plan
from amicable.db.session import transaction
from amicable.outreach.collection import run
from amicable.providers.local_pay import checkout_completed as local_checkout_completed
from amicable.providers.local_pay import setup_completed as local_setup_completed
from amicable.services import ServiceError, payment_events
from server.app import create_app
from tests.api.test_statements import CAMT
from tests.conftest import AUTH
from tests.factories import account_body
from tests.fakes.stripe_api import FakeStripe, fixture

ACCOUNT = "/api/v1/accounts/ACC-1001"
# The webhook secret that used to be the default, published in this repository's history.
PUBLISHED_SECRET = "whsec_amicable_local_provider"
DEMO_WORDS = {
    "en": "No money moves",
    "fr": "Aucun argent n'est transféré",
    "nl": "Er wordt geen geld overgemaakt",
}


def _signed(event: dict, secret: str) -> tuple[str, dict[str, str]]:
    """What an attacker who knows (or guesses) `secret` can post: Stripe's signature scheme."""
    payload = json.dumps(event)
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return payload, {"Stripe-Signature": f"t={timestamp},v1={signature}", "Content-Type": "application/json"}


def _words(response) -> str:  # type: ignore[no-untyped-def]
    """A page's text as the debtor reads it (apostrophes are escaped in the HTML)."""
    return html.unescape(response.text)


def _balance(client: TestClient) -> str:
    return client.get(ACCOUNT, headers=AUTH).json()["balance"]


def _link_event(client: TestClient, link_id: str) -> dict:
    with client.app.state.sessionmaker() as session:
        return local_checkout_completed(session.get(PaymentLink, link_id), "card")


def _outside_the_demo(client: TestClient) -> None:
    """As if the app had started without the demo and without Stripe (start-up refuses that;
    the pages must refuse it too, not pay)."""
    client.app.state.settings = client.app.state.settings.model_copy(update={"amicable_demo": False})


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with FakeStripe() as server:
        yield server


@pytest.fixture
def stripe_settings(settings, fake):
    return settings.model_copy(update={"stripe_api_key": fake.api_key, "stripe_api_base": fake.url})


# A. Payments fail open ----------------------------------------------------------------------


@pytest.mark.parametrize("configured", ["", PUBLISHED_SECRET], ids=["no-secret", "published-secret"])
def test_a_forged_event_signed_with_an_empty_or_published_secret_is_refused(settings, configured):
    """Outside compose the secret used to fall back to a value published in the source: an
    event signed with it cleared a balance. Without a real secret, every event is refused;
    the demo's own pay page still pays, since it never needed the webhook secret."""
    unset = settings.model_copy(update={"stripe_webhook_secret": configured})
    with TestClient(create_app(unset)) as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
        for guess in ("", PUBLISHED_SECRET):
            event = _link_event(client, link["id"])
            event["id"] = f"evt_forged_{len(guess)}"
            payload, headers = _signed(event, guess)
            response = client.post("/webhooks/stripe", content=payload, headers=headers)
            assert response.status_code == 400, (guess, response.text)
        assert _balance(client) == "120.50"
        client.post(f"/pay/{link['id']}", data={"method": "card"})
        assert _balance(client) == "0.00"


def test_the_local_pay_page_pays_nothing_outside_the_demo(client):
    client.post("/api/v1/accounts", json=account_body(language="fr"), headers=AUTH)
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    _outside_the_demo(client)
    page = client.get(f"/pay/{link['id']}")
    assert "Le paiement par ce lien n'est pas possible" in _words(page) and "<form" not in _words(page)
    refused = client.post(f"/pay/{link['id']}", data={"method": "card"}, follow_redirects=False)
    assert refused.status_code == 409 and 'lang="fr"' in _words(refused)
    assert "Le paiement par ce lien n'est pas possible" in _words(refused)
    state = client.get(ACCOUNT, headers=AUTH).json()
    assert state["balance"] == "120.50" and state["payment_links"][0]["status"] == "open"
    assert not [c for c in state["contact_log"] if c["kind"] == "payment"]


def test_a_local_link_never_pays_once_stripe_is_configured(settings, stripe_settings, fake):
    with TestClient(create_app(settings)) as demo:
        demo.post("/api/v1/accounts", json=account_body(language="nl"), headers=AUTH)
        link = demo.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
        event = _link_event(demo, link["id"])
    with TestClient(create_app(stripe_settings)) as client:
        page = client.get(f"/pay/{link['id']}")
        assert "Betalen via deze link is niet mogelijk" in _words(page) and "<form" not in _words(page)
        refused = client.post(f"/pay/{link['id']}", data={"method": "card"}, follow_redirects=False)
        assert refused.status_code == 409 and "Betalen via deze link is niet mogelijk" in _words(refused)
        # Nor through the webhook: neither the local provider's event nor a Stripe-shaped one.
        payload, headers = _signed(event, settings.stripe_webhook_secret)
        assert client.post("/webhooks/stripe", content=payload, headers=headers).status_code == 400
        stripe_shaped = {**event["data"]["object"], "id": "cs_test_for_a_local_link", "payment_intent": "pi_test_x"}
        payload, headers = fake.signed_event(
            settings.stripe_webhook_secret, "checkout.session.completed", stripe_shaped
        )
        assert client.post("/webhooks/stripe", content=payload, headers=headers).status_code == 400
        state = client.get(ACCOUNT, headers=AUTH).json()
        assert state["balance"] == "120.50" and state["payment_links"][0]["status"] == "open"
    assert not [r for r in fake.requests if r[1] == "/v1/checkout/sessions"]


def test_a_stripe_webhook_cannot_book_local_provider_events_once_stripe_is_on(settings, stripe_settings):
    """Events shaped like the local provider's (cs_local_, pi_local_) are the demo's own: a
    signed one arriving with Stripe on books nothing."""
    with TestClient(create_app(stripe_settings)) as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
        intent = {
            "id": f"pi_local_{plan['id']}_1",
            "object": "payment_intent",
            "amount_received": 5000,
            "currency": "eur",
            "metadata": {"account_reference": "ACC-1001", "plan_id": plan["id"], "installment": "1"},
            "status": "succeeded",
        }
        payload, headers = _signed(
            {"id": "evt_local_x", "type": "payment_intent.succeeded", "data": {"object": intent}},
            settings.stripe_webhook_secret,
        )
        assert client.post("/webhooks/stripe", content=payload, headers=headers).status_code == 400
        assert _balance(client) == "120.50"


def _plan_with_demo_method(client: TestClient) -> tuple[dict, list[date]]:
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
    saved = client.post(plan["autopay_url"], data={"method": "card"}, follow_redirects=False)
    assert saved.status_code == 303
    with client.app.state.sessionmaker() as session:
        assert session.get(Plan, plan["id"]).autopay_payment_method.startswith("pm_local_")
    return plan, [date.fromisoformat(i["due_on"]) for i in plan["installments"]]


def _collect(client: TestClient, settings, day: date) -> None:
    with transaction(client.app.state.sessionmaker) as session:
        run(session, settings, datetime.combine(day, clock(8, 0), tzinfo=UTC))


def test_a_demo_method_never_charges_once_stripe_is_configured(settings, stripe_settings, fake):
    with TestClient(create_app(settings)) as demo:
        plan, dues = _plan_with_demo_method(demo)
    with TestClient(create_app(stripe_settings)) as client:
        _collect(client, stripe_settings, dues[0])
        state = client.get(ACCOUNT, headers=AUTH).json()
        assert state["balance"] == "120.50"
        assert [i["status"] for i in state["plans"][0]["installments"]][0] != "paid"
        assert any("demo" in c["detail"] for c in state["contact_log"] if c["kind"] == "payment_failed")
        assert not [r for r in fake.requests if r[1] == "/v1/payment_intents"]
        # The plan falls back to links (real ones, through Stripe) instead of charging again.
        _collect(client, stripe_settings, dues[0] + timedelta(days=1))
        _collect(client, stripe_settings, dues[1] - timedelta(days=3))
        assert _balance(client) == "120.50"
        assert client.post(f"{ACCOUNT}/plans/{plan['id']}/autopay", headers=AUTH).json()["saved_method"] is None


def test_a_demo_method_never_charges_outside_the_demo(client, settings):
    plan, dues = _plan_with_demo_method(client)
    production = settings.model_copy(update={"amicable_demo": False})
    _collect(client, production, dues[0])
    assert _balance(client) == "120.50"
    with client.app.state.sessionmaker() as session:
        installment = session.get(Plan, plan["id"]).installments[0]
        assert isinstance(installment, Installment) and installment.status != "paid"
        assert session.query(Payment).count() == 0


def test_no_local_event_is_applied_outside_the_demo(client, settings):
    """The service itself refuses, whoever calls it: the pay page, autopay or a script."""
    plan, _ = _plan_with_demo_method(client)
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    production = settings.model_copy(update={"amicable_demo": False})
    with client.app.state.sessionmaker() as session:
        plan_row = session.get(Plan, plan["id"])
        link_row = session.get(PaymentLink, link["id"])
        payment = local_checkout_completed(link_row, "card")
        setup = {**local_setup_completed(plan_row, "card"), "id": "evt_local_setup_again"}
        for attempt in (
            lambda: payment_events.pay_locally(session, production, link_row, "card"),
            lambda: payment_events.apply_event(session, production, payment),
            lambda: payment_events.apply_event(session, production, setup),
            lambda: payment_events.save_method(session, production, plan_row, "card"),
        ):
            with pytest.raises(ServiceError):
                attempt()
        assert (
            payment_events.charge_installment(
                session, production, plan_row, plan_row.installments[0], plan_row.installments[0].amount
            )
            is False
        )
        assert session.query(Payment).count() == 0


def test_the_autopay_page_saves_nothing_outside_the_demo(client):
    client.post("/api/v1/accounts", json=account_body(language="fr"), headers=AUTH)
    plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
    _outside_the_demo(client)
    page = client.get(plan["autopay_url"])
    assert "ne peuvent pas être payées automatiquement" in _words(page) and "<form" not in _words(page)
    refused = client.post(plan["autopay_url"], data={"method": "card"}, follow_redirects=False)
    assert refused.status_code == 409 and "ne peuvent pas être payées automatiquement" in _words(refused)
    assert client.post(f"{ACCOUNT}/plans/{plan['id']}/autopay", headers=AUTH).json()["saved_method"] is None


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_demo_pages_say_no_money_moves_in_the_debtors_language(client, language):
    client.post("/api/v1/accounts", json=account_body(language=language), headers=AUTH)
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
    for url in (f"/pay/{link['id']}", plan["autopay_url"]):
        page = _words(client.get(url))
        assert f'lang="{language}"' in page and DEMO_WORDS[language] in page, url
    client.post(f"/pay/{link['id']}", data={"method": "card"})
    assert DEMO_WORDS[language] in _words(client.get(f"/pay/{link['id']}"))


def test_real_payment_pages_do_not_claim_to_be_a_demo(stripe_settings):
    with TestClient(create_app(stripe_settings)) as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
        plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
        for url in (f"/pay/{link['id']}", plan["autopay_url"]):
            assert DEMO_WORDS["en"] not in _words(client.get(url))


# B. Bank statement amounts ------------------------------------------------------------------

BAD_AMOUNTS = ["Infinity", "-Infinity", "NaN", "sNaN", "1e400", "1,5e3", "1E2", "", "12.345", "1,000", "1" + "0" * 12]


def _be_reference(client: TestClient) -> str:
    client.post("/api/v1/accounts", json=account_body("BE-1"), headers=AUTH)
    return client.get("/api/v1/accounts/BE-1", headers=AUTH).json()["payment_reference"]


def _refused_and_nothing_booked(client: TestClient, response) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert client.get("/api/v1/accounts/BE-1", headers=AUTH).json()["balance"] == "120.50"
    assert client.get("/api/v1/bank-statements/unmatched", headers=AUTH).json() == []


@pytest.mark.parametrize("amount", [*BAD_AMOUNTS, "-5", "0"])
def test_a_camt_amount_that_is_not_a_positive_decimal_is_refused(client, amount):
    reference = _be_reference(client)
    xml = Template(CAMT).render(ogm_digits=ogm_vcs.compact(reference.strip("+")), rf_spaced="RF00")
    bad = xml.replace('<Amt Ccy="EUR">75.00</Amt>', f'<Amt Ccy="EUR">{amount}</Amt>')
    assert bad != xml
    response = client.post("/api/v1/bank-statements", content=bad.encode(), headers=AUTH)
    _refused_and_nothing_booked(client, response)
    assert "entry 3" in response.json()["detail"]
    # Nothing is lost: the corrected statement imports whole.
    good = client.post("/api/v1/bank-statements", content=xml.encode(), headers=AUTH)
    assert good.status_code == 200 and good.json()["matched"] == 1


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_a_csv_amount_that_is_not_a_decimal_is_refused(client, amount):
    reference = _be_reference(client)
    rows = f"amount;currency;reference\n20,00;EUR;{reference}\n{amount};EUR;{reference}\n"
    response = client.post("/api/v1/bank-statements", files={"file": ("s.csv", rows.encode())}, headers=AUTH)
    _refused_and_nothing_booked(client, response)
    assert "line 3" in response.json()["detail"]


def test_a_csv_debit_is_skipped_not_booked(client):
    reference = _be_reference(client)
    rows = f"amount;currency;reference\n-5;EUR;{reference}\n-Infinity;EUR;{reference}\n"
    response = client.post("/api/v1/bank-statements", files={"file": ("s.csv", rows.encode())}, headers=AUTH)
    _refused_and_nothing_booked(client, response)  # -Infinity is not an amount, even for a debit
    rows = f"amount;currency;reference\n-5;EUR;{reference}\n"
    report = client.post("/api/v1/bank-statements", files={"file": ("s.csv", rows.encode())}, headers=AUTH).json()
    assert (report["debits_skipped"], report["matched"]) == (1, 0)


@pytest.mark.parametrize(
    "currency, amount, accepted",
    [("JPY", "1200", True), ("JPY", "1200.50", False), ("EUR", "12.5", True), ("EURO", "12.50", False)],
)
def test_amounts_have_at_most_the_currencys_decimals(client, currency, amount, accepted):
    _be_reference(client)
    rows = f"amount;currency;reference\n{amount};{currency};nobody\n"
    response = client.post("/api/v1/bank-statements", files={"file": ("s.csv", rows.encode())}, headers=AUTH)
    assert response.status_code == (200 if accepted else 422), response.text


@pytest.mark.parametrize(
    "column, value",
    [("bank_reference", "R" * 300), ("iban", "BE" + "7" * 60), ("currency", "EURO"), ("date", "31/02/2026")],
)
def test_a_field_that_cannot_be_stored_refuses_the_line_not_the_server(client, column, value):
    """Too long for its column on PostgreSQL (a 500 there), or not a date: the line is named."""
    reference = _be_reference(client)
    row = {"amount": "20,00", "currency": "EUR", "reference": reference, column: value}
    rows = ";".join(row) + "\n" + ";".join(row.values()) + "\n"
    response = client.post("/api/v1/bank-statements", files={"file": ("s.csv", rows.encode())}, headers=AUTH)
    _refused_and_nothing_booked(client, response)
    assert "line 2" in response.json()["detail"]


# C. Concurrent deliveries -------------------------------------------------------------------

ROUNDS = 12


def _race(clients: list[TestClient], deliveries: list[tuple[str, dict]]) -> list[tuple[int, str]]:
    """Post every delivery at the same instant, each from its own thread."""
    barrier = threading.Barrier(len(deliveries))
    results: list[tuple[int, str]] = [(0, "no answer")] * len(deliveries)

    def deliver(index: int) -> None:
        payload, headers = deliveries[index]
        barrier.wait()
        response = clients[index % len(clients)].post("/webhooks/stripe", content=payload, headers=headers)
        json_body = response.headers.get("content-type", "").startswith("application/json")
        body = response.json() if json_body else {"detail": response.text}
        results[index] = (response.status_code, body.get("result") or body.get("detail"))

    threads = [threading.Thread(target=deliver, args=(i,), daemon=True) for i in range(len(deliveries))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a delivery hung: the server waits on itself"
    return sorted(results)


@pytest.fixture
def racing_clients(request, stripe_settings) -> Iterator[list[TestClient]]:
    """One app answering both deliveries (one server process), or two apps on the same
    database (two processes)."""
    apps = [create_app(stripe_settings) for _ in range(request.param)]
    for app in apps:
        # A delivery stuck behind a lock fails after a while instead of hanging the suite.
        event.listen(app.state.engine, "checkout", _lock_timeout)
    with contextlib.ExitStack() as stack:
        clients = [stack.enter_context(TestClient(app, raise_server_exceptions=False)) for app in apps]
        clients[0].post("/api/v1/accounts", json=account_body(), headers=AUTH)
        yield clients


def _lock_timeout(dbapi_connection, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '20s'")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("racing_clients", [1, 2], indirect=True, ids=["one-app", "two-apps"])
def test_two_events_for_one_link_at_once_book_it_once(racing_clients, fake, settings):
    secret = settings.stripe_webhook_secret
    client = racing_clients[0]
    for _ in range(ROUNDS):
        link = client.post(f"{ACCOUNT}/payment-links", json={"amount": "1.00"}, headers=AUTH).json()
        [session_id] = [s for s, v in fake.sessions.items() if v["client_reference_id"] == link["id"]]
        paid = fake.complete(session_id)
        events = [fake.signed_event(secret, "checkout.session.completed", paid) for _ in range(2)]
        assert events[0][0] != events[1][0]  # two distinct events (ids), both validly signed
        assert _race(racing_clients, events) == [(200, "flagged: link already paid"), (200, "paid")]
    book = client.get(f"{ACCOUNT}/ledger", headers=AUTH).json()
    assert [e["kind"] for e in book["entries"]].count("payment") == ROUNDS
    assert _balance(client) == f"{120.50 - ROUNDS:.2f}"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("racing_clients", [1, 2], indirect=True, ids=["one-app", "two-apps"])
def test_two_events_for_one_installment_charge_at_once_book_it_once(racing_clients, settings):
    secret = settings.stripe_webhook_secret
    client = racing_clients[0]
    plan = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).json()
    for round_ in range(ROUNDS):
        intent = {
            "id": f"pi_test_race{round_:04d}",
            "object": "payment_intent",
            "amount_received": 100,
            "currency": "eur",
            "metadata": {"account_reference": "ACC-1001", "plan_id": plan["id"], "installment": "1"},
            "status": "succeeded",
        }
        events = [
            _signed(
                {"id": f"evt_race_{round_}_{n}", "type": "payment_intent.succeeded", "data": {"object": intent}}, secret
            )
            for n in range(2)
        ]
        assert _race(racing_clients, events) == [(200, "already booked"), (200, "installment paid")]
    assert _balance(client) == f"{120.50 - ROUNDS:.2f}"


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("racing_clients", [1, 2], indirect=True, ids=["one-app", "two-apps"])
def test_two_refund_events_at_once_give_the_money_back_once(racing_clients, fake, settings):
    secret = settings.stripe_webhook_secret
    client = racing_clients[0]
    link = client.post(f"{ACCOUNT}/payment-links", json={"amount": "100.00"}, headers=AUTH).json()
    [session_id] = [s for s, v in fake.sessions.items() if v["client_reference_id"] == link["id"]]
    paid = fake.complete(session_id)
    payload, headers = fake.signed_event(secret, "checkout.session.completed", paid)
    assert client.post("/webhooks/stripe", content=payload, headers=headers).json()["result"] == "paid"
    charge = fixture("charge")
    for round_ in range(1, ROUNDS + 1):
        # Stripe's running total: one more euro refunded each round, told twice at once.
        charge.update(payment_intent=paid["payment_intent"], amount=10000, currency="eur", amount_refunded=100 * round_)
        events = [fake.signed_event(secret, "charge.refunded", charge) for _ in range(2)]
        assert _race(racing_clients, events) == [(200, "refund already booked"), (200, "refunded")]
    assert _balance(client) == f"{20.50 + ROUNDS:.2f}"
