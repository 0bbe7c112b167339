"""CSV exports: `accounts.csv` takes the list's filters and holds the same accounts; its header
row states the decimal and date formats; `contacts.csv`, `outcomes.csv` and `ledger.csv` are CSV
as well."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import (
    BRIGHTWATER,
    EXPORTS,
    MAISON,
    POLDER,
    SEEDS,
    Portfolio,
    assert_header_states_formats,
    cells,
    column,
    invoice_number,
    parse_decimal,
    read_csv,
    reference_column,
    walk,
)
from tests.conftest import AUTH

KINDS = ("accounts", "contacts", "outcomes", "ledger")


def export(api: TestClient, kind: str = "accounts", params: dict | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
    response = api.get(f"{EXPORTS}/{kind}.csv", params=params or {}, headers=headers or AUTH)
    assert response.status_code == 200, (kind, params, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/csv"), response.headers["content-type"]
    return response


@pytest.mark.parametrize("kind", KINDS)
def test_each_export_is_csv_the_csv_module_reads(api: TestClient, portfolio: Portfolio, kind: str) -> None:
    header, rows = read_csv(export(api, kind))
    assert all(cell for cell in header), f"an empty header cell: {header}"
    assert len(set(header)) == len(header), f"a header named twice: {header}"
    if kind in ("accounts", "ledger", "outcomes"):
        assert rows, f"{kind}.csv is empty on a seeded portfolio"


def test_the_accounts_header_row_states_decimal_and_date_formats(api: TestClient, portfolio: Portfolio) -> None:
    header, _ = read_csv(export(api))
    assert_header_states_formats(header)


@pytest.mark.beyond_spec
def test_the_ledger_header_row_states_its_formats_too(api: TestClient, portfolio: Portfolio) -> None:
    """The ledger is amounts and dates as well."""
    header, _ = read_csv(export(api, "ledger"))
    assert_header_states_formats(header)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"creditor": POLDER},
        {"status": "overdue"},
        {"creditor": BRIGHTWATER, "country": "BE", "overdue_min_days": "10"},
        {"q": "Peeters"},
        {"balance_min": "100", "balance_max": "1000"},
        {"has_dispute": "true"},
        {"language": "fr", "sort": "-balance"},
        {"creditor": "Nobody Energy NV"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "all",
)
def test_the_accounts_export_holds_what_the_list_holds_for_the_same_filter(
    api: TestClient, portfolio: Portfolio, params: dict
) -> None:
    listed = walk(api, params, limit=50).items
    header, rows = read_csv(export(api, params=params))
    reference = reference_column(header)
    exported = [row[reference] for row in rows]
    assert len(exported) == len(set(exported)), "an account exported twice"
    assert set(exported) == {item["reference"] for item in listed}
    balance = column(header, "balance")
    by_reference = {row[reference]: row for row in rows}
    for item in listed:
        assert parse_decimal(by_reference[item["reference"]][balance]) == parse_decimal(item["balance"])


def test_the_accounts_export_follows_the_sort(api: TestClient, portfolio: Portfolio) -> None:
    header, rows = read_csv(export(api, params={"sort": "-balance"}))
    balance = column(header, "balance")
    amounts = [parse_decimal(row[balance]) for row in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert len(rows) == len(SEEDS)


def test_the_accounts_export_carries_names_and_amounts_as_sent(api: TestClient, portfolio: Portfolio) -> None:
    header, rows = read_csv(export(api, params={"creditor": MAISON}))
    reference = reference_column(header)
    row = next(row for row in rows if row[reference] == "FAC/2025/00123")
    assert "Élodie Rousseau" in row.values(), row
    assert parse_decimal(row[column(header, "balance")]) == parse_decimal("1500.00")
    assert "Maison Lumière SA" in cells(rows)


def test_the_accounts_export_writes_dates_in_the_format_it_states(api: TestClient, portfolio: Portfolio) -> None:
    """Where the header says ISO 8601 (YYYY-MM-DD), no cell holds a day-first date, and the
    other way round."""
    header, rows = read_csv(export(api))
    stated = " ".join(header).lower()
    day_first = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    values = [value.strip() for row in rows for value in row.values()]
    if "iso" in stated or "yyyy-mm-dd" in stated:
        assert not [value for value in values if day_first.match(value)]
    elif re.search(r"dd[/.-]mm", stated):
        assert not [value for value in values if iso.match(value)]


def test_the_ledger_export_holds_every_invoice(api: TestClient, portfolio: Portfolio) -> None:
    _, rows = read_csv(export(api, "ledger"))
    found = cells(rows)
    for seed in SEEDS:
        assert seed.reference in found, f"no ledger line of {seed.reference}"
        for index in range(len(seed.invoices)):
            assert invoice_number(seed, index) in found, invoice_number(seed, index)


def test_the_outcomes_export_holds_the_recorded_outcomes(api: TestClient, portfolio: Portfolio) -> None:
    _, rows = read_csv(export(api, "outcomes"))
    found = cells(rows)
    for reference in ("BW-2025-0004", "BW-2025-0006", "MLS-2025-0042", "INV-2025-00871"):
        assert reference in found, f"no outcome of {reference}"
    assert "BW-2025-0005" not in found, "an account without any outcome has an outcome line"


@pytest.mark.parametrize("kind", KINDS)
def test_exports_need_a_key(api: TestClient, portfolio: Portfolio, kind: str) -> None:
    wrong = {"Authorization": "Bearer not-a-key-at-all-0123456789"}
    response = api.get(f"{EXPORTS}/{kind}.csv", headers=wrong)
    assert response.status_code == 401, response.text
    assert "BW-2025" not in response.text
