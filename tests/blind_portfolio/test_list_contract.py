"""`GET /api/v1/accounts`: the answer's shape, `total`, `limit`, walking `next_cursor` under
each sort, and the older `?reference=` contract that must keep answering the full read-back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import (
    BRIGHTWATER,
    LIST,
    READBACK_KEYS,
    SEEDS,
    Portfolio,
    list_page,
    walk,
    walked_set,
)
from tests.conftest import AUTH


def test_the_answer_is_items_next_cursor_and_total(api: TestClient, portfolio: Portfolio) -> None:
    response = list_page(api, {"limit": 5})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert {"items", "next_cursor", "total"} <= set(body)
    assert body["total"] == len(SEEDS)
    assert len(body["items"]) == 5
    assert isinstance(body["next_cursor"], str) and body["next_cursor"]


def test_each_item_carries_reference_creditor_balance_status_and_debtor_name(
    api: TestClient, portfolio: Portfolio
) -> None:
    items = walk(api, limit=50).items
    assert len(items) == len(SEEDS)
    for item in items:
        reference = item["reference"]
        state = portfolio.states[reference]
        assert item["creditor"] == portfolio.seeds[reference].creditor
        assert isinstance(item["balance"], str), "amounts are decimal strings"
        assert Decimal(item["balance"]) == Decimal(state["balance"])
        assert item["status"] == state["status"]
        assert item["debtor"]["name"] == portfolio.seeds[reference].name


def test_total_counts_every_match_not_the_page(api: TestClient, portfolio: Portfolio) -> None:
    brightwater = {ref for ref, seed in portfolio.seeds.items() if seed.creditor == BRIGHTWATER}
    for limit in (1, 2, 4):
        body = list_page(api, {"creditor": BRIGHTWATER, "limit": limit}).json()
        assert len(body["items"]) == limit
        assert body["total"] == len(brightwater)


@pytest.mark.parametrize("limit", [1, 3, 7, 21])
def test_limit_is_honoured_and_every_page_says_the_same_total(
    api: TestClient, portfolio: Portfolio, limit: int
) -> None:
    walked = walk(api, limit=limit)
    assert set(walked.totals) == {len(SEEDS)}
    # Every page before the last one is full.
    for page in walked.pages[:-1]:
        assert len(page) == limit or not page
    assert walked_set(walked) == portfolio.references


def test_the_last_page_has_no_cursor(api: TestClient, portfolio: Portfolio) -> None:
    body = list_page(api, {"limit": 50}).json()
    assert len(body["items"]) == len(SEEDS)
    assert body["next_cursor"] is None


@pytest.mark.parametrize("sort", ["reference", "-reference", "balance", "-balance", "updated_at", "-updated_at"])
def test_walking_the_cursor_yields_every_account_once_under_each_sort(
    api: TestClient, portfolio: Portfolio, sort: str
) -> None:
    whole = walk(api, {"sort": sort}, limit=50)
    assert walked_set(whole) == portfolio.references
    for limit in (1, 2, 5):
        walked = walk(api, {"sort": sort}, limit=limit)
        assert walked_set(walked) == portfolio.references, limit
        # Paged or not, the order is the same.
        assert walked.references == whole.references, limit


def test_sort_by_reference_orders_by_reference(api: TestClient, portfolio: Portfolio) -> None:
    # The seeded references compare alike in every collation (see support.SEEDS), so Python's
    # order is the database's.
    ascending = walk(api, {"sort": "reference"}, limit=4).references
    assert ascending == sorted(portfolio.references)
    descending = walk(api, {"sort": "-reference"}, limit=4).references
    assert descending == sorted(portfolio.references, reverse=True)


def test_sort_by_descending_balance_orders_by_amount_not_by_text(api: TestClient, portfolio: Portfolio) -> None:
    items = walk(api, {"sort": "-balance"}, limit=4).items
    balances = [Decimal(item["balance"]) for item in items]
    assert balances == sorted(balances, reverse=True)
    # 3050.75 > 980.00 > 99.00: a text sort would put 99.00 first.
    assert items[0]["reference"] == "INV-2025-00872"
    ascending = [Decimal(item["balance"]) for item in walk(api, {"sort": "balance"}, limit=4).items]
    assert ascending == sorted(ascending)


def test_sort_by_updated_at_follows_the_order_accounts_were_written(api: TestClient, portfolio: Portfolio) -> None:
    """The seed wrote the accounts one after the other; those that nothing touched since
    (no outcome recorded) keep that order under `updated_at`, and the reverse under
    `-updated_at`."""
    plain = [seed.reference for seed in SEEDS if seed.outcome is None]
    ordered = [ref for ref in walk(api, {"sort": "updated_at"}, limit=4).references if ref in plain]
    assert ordered == plain
    reverse = [ref for ref in walk(api, {"sort": "-updated_at"}, limit=4).references if ref in plain]
    assert reverse == plain[::-1]


@pytest.mark.parametrize(
    "sort", ["password_hash", "nonsense", "-", "debtor.date_of_birth", "balance;drop table accounts"]
)
def test_an_unknown_sort_field_is_refused(api: TestClient, portfolio: Portfolio, sort: str) -> None:
    response = list_page(api, {"sort": sort})
    assert response.status_code in (400, 422), (response.status_code, response.text)
    assert "detail" in response.json()


def test_the_older_reference_query_still_answers_the_full_read_back(api: TestClient, portfolio: Portfolio) -> None:
    response = api.get(LIST, params={"reference": "FAC/2025/00123"}, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "items" not in body and "next_cursor" not in body
    assert set(READBACK_KEYS) <= set(body)
    assert body["reference"] == "FAC/2025/00123"
    assert body["creditor"] == "Maison Lumière SA"
    assert body["balance"] == "1500.00"
    assert [invoice["amount"] for invoice in body["invoices"]] == ["1500.00"]


def test_the_older_reference_query_answers_404_for_an_unknown_reference(api: TestClient, portfolio: Portfolio) -> None:
    response = api.get(LIST, params={"reference": "FAC/2099/99999"}, headers=AUTH)
    assert response.status_code == 404, response.text
    assert "detail" in response.json()


def test_an_empty_portfolio_lists_nothing(client: TestClient) -> None:
    body = list_page(client).json()
    assert body["items"] == [] and body["total"] == 0 and body["next_cursor"] is None
