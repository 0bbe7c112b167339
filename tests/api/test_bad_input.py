"""Malformed and hostile input gets a clear 4xx, and nothing already stored is lost."""

from __future__ import annotations

import pytest

from tests.conftest import AUTH
from tests.factories import account_body


@pytest.fixture
def stored(client):
    assert client.post("/api/v1/accounts", json=account_body(), headers=AUTH).status_code == 201
    return client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()


def _unchanged(client, stored):
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json() == stored


def _with_invoice(**changes):
    body = account_body()
    body["invoices"][0] = {**body["invoices"][0], **changes}
    return body


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (_with_invoice(amount="-5.00"), "greater than zero"),
        (_with_invoice(amount="twelve"), "not an amount"),
        (_with_invoice(amount=12.5), "decimal strings"),
        (_with_invoice(amount="1.234"), "two decimal places"),
        (_with_invoice(amount="NaN"), "finite"),
        (_with_invoice(due_on="2026-02-30"), "date"),
        (_with_invoice(currency="EURO"), "pattern"),
        ({**account_body(), "debtor": {**account_body()["debtor"], "timezone": "Mars/Olympus"}}, "time zone"),
        ({**account_body(), "debtor": {**account_body()["debtor"], "language": "de"}}, "language"),
        ({**account_body(), "invoices": []}, "at least 1"),
        ({**account_body(), "surprise": 1}, "Extra inputs"),
        ({**account_body(), "debtor": "Sam"}, "dictionary"),
        ({**account_body(), "reference": "../etc/passwd"}, "pattern"),
    ],
)
def test_invalid_accounts_are_refused_and_nothing_changes(client, stored, body, fragment):
    body["reference"] = body.get("reference", "ACC-1001") if body.get("reference") != "ACC-1001" else "ACC-1001"
    response = client.post("/api/v1/accounts", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert fragment.lower() in response.text.lower()
    _unchanged(client, stored)


def test_malformed_json_is_a_clear_4xx(client, stored):
    response = client.post(
        "/api/v1/accounts", content=b'{"reference": "ACC-1001", ', headers={**AUTH, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "json" in response.text.lower()
    _unchanged(client, stored)


def test_oversized_body_is_413(client, stored):
    body = account_body()
    body["debtor"]["name"] = "x" * 2_000_000
    response = client.post("/api/v1/accounts", json=body, headers=AUTH)
    assert response.status_code == 413
    _unchanged(client, stored)


def test_currency_change_and_duplicate_invoice_numbers_are_refused(client, stored):
    body = account_body()
    for invoice in body["invoices"]:
        invoice["currency"] = "GBP"
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code == 422
    body = account_body()
    body["invoices"][1]["number"] = "INV-1"
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code == 422
    _unchanged(client, stored)


def test_payment_link_for_more_than_the_balance_is_refused(client, stored):
    response = client.post("/api/v1/accounts/ACC-1001/payment-links", json={"amount": "500.00"}, headers=AUTH)
    assert response.status_code == 422
    assert "balance" in response.json()["detail"]
    _unchanged(client, stored)


def test_unknown_reason_is_refused(client, stored):
    assert client.put("/api/v1/accounts/ACC-1001/reason", json={"reason": "bored"}, headers=AUTH).status_code == 422
    _unchanged(client, stored)
