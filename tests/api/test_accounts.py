"""The Accounts API contract, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import AUTH
from tests.factories import account_body

CONTRACT_KEYS = {
    "reference",
    "creditor",
    "currency",
    "balance",
    "status",
    "language",
    "reason",
    "vulnerable",
    "invoices",
    "payment_links",
    "plans",
    "promises",
    "disputes",
    "handoffs",
    "opt_outs",
    "contact_log",
}


def test_create_then_read_returns_the_whole_state(client):
    created = client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    assert created.status_code == 201, created.text
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    # The contract's keys, plus what later capabilities added beside them.
    assert set(state) == CONTRACT_KEYS | {"adjustments", "payment_reference", "debtor"}
    assert set(state["debtor"]) == {"name", "language", "phone", "email", "country", "timezone"}
    assert state["balance"] == "120.50"
    assert state["currency"] == "EUR"
    assert state["creditor"] == "Brightwater Energy"
    assert state["status"] == "overdue"
    assert state["reason"] is None and state["vulnerable"] is False
    assert [i["number"] for i in state["invoices"]] == ["INV-1", "INV-2"]
    assert state["invoices"][0] == {
        "number": "INV-1",
        "amount": "84.20",
        "amount_due": "84.20",
        "due_on": (date.today() - timedelta(days=10)).isoformat(),
        "status": "overdue",
    }
    assert state["invoices"][1]["status"] == "open"


def test_second_post_updates_and_keeps_what_it_omits(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    body = account_body()
    del body["debtor"]["phone"]
    body["debtor"]["language"] = "fr"
    body["invoices"] = [{**body["invoices"][1], "amount": "40.00"}]
    updated = client.post("/api/v1/accounts", json=body, headers=AUTH)
    assert updated.status_code == 200
    state = updated.json()
    assert state["language"] == "fr"
    assert state["balance"] == "124.20"  # INV-1 kept, INV-2 raised to 40.00
    assert len(state["invoices"]) == 2


def test_unknown_reference_is_404(client):
    response = client.get("/api/v1/accounts/NOPE-1", headers=AUTH)
    assert response.status_code == 404
    assert "NOPE-1" in response.json()["detail"]


def test_missing_or_wrong_key_is_401(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    assert client.get("/api/v1/accounts/ACC-1001").status_code == 401
    assert client.get("/api/v1/accounts/ACC-1001", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/v1/accounts", json=account_body("ACC-2")).status_code == 401


def test_payment_link_promise_dispute_and_reason_show_in_the_state(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    link = client.post("/api/v1/accounts/ACC-1001/payment-links", json={}, headers=AUTH)
    assert link.status_code == 201
    assert link.json()["amount"] == "120.50"
    assert link.json()["methods"] == ["card", "bancontact"]
    assert link.json()["url"].startswith("http://testserver/pay/")
    due = (date.today() + timedelta(days=7)).isoformat()
    assert client.post("/api/v1/accounts/ACC-1001/promises", json={"due_on": due}, headers=AUTH).status_code == 201
    assert client.put("/api/v1/accounts/ACC-1001/reason", json={"reason": "cash_flow"}, headers=AUTH).status_code == 200
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["payment_links"][0]["status"] == "open"
    assert state["promises"] == [{"amount": "120.50", "due_on": due, "status": "pending"}]
    assert state["status"] == "promised"
    assert state["reason"] == "cash_flow"
    kinds = [c["kind"] for c in state["contact_log"]]
    assert kinds == ["payment_link", "promise", "reason"]
    client.post(
        "/api/v1/accounts/ACC-1001/disputes",
        json={"reason": "already_paid", "details": "paid on the 3rd"},
        headers=AUTH,
    )
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["status"] == "disputed"
    assert state["disputes"][0]["reason"] == "already_paid"


def test_promise_outside_policy_is_refused_with_the_limit(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    late = (date.today() + timedelta(days=90)).isoformat()
    response = client.post("/api/v1/accounts/ACC-1001/promises", json={"due_on": late}, headers=AUTH)
    assert response.status_code == 422
    assert "on or before" in response.json()["detail"]
    past = (date.today() - timedelta(days=3)).isoformat()
    assert client.post("/api/v1/accounts/ACC-1001/promises", json={"due_on": past}, headers=AUTH).status_code == 422
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["promises"] == []


def test_illness_holds_collection_and_is_recorded_only_with_consent_in_belgium(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    client.put("/api/v1/accounts/ACC-1001/reason", json={"reason": "illness"}, headers=AUTH)
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["vulnerable"] is False  # GDPR art. 9: not without an explicit yes
    assert state["status"] == "on_hold"
    client.put(
        "/api/v1/accounts/ACC-1001/reason",
        json={"reason": "illness", "vulnerability_consent": True},
        headers=AUTH,
    )
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["vulnerable"] is True
    assert state["contact_log"][-1]["kind"] == "vulnerability"


def test_a_declined_consent_holds_collection_but_records_nothing(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    body = {"reason": "bereavement", "vulnerability_consent": False}
    client.put("/api/v1/accounts/ACC-1001/reason", json=body, headers=AUTH)
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["vulnerable"] is False and state["status"] == "on_hold"


def test_where_no_consent_is_required_illness_is_recorded_at_once(client):
    client.post("/api/v1/accounts", json=account_body(country="US", timezone="America/New_York"), headers=AUTH)
    client.put("/api/v1/accounts/ACC-1001/reason", json={"reason": "illness"}, headers=AUTH)
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["vulnerable"] is True and state["status"] == "on_hold"
