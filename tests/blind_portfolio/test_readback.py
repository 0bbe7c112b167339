"""The account read-back gains a `debtor` object and keeps every key it had."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import (
    BY_REF,
    DEBTOR_KEYS,
    INVOICE_KEYS,
    LIST,
    READBACK_KEYS,
    Portfolio,
    invoice_number,
    readback,
    walk,
)
from tests.conftest import AUTH

# --- the read-back -----------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["BW-2025-0001", "PT/NL/7783", "FAC/2025/00123", "BW-2025-0007"])
def test_the_read_back_carries_the_debtor(api: TestClient, portfolio: Portfolio, reference: str) -> None:
    seed = BY_REF[reference]
    body = readback(api, reference)
    debtor = body["debtor"]
    assert set(DEBTOR_KEYS) <= set(debtor), debtor
    assert debtor["name"] == seed.name
    assert debtor["language"] == seed.language
    assert debtor["phone"] == seed.phone
    assert debtor["country"] == seed.country
    assert debtor["timezone"] == seed.timezone
    if seed.email is None:
        assert debtor["email"] is None
    else:
        # An address's domain is case-insensitive and may come back in lower case.
        local, _, domain = seed.email.partition("@")
        assert debtor["email"] in (seed.email, f"{local}@{domain.lower()}")


def test_the_path_read_back_and_the_query_read_back_agree(api: TestClient, portfolio: Portfolio) -> None:
    by_path = api.get(f"{LIST}/BW-2025-0002", headers=AUTH)
    assert by_path.status_code == 200, by_path.text
    assert by_path.json() == readback(api, "BW-2025-0002")
    assert by_path.json()["debtor"]["name"] == "François Lefèvre"


def test_the_read_back_keeps_every_key_it_had_exactly(api: TestClient, portfolio: Portfolio) -> None:
    body = readback(api, "BW-2025-0001")
    missing = [key for key in READBACK_KEYS if key not in body]
    assert not missing, f"keys the read-back lost: {missing}"
    assert body["reference"] == "BW-2025-0001"
    assert body["creditor"] == "Brightwater Energy"
    assert body["currency"] == "EUR"
    assert body["balance"] == "120.50"
    assert body["status"] == "overdue"
    assert body["language"] == "nl"
    assert body["reason"] is None
    assert body["vulnerable"] is False
    assert isinstance(body["payment_reference"], str) and body["payment_reference"].startswith("+++")
    for key in ("payment_links", "adjustments", "plans", "promises", "disputes", "handoffs", "opt_outs"):
        assert body[key] == [], key
    assert isinstance(body["contact_log"], list)
    today = date.today()
    seed = BY_REF["BW-2025-0001"]
    assert [{key: invoice[key] for key in INVOICE_KEYS} for invoice in body["invoices"]] == [
        {
            "number": invoice_number(seed, 0),
            "amount": "84.20",
            "amount_due": "84.20",
            "due_on": (today - timedelta(days=45)).isoformat(),
            "status": "overdue",
        },
        {
            "number": invoice_number(seed, 1),
            "amount": "36.30",
            "amount_due": "36.30",
            "due_on": (today + timedelta(days=5)).isoformat(),
            "status": "open",
        },
    ]


def test_the_read_back_of_an_account_with_outcomes_keeps_their_keys(api: TestClient, portfolio: Portfolio) -> None:
    plan = readback(api, "BW-2025-0004")
    assert plan["status"] == "in_plan" and plan["plans"][0]["status"] == "active"
    vulnerable = readback(api, "INV-2025-00872")
    assert vulnerable["reason"] == "illness" and vulnerable["vulnerable"] is True
    assert readback(api, "MLS-2025-0042")["disputes"][0]["status"] == "open"


def test_the_list_item_and_the_read_back_agree(api: TestClient, portfolio: Portfolio) -> None:
    for item in walk(api, {"creditor": "Maison Lumière SA"}, limit=50).items:
        state = readback(api, item["reference"])
        for key in ("reference", "creditor", "balance", "status"):
            assert item[key] == state[key], (item["reference"], key)
        assert item["debtor"]["name"] == state["debtor"]["name"]


def test_an_unknown_reference_is_404(api: TestClient, portfolio: Portfolio) -> None:
    response = api.get(f"{LIST}/BW-2099-9999", headers=AUTH)
    assert response.status_code == 404 and response.json().get("detail")
