"""Bad query parameters are refused with a 4xx and a JSON `detail`, on the list and on the
accounts export; odd but harmless ones never cause a 5xx."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import EXPORTS, LIST, Portfolio, list_page
from tests.conftest import AUTH

BAD = [
    {"limit": "0"},
    {"limit": "100000"},
    {"limit": "-1"},
    {"limit": "ten"},
    {"cursor": "garbage"},
    {"cursor": "eyJpZCI6IDF9"},  # base64 of {"id": 1}: well formed, not ours
    {"cursor": "%%%"},
    {"balance_min": "abc"},
    {"status": "nonsense"},
    {"status": "OVERDUE; DROP TABLE accounts"},
    {"reason": "bored"},
    {"has_plan": "perhaps"},
    {"has_dispute": "2"},
    {"vulnerable": "yes please"},
    {"overdue_min_days": "abc"},
    {"overdue_min_days": "1.5"},
    {"updated_since": "yesterday"},
    {"updated_since": "2025-13-45T99:00:00Z"},
    {"sort": "nonsense"},
]


def _ids(params: dict) -> str:
    return "&".join(f"{key}={value}" for key, value in params.items())


@pytest.mark.parametrize("params", BAD, ids=_ids)
def test_the_list_refuses_bad_input_with_a_json_detail(api: TestClient, portfolio: Portfolio, params: dict) -> None:
    response = list_page(api, params)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    assert response.json().get("detail"), response.text


@pytest.mark.beyond_spec
@pytest.mark.parametrize(
    "params", [{"balance_min": "NaN"}, {"balance_max": "Infinity"}, {"balance_min": "-Inf"}], ids=_ids
)
def test_amounts_that_are_not_numbers_are_refused(api: TestClient, portfolio: Portfolio, params: dict) -> None:
    """Decimal reads NaN and Infinity; as money bounds they mean nothing."""
    response = list_page(api, params)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.json().get("detail"), response.text


@pytest.mark.parametrize(
    "params",
    [
        {"balance_min": "abc"},
        {"status": "nonsense"},
        {"has_plan": "perhaps"},
        {"updated_since": "yesterday"},
        {"sort": "nonsense"},
    ],
    ids=_ids,
)
def test_the_accounts_export_refuses_bad_input_too(api: TestClient, portfolio: Portfolio, params: dict) -> None:
    response = api.get(f"{EXPORTS}/accounts.csv", params=params, headers=AUTH)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.json().get("detail"), response.text


@pytest.mark.parametrize(
    "params",
    [
        {"balance_min": "5000", "balance_max": "10"},
        {"q": "x" * 2000},
        {"q": ""},
        {"q": "   "},
        {"q": "\u0000"},
        {"q": "🙂"},
        {"creditor": ""},
        {"country": "be"},
        {"country": "ZZ"},
        {"language": "de"},
        {"overdue_min_days": "0"},
        {"overdue_min_days": "100000"},
        {"overdue_min_days": "1000000000"},
        {"balance_min": "1E+400"},
        {"balance_max": "0.001"},
        {"updated_since": "1970-01-01T00:00:00Z"},
        {"updated_since": "2999-01-01T00:00:00+00:00"},
        {"balance_min": "0"},
        {"balance_max": "99999999999.99"},
        {"limit": "1", "sort": "-updated_at"},
    ],
    ids=_ids,
)
def test_odd_input_never_fails_the_server(api: TestClient, portfolio: Portfolio, params: dict) -> None:
    response = list_page(api, params)
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code == 200:
        assert {"items", "next_cursor", "total"} <= set(body)
    else:
        assert body.get("detail"), response.text


def test_a_cursor_cut_short_or_altered_is_refused_not_a_500(api: TestClient, portfolio: Portfolio) -> None:
    cursor = list_page(api, {"limit": 2, "sort": "reference"}).json()["next_cursor"]
    assert cursor
    for altered in (cursor[:-3], cursor[::-1], cursor + "AAAA", "x" + cursor[1:], cursor.upper()):
        if altered == cursor:
            continue
        response = list_page(api, {"limit": 2, "sort": "reference", "cursor": altered})
        assert response.status_code < 500, (altered, response.text)
        if response.status_code != 200:
            assert response.json().get("detail"), response.text


def test_the_list_and_its_export_need_a_key(api: TestClient, portfolio: Portfolio) -> None:
    wrong = {"Authorization": "Bearer not-a-key-at-all-0123456789"}
    assert api.get(LIST, headers=wrong).status_code == 401
    assert api.get(f"{EXPORTS}/accounts.csv", headers=wrong).status_code == 401


@pytest.mark.beyond_spec
def test_a_cursor_rewritten_by_the_client_is_refused_not_a_500(api: TestClient, portfolio: Portfolio) -> None:
    """Cursors are opaque; one that decodes (base64 JSON, say) and is rewritten with values of
    the wrong kind is answered with a 4xx, not a crash."""
    import base64
    import json

    for sort in ("reference", "-balance", "updated_at"):
        cursor = list_page(api, {"limit": 2, "sort": sort}).json()["next_cursor"]
        try:
            decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except ValueError:
            continue  # not base64 JSON: nothing to rewrite
        if not isinstance(decoded, dict):
            continue
        for key in decoded:
            for wrong in ("abc", None, [], {}, 10**30, -1, "2025-13-45", "' OR 1=1 --"):
                forged = base64.urlsafe_b64encode(json.dumps({**decoded, key: wrong}).encode()).decode().rstrip("=")
                response = list_page(api, {"limit": 2, "sort": sort, "cursor": forged})
                assert response.status_code < 500, (sort, key, wrong, response.text)
                if response.status_code != 200:
                    assert response.json().get("detail")
