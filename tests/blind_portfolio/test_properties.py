"""Random combinations of filters, search, sort and page size (hypothesis): never a 5xx, the
pages walked one cursor after the other are exactly the unpaged answer in the same order,
`total` agrees on every page, and where the filters have one plain meaning the accounts are
the ones this test computes."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.blind_portfolio.support import CREDITORS, REASONS, STATUSES, Portfolio, list_page, walk

BOOLEAN = st.sampled_from(["true", "false"])
AMOUNT = st.decimals(min_value=0, max_value=4000, places=2, allow_nan=False, allow_infinity=False).map(str)
FILTERS = {
    "creditor": st.sampled_from([*CREDITORS, "Nobody Energy NV"]),
    "status": st.sampled_from(STATUSES),
    "reason": st.sampled_from(REASONS),
    "country": st.sampled_from(["BE", "NL", "FR", "GB", "LU", "ES", "DE"]),
    "language": st.sampled_from(["en", "fr", "nl"]),
    "has_plan": BOOLEAN,
    "has_dispute": BOOLEAN,
    "vulnerable": BOOLEAN,
    "overdue_min_days": st.integers(min_value=0, max_value=500).map(str),
    "balance_min": AMOUNT,
    "balance_max": AMOUNT,
    "updated_since": st.sampled_from(
        ["2000-01-01T00:00:00Z", "2000-01-01T01:00:00+01:00", "2999-12-31T23:59:59+00:00"]
    ),
    "q": st.one_of(
        st.sampled_from(["Peeters", "2025", "+32", "@telenet.be", "Zoë", "FAC/", "0", "a", "PT/NL", "é", "O'B"]),
        st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=4),
    ),
}
SORTS = st.sampled_from([None, "reference", "-reference", "balance", "-balance", "updated_at", "-updated_at"])


def expected(portfolio: Portfolio, params: dict) -> set[str] | None:
    """The accounts the filters mean, or None where a filter has more than one fair reading
    (search, and fewer than 10 days overdue: see support.SEEDS)."""
    if "q" in params or int(params.get("overdue_min_days", "10")) < 10:
        return None

    def keep(seed, state) -> bool:  # type: ignore[no-untyped-def]
        balance = Decimal(state["balance"])
        checks = {
            "creditor": lambda value: seed.creditor == value,
            "status": lambda value: state["status"] == value,
            "reason": lambda value: state["reason"] == value,
            "country": lambda value: seed.country == value,
            "language": lambda value: seed.language == value,
            "has_plan": lambda value: portfolio.has_plan(seed.reference) == (value == "true"),
            "has_dispute": lambda value: portfolio.has_dispute(seed.reference) == (value == "true"),
            "vulnerable": lambda value: state["vulnerable"] == (value == "true"),
            "overdue_min_days": lambda value: portfolio.overdue_days(seed.reference) >= int(value),
            "balance_min": lambda value: balance >= Decimal(value),
            "balance_max": lambda value: balance <= Decimal(value),
            "updated_since": lambda value: value.startswith("2000"),
        }
        return all(checks[key](value) for key, value in params.items())

    return portfolio.where(keep)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.fixed_dictionaries({}, optional=FILTERS), sort=SORTS, limit=st.integers(min_value=1, max_value=7))
def test_pages_concatenated_are_the_unpaged_answer(
    api: TestClient, portfolio: Portfolio, params: dict, sort: str | None, limit: int
) -> None:
    query = {**params, **({"sort": sort} if sort else {})}
    whole = list_page(api, {**query, "limit": 50})
    assert whole.status_code < 500, (query, whole.text)
    assert whole.status_code == 200, (query, whole.status_code, whole.text)
    body = whole.json()
    assert body["next_cursor"] is None and body["total"] == len(body["items"]), query
    references = [item["reference"] for item in body["items"]]
    assert len(references) == len(set(references)), query

    walked = walk(api, query, limit=limit)
    assert walked.references == references, (query, limit)
    assert set(walked.totals) == {body["total"]}, (query, limit)

    if "creditor" in params:
        assert all(item["creditor"] == params["creditor"] for item in body["items"])
    want = expected(portfolio, params)
    if want is not None:
        assert set(references) == want, query
