"""A key made by `amicable apikey-add --creditor NAME` sees only that creditor's accounts: in the
list and its `total`, the read-back, the ledger and every export. Another creditor's account
answers 404. The agency key sees everything; a wrong key is 401. (Reads only: changes made
with a creditor's key are in test_tenancy_writes.py.)"""

from __future__ import annotations

import pytest

from tests.blind_portfolio.conftest import Shared
from tests.blind_portfolio.support import (
    BRIGHTWATER,
    CREDITORS,
    EXPORTS,
    LIST,
    MAISON,
    POLDER,
    SEEDS,
    cells,
    invoice_number,
    list_page,
    read_csv,
    reference_column,
    walk,
    walked_set,
)
from tests.conftest import AUTH

WRONG = {"Authorization": "Bearer amk_this-is-not-a-key-0123456789abcdef"}


def own(creditor: str) -> set[str]:
    return {seed.reference for seed in SEEDS if seed.creditor == creditor}


def test_apikey_add_prints_the_key_alone_on_the_last_line(shared: Shared) -> None:
    headers = shared.key(BRIGHTWATER)
    response = shared.client.get(LIST, params={"limit": 1}, headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.beyond_spec
def test_each_run_of_apikey_add_makes_a_new_key(shared: Shared) -> None:
    """Two keys for one creditor (a key being replaced): both work, both scoped."""
    from tests.blind_portfolio.support import creditor_key

    first = creditor_key(shared.settings.database_url, MAISON)
    second = creditor_key(shared.settings.database_url, MAISON)
    assert first != second
    for headers in (first, second):
        assert walked_set(walk(shared.client, headers=headers, limit=50)) == own(MAISON)


@pytest.mark.parametrize("creditor", CREDITORS)
def test_a_creditors_key_lists_only_its_accounts_and_counts_only_them(shared: Shared, creditor: str) -> None:
    headers = shared.key(creditor)
    walked = walk(shared.client, headers=headers, limit=2)
    assert walked_set(walked) == own(creditor)
    assert set(walked.totals) == {len(own(creditor))}
    assert {item["creditor"] for item in walked.items} == {creditor}


def test_filters_and_search_stay_inside_the_creditor(shared: Shared) -> None:
    headers = shared.key(BRIGHTWATER)
    # Peeters: Sam (Brightwater) and Lotte (Polder Telecom).
    assert walked_set(walk(shared.client, {"q": "Peeters"}, headers=headers)) == {"HE-A16DD6E4"}
    # Disputes: BW-2025-0006 (Brightwater) and MLS-2025-0042 (Maison Lumière).
    assert walked_set(walk(shared.client, {"has_dispute": "true"}, headers=headers)) == {"BW-2025-0006"}
    body = list_page(shared.client, {"status": "overdue", "limit": 1}, headers=headers).json()
    expected = {ref for ref in own(BRIGHTWATER) if shared.portfolio.states[ref]["status"] == "overdue"}
    assert body["total"] == len(expected)
    for sort in ("reference", "-balance", "updated_at"):
        assert walked_set(walk(shared.client, {"sort": sort}, headers=headers, limit=3)) == own(BRIGHTWATER)


def test_asking_for_another_creditor_by_filter_shows_nothing_of_it(shared: Shared) -> None:
    headers = shared.key(BRIGHTWATER)
    response = list_page(shared.client, {"creditor": POLDER}, headers=headers)
    if response.status_code == 200:
        body = response.json()
        assert body["items"] == [] and body["total"] == 0
    else:
        assert 400 <= response.status_code < 500, response.text
        assert "PT/NL" not in response.text


def test_the_agency_key_sees_every_creditor(shared: Shared) -> None:
    walked = walk(shared.client, headers=AUTH, limit=5)
    assert walked_set(walked) == {seed.reference for seed in SEEDS}
    assert set(walked.totals) == {len(SEEDS)}


def test_a_cursor_from_the_agency_key_leaks_nothing_to_a_creditors_key(shared: Shared) -> None:
    headers = shared.key(POLDER)
    cursor = list_page(shared.client, {"limit": 2, "sort": "reference"}, headers=AUTH).json()["next_cursor"]
    response = list_page(shared.client, {"limit": 50, "sort": "reference", "cursor": cursor}, headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        assert {item["reference"] for item in response.json()["items"]} <= own(POLDER)
        assert response.json()["total"] == len(own(POLDER))


@pytest.mark.parametrize("reference", ["PT/NL/7781", "FAC/2025/00123", "INV-2025-00871", "MLS-2025-0042"])
def test_another_creditors_account_is_404_to_read(shared: Shared, reference: str) -> None:
    headers = shared.key(BRIGHTWATER)
    by_query = shared.client.get(LIST, params={"reference": reference}, headers=headers)
    assert by_query.status_code == 404, by_query.text
    if "/" not in reference:
        by_path = shared.client.get(f"{LIST}/{reference}", headers=headers)
        assert by_path.status_code == 404, by_path.text
        ledger = shared.client.get(f"{LIST}/{reference}/ledger", headers=headers)
        assert ledger.status_code == 404, ledger.text
    # Nothing of the account comes back with the 404.
    seed = next(seed for seed in SEEDS if seed.reference == reference)
    for text in (seed.name, seed.creditor, seed.phone):
        assert text not in by_query.text


def test_a_creditors_key_reads_its_own_account_ledger_and_read_back(shared: Shared) -> None:
    headers = shared.key(BRIGHTWATER)
    response = shared.client.get(LIST, params={"reference": "BW-2025-0002"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == shared.client.get(LIST, params={"reference": "BW-2025-0002"}, headers=AUTH).json()
    assert "invoices" in response.json() and "items" not in response.json()
    assert shared.client.get(f"{LIST}/HE-A16DD6E4", headers=headers).status_code == 200
    ledger = shared.client.get(f"{LIST}/HE-A16DD6E4/ledger", headers=headers)
    assert ledger.status_code == 200, ledger.text


def test_the_accounts_export_of_a_creditors_key_holds_only_its_accounts(shared: Shared) -> None:
    headers = shared.key(POLDER)
    response = shared.client.get(f"{EXPORTS}/accounts.csv", headers=headers)
    assert response.status_code == 200, response.text
    header, rows = read_csv(response)
    assert {row[reference_column(header)] for row in rows} == own(POLDER)
    # The same filters, still inside the creditor.
    response = shared.client.get(f"{EXPORTS}/accounts.csv", params={"country": "BE"}, headers=headers)
    header, rows = read_csv(response)
    assert {row[reference_column(header)] for row in rows} == {
        seed.reference for seed in SEEDS if seed.creditor == POLDER and seed.country == "BE"
    }


@pytest.mark.parametrize("kind", ["accounts", "contacts", "outcomes", "ledger"])
def test_no_export_of_a_creditors_key_holds_anything_of_another_creditor(shared: Shared, kind: str) -> None:
    headers = shared.key(MAISON)
    response = shared.client.get(f"{EXPORTS}/{kind}.csv", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    _, rows = read_csv(response)
    found = cells(rows)
    text = response.content.decode("utf-8-sig")
    for seed in SEEDS:
        if seed.creditor == MAISON:
            continue
        assert seed.reference not in found, (kind, seed.reference)
        assert seed.name not in text, (kind, seed.name)
        if seed.email:
            assert seed.email.split("@")[0].lower() not in text.lower(), (kind, seed.email)
        for index in range(len(seed.invoices)):
            assert invoice_number(seed, index) not in found, (kind, seed.reference)
        assert seed.creditor not in text, (kind, seed.creditor)


def test_the_ledger_export_of_a_creditors_key_holds_its_own_invoices(shared: Shared) -> None:
    headers = shared.key(MAISON)
    _, rows = read_csv(shared.client.get(f"{EXPORTS}/ledger.csv", headers=headers))
    found = cells(rows)
    for seed in SEEDS:
        if seed.creditor == MAISON:
            assert invoice_number(seed, 0) in found, seed.reference


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", LIST),
        ("GET", f"{LIST}?reference=BW-2025-0001"),
        ("GET", f"{LIST}/BW-2025-0001"),
        ("GET", f"{LIST}/BW-2025-0001/ledger"),
        ("GET", f"{EXPORTS}/accounts.csv"),
        ("GET", f"{EXPORTS}/contacts.csv"),
        ("GET", f"{EXPORTS}/outcomes.csv"),
        ("GET", f"{EXPORTS}/ledger.csv"),
        ("PATCH", f"{LIST}/BW-2025-0001"),
        ("POST", "/api/v1/imports"),
    ],
)
def test_a_wrong_key_is_401(shared: Shared, method: str, path: str) -> None:
    body = {"debtor": {"email": "x@example.com"}} if method == "PATCH" else None
    response = shared.client.request(method, path, json=body, headers=WRONG)
    assert response.status_code == 401, (method, path, response.status_code, response.text)
    assert "Zoë" not in response.text
