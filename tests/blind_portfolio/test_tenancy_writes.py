"""A creditor's key cannot create, change or import an account of another creditor, nor record
anything on one; its own accounts it may create and change. Each test works on accounts of its
own in the module's portfolio, and checks with the agency key that nothing else moved."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.conftest import Shared
from tests.blind_portfolio.support import (
    BRIGHTWATER,
    BY_REF,
    LIST,
    POLDER,
    account_json,
    readback,
    walk,
    walked_set,
)
from tests.conftest import AUTH


def absent(client: TestClient, reference: str) -> bool:
    return client.get(LIST, params={"reference": reference}, headers=AUTH).status_code == 404


def test_a_creditors_key_creates_an_account_of_its_own(shared_rw: Shared) -> None:
    headers = shared_rw.key(BRIGHTWATER)
    body = account_json(BY_REF["BW-2025-0001"])
    body["reference"] = "BW-2026-0100"
    response = shared_rw.client.post(LIST, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert readback(shared_rw.client, "BW-2026-0100")["creditor"] == BRIGHTWATER
    assert "BW-2026-0100" in walked_set(walk(shared_rw.client, headers=headers, limit=50))


def test_a_creditors_key_cannot_create_an_account_for_another_creditor(shared_rw: Shared) -> None:
    headers = shared_rw.key(BRIGHTWATER)
    body = account_json(BY_REF["PT/NL/7781"])
    body["reference"] = "PT/NL/9001"
    response = shared_rw.client.post(LIST, json=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert absent(shared_rw.client, "PT/NL/9001")


def test_a_creditors_key_cannot_take_over_another_creditors_account(shared_rw: Shared) -> None:
    """The reference of a Polder Telecom account, sent as Brightwater's: refused, and the
    account keeps its creditor, debtor and invoices."""
    headers = shared_rw.key(BRIGHTWATER)
    before = readback(shared_rw.client, "PT/NL/7782")
    body = account_json(BY_REF["PT/NL/7782"])
    body["creditor"] = BRIGHTWATER
    body["debtor"]["email"] = "attacker@example.com"
    body["invoices"].append(
        {"number": "EVIL-1", "amount": "9999.00", "currency": "EUR", "issued_on": "2025-01-01", "due_on": "2025-02-01"}
    )
    response = shared_rw.client.post(LIST, json=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert readback(shared_rw.client, "PT/NL/7782") == before


def test_a_creditors_key_cannot_change_another_creditors_account_through_its_own_creditor_name(
    shared_rw: Shared,
) -> None:
    """The same upsert, naming the account's real creditor: still not Brightwater's to change."""
    headers = shared_rw.key(BRIGHTWATER)
    before = readback(shared_rw.client, "PT/NL/7783")
    body = account_json(BY_REF["PT/NL/7783"])
    body["debtor"]["phone"] = "+447700900999"
    response = shared_rw.client.post(LIST, json=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert readback(shared_rw.client, "PT/NL/7783") == before


def test_a_creditors_key_cannot_patch_another_creditors_account(shared_rw: Shared) -> None:
    headers = shared_rw.key(POLDER)
    before = readback(shared_rw.client, "BW-2025-0002")
    response = shared_rw.client.patch(
        f"{LIST}/BW-2025-0002", json={"debtor": {"email": "attacker@example.com"}}, headers=headers
    )
    assert response.status_code == 404, response.text
    assert readback(shared_rw.client, "BW-2025-0002") == before


def test_a_creditors_key_patches_its_own_account(shared_rw: Shared) -> None:
    headers = shared_rw.key(POLDER)
    response = shared_rw.client.patch(
        f"{LIST}/INV-2025-00871", json={"debtor": {"email": "lotte.peeters@proton.me"}}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert readback(shared_rw.client, "INV-2025-00871")["debtor"]["email"] == "lotte.peeters@proton.me"


def test_a_creditors_key_cannot_move_its_account_to_another_creditor(shared_rw: Shared) -> None:
    headers = shared_rw.key(BRIGHTWATER)
    response = shared_rw.client.patch(f"{LIST}/BW-2025-0003", json={"creditor": POLDER}, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert readback(shared_rw.client, "BW-2025-0003")["creditor"] == BRIGHTWATER


@pytest.mark.beyond_spec
def test_an_import_with_a_creditors_key_applies_no_row_of_another_creditor(shared_rw: Shared) -> None:
    """Refused as a whole (4xx) or row by row: either way, only Brightwater's row lands."""
    headers = {**shared_rw.key(BRIGHTWATER), "content-type": "text/csv"}
    before = readback(shared_rw.client, "PT/BE/0091")
    csv_text = (
        "reference,creditor,name,invoice_number,amount,issued_on,due_on\n"
        "BW-2026-0200,Brightwater Energy,Nina Claes,F-0200-1,42.00,2025-01-01,2025-02-01\n"
        "PT/NL/9002,Polder Telecom,Eva Smit,F-9002-1,42.00,2025-01-01,2025-02-01\n"
        "PT/BE/0091,Polder Telecom,Chloé Martin,F-EVIL-1,9999.00,2025-01-01,2025-02-01\n"
    )
    response = shared_rw.client.post("/api/v1/imports", content=csv_text.encode(), headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        report = response.json()
        assert report["rejected"] == 2, report
        assert not absent(shared_rw.client, "BW-2026-0200")
    assert absent(shared_rw.client, "PT/NL/9002")
    assert readback(shared_rw.client, "PT/BE/0091") == before


@pytest.mark.beyond_spec
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "disputes", {"reason": "already_paid"}),
        ("POST", "promises", {"due_on": "2030-01-01"}),
        ("POST", "plans", {"monthly_amount": "50.00"}),
        ("POST", "payment-links", {}),
        ("PUT", "reason", {"reason": "forgot"}),
        ("POST", "links", {}),
    ],
)
def test_a_creditors_key_records_nothing_on_another_creditors_account(
    shared_rw: Shared, method: str, suffix: str, body: dict
) -> None:
    """The models say a scoped key's changes stay inside its creditor too: the account's own
    routes answer 404 and change nothing."""
    headers = shared_rw.key(POLDER)
    before = readback(shared_rw.client, "BW-2025-0007")
    response = shared_rw.client.request(method, f"{LIST}/BW-2025-0007/{suffix}", json=body, headers=headers)
    assert response.status_code == 404, (suffix, response.status_code, response.text)
    assert readback(shared_rw.client, "BW-2025-0007") == before
