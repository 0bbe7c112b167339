"""Each filter of `GET /api/v1/accounts` narrows the seeded portfolio to the accounts this test
computes itself (from what was sent and the older read-back), walked over several pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import (
    BRIGHTWATER,
    CREDITORS,
    MAISON,
    POLDER,
    Portfolio,
    Seed,
    walk,
    walked_set,
)


def found(api: TestClient, params: dict, limit: int = 4) -> set[str]:
    walked = walk(api, params, limit=limit)
    references = walked_set(walked)
    assert set(walked.totals) <= {len(references)}, f"total {walked.totals} for {len(references)} accounts"
    return references


@pytest.mark.parametrize("creditor", CREDITORS)
def test_creditor(api: TestClient, portfolio: Portfolio, creditor: str) -> None:
    expected = portfolio.where(lambda seed, state: seed.creditor == creditor)
    assert expected
    assert found(api, {"creditor": creditor}) == expected


def test_an_unknown_creditor_matches_nothing(api: TestClient, portfolio: Portfolio) -> None:
    assert found(api, {"creditor": "Nobody Energy NV"}) == set()


@pytest.mark.parametrize("status", ["overdue", "open", "in_plan", "disputed", "promised", "on_hold"])
def test_status(api: TestClient, portfolio: Portfolio, status: str) -> None:
    expected = portfolio.where(lambda seed, state: state["status"] == status)
    assert expected, f"the seed has no {status} account"
    assert found(api, {"status": status}) == expected


@pytest.mark.parametrize("reason", ["dispute", "cash_flow", "illness", "forgot"])
def test_reason(api: TestClient, portfolio: Portfolio, reason: str) -> None:
    expected = portfolio.where(lambda seed, state: state["reason"] == reason)
    assert found(api, {"reason": reason}) == expected
    if reason != "forgot":
        assert expected


@pytest.mark.parametrize("country", ["BE", "NL", "FR", "GB", "LU", "ES"])
def test_country(api: TestClient, portfolio: Portfolio, country: str) -> None:
    expected = portfolio.where(lambda seed, state: seed.country == country)
    assert expected
    assert found(api, {"country": country}) == expected


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_language(api: TestClient, portfolio: Portfolio, language: str) -> None:
    expected = portfolio.where(lambda seed, state: seed.language == language)
    assert expected
    assert found(api, {"language": language}) == expected


def test_has_plan(api: TestClient, portfolio: Portfolio) -> None:
    with_plan = portfolio.where(lambda seed, state: portfolio.has_plan(seed.reference))
    assert with_plan == {"BW-2025-0004"}
    assert found(api, {"has_plan": "true"}) == with_plan
    assert found(api, {"has_plan": "false"}) == portfolio.references - with_plan


def test_has_dispute(api: TestClient, portfolio: Portfolio) -> None:
    disputed = portfolio.where(lambda seed, state: portfolio.has_dispute(seed.reference))
    assert disputed == {"BW-2025-0006", "MLS-2025-0042"}
    assert found(api, {"has_dispute": "true"}) == disputed
    assert found(api, {"has_dispute": "false"}) == portfolio.references - disputed


def test_vulnerable(api: TestClient, portfolio: Portfolio) -> None:
    vulnerable = portfolio.where(lambda seed, state: state["vulnerable"] is True)
    assert vulnerable == {"INV-2025-00872"}
    assert found(api, {"vulnerable": "true"}) == vulnerable
    assert found(api, {"vulnerable": "false"}) == portfolio.references - vulnerable


@pytest.mark.parametrize("days", [1, 10, 30, 90, 365, 1000])
def test_overdue_min_days(api: TestClient, portfolio: Portfolio, days: int) -> None:
    """Days since the oldest unpaid invoice fell due. Accounts with a plan, dispute, promise
    or hold are overdue by fewer than 10 days, so either reading of them agrees from 10 on."""
    expected = portfolio.where(lambda seed, state: portfolio.overdue_days(seed.reference) >= days)
    if days == 1:
        # Overdue by at least a day: every account with an invoice past due, whatever its
        # outcome, except the ones whose outcome could be read as "not overdue".
        outcome = portfolio.where(lambda seed, state: seed.outcome in ("plan", "dispute", "promise", "vulnerable"))
        got = found(api, {"overdue_min_days": days})
        assert got - outcome == expected - outcome
        assert got <= expected
        return
    assert found(api, {"overdue_min_days": days}) == expected


def test_overdue_min_days_leaves_out_accounts_not_yet_due(api: TestClient, portfolio: Portfolio) -> None:
    not_due = {"BW-2025-0005", "BW-2025-0008", "PT/BE/0092"}
    assert all(portfolio.overdue_days(ref) == 0 for ref in not_due)
    assert not found(api, {"overdue_min_days": 1}) & not_due


@pytest.mark.parametrize(
    ("low", "high"),
    [("100", "1000"), ("100.00", "999.99"), ("0.01", "50"), ("1000.00", None), (None, "60"), ("3000", "4000")],
)
def test_balance_range(api: TestClient, portfolio: Portfolio, low: str | None, high: str | None) -> None:
    params = {}
    if low is not None:
        params["balance_min"] = low
    if high is not None:
        params["balance_max"] = high

    def inside(seed: Seed, state: dict) -> bool:
        balance = Decimal(state["balance"])
        return (low is None or balance >= Decimal(low)) and (high is None or balance <= Decimal(high))

    expected = portfolio.where(inside)
    assert expected
    assert found(api, params) == expected


def test_balance_bounds_are_exact_decimals_and_inclusive(api: TestClient, portfolio: Portfolio) -> None:
    """19.99 and 59.99 sit on the bounds: a float or a rounding would let them in or out.
    A minimum and a maximum include their bound."""
    assert found(api, {"balance_min": "19.99", "balance_max": "19.99"}) == {"PT/BE/0091"}
    assert found(api, {"balance_min": "20.00", "balance_max": "59.99"}) == {"BW-2025-0003", "PT/NL/7781"}
    assert found(api, {"balance_min": "59.98", "balance_max": "59.98"}) == set()


def test_filters_combine(api: TestClient, portfolio: Portfolio) -> None:
    expected = portfolio.where(
        lambda seed, state: (
            seed.creditor == BRIGHTWATER
            and seed.country == "BE"
            and portfolio.overdue_days(seed.reference) >= 10
            and Decimal(state["balance"]) >= 100
        )
    )
    assert expected == {"BW-2025-0001", "BW-2025-0002", "BW-2025-0007", "HE-A16DD6E4"}
    params = {"creditor": BRIGHTWATER, "country": "BE", "overdue_min_days": 10, "balance_min": "100"}
    assert found(api, params) == expected
    assert found(api, {**params, "language": "fr"}) == {"BW-2025-0002"}
    assert found(api, {"creditor": POLDER, "has_plan": "true"}) == set()
    assert found(api, {"creditor": MAISON, "has_dispute": "true"}) == {"MLS-2025-0042"}
    assert found(api, {"creditor": POLDER, "status": "overdue", "country": "NL"}) == {"PT/NL/7781", "PT/NL/7782"}


@pytest.mark.parametrize("sort", ["reference", "-balance", "updated_at"])
def test_filters_hold_under_every_sort(api: TestClient, portfolio: Portfolio, sort: str) -> None:
    expected = portfolio.where(lambda seed, state: seed.language == "fr")
    assert found(api, {"language": "fr", "sort": sort}, limit=2) == expected
