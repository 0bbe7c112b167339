"""The portfolio over HTTP: the list's contract, exports, PATCH and creditors' own keys."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from amicable.cli import app as cli
from tests.conftest import AUTH
from tests.factories import account_body


def _load(client, reference: str, creditor: str, name: str, amount: str = "120.50", **debtor) -> None:  # type: ignore[no-untyped-def]
    body = account_body(reference, name=name, **debtor)
    body["creditor"] = creditor
    body["invoices"] = body["invoices"][:1]
    body["invoices"][0]["amount"] = amount
    response = client.post("/api/v1/accounts", json=body, headers=AUTH)
    assert response.status_code == 201, response.text


def _key(settings, creditor: str) -> dict:  # type: ignore[no-untyped-def]
    made = CliRunner().invoke(cli, ["apikey-add", "--creditor", creditor], env={"DATABASE_URL": settings.database_url})
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def test_the_list_contract_and_the_old_reference_lookup(client):
    _load(client, "FAC/2025/00123", "Brightwater Energy", "Zoë Vandenbroucke")
    _load(client, "INV-2", "Polder Telecom", "Jan de Vries", amount="80.00")
    listed = client.get("/api/v1/accounts", params={"limit": 1, "sort": "-balance"}, headers=AUTH).json()
    assert set(listed) == {"items", "next_cursor", "total"} and listed["total"] == 2
    first = listed["items"][0]
    assert (first["reference"], first["creditor"], first["balance"], first["debtor"]["name"]) == (
        "FAC/2025/00123",
        "Brightwater Energy",
        "120.50",
        "Zoë Vandenbroucke",
    )
    rest = client.get(
        "/api/v1/accounts", params={"limit": 1, "sort": "-balance", "cursor": listed["next_cursor"]}, headers=AUTH
    )
    assert [i["reference"] for i in rest.json()["items"]] == ["INV-2"] and rest.json()["next_cursor"] is None
    # The older contract: ?reference= reads one account's whole state.
    one = client.get("/api/v1/accounts", params={"reference": "FAC/2025/00123"}, headers=AUTH).json()
    assert one["reference"] == "FAC/2025/00123" and "invoices" in one and one["debtor"]["name"] == "Zoë Vandenbroucke"


def test_bad_list_parameters_are_4xx_with_a_message(client):
    for params in (
        {"limit": 0},
        {"limit": 100000},
        {"cursor": "garbage"},
        {"balance_min": "abc"},
        {"status": "x"},
        {"sort": "password_hash"},
    ):
        response = client.get("/api/v1/accounts", params=params, headers=AUTH)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["detail"]


def test_patch_changes_only_what_is_sent(client):
    _load(client, "ACC-7", "Brightwater Energy", "Mia Peeters", phone="+32470123456")
    before = client.get("/api/v1/accounts/ACC-7", headers=AUTH).json()
    patched = client.patch("/api/v1/accounts/ACC-7", json={"debtor": {"email": "mia@example.org"}}, headers=AUTH)
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert after["debtor"]["email"] == "mia@example.org"
    assert {**after, "debtor": None} == {**before, "debtor": None}
    assert {k: v for k, v in after["debtor"].items() if k != "email"} == {
        k: v for k, v in before["debtor"].items() if k != "email"
    }
    assert client.patch("/api/v1/accounts/NOPE", json={}, headers=AUTH).status_code == 404
    assert client.patch("/api/v1/accounts/ACC-7", json={"debtor": {"name": None}}, headers=AUTH).status_code == 422
    assert client.patch("/api/v1/accounts/ACC-7", json={"colour": "red"}, headers=AUTH).status_code == 422


def test_exports_state_their_formats_and_match_the_list(client):
    _load(client, "E-1", "Brightwater Energy", "=HYPERLINK(evil)")
    _load(client, "E-2", "Polder Telecom", "Jan de Vries")
    response = client.get("/api/v1/exports/accounts.csv", params={"creditor": "Brightwater Energy"}, headers=AUTH)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert "balance (0.00)" in rows[0] and "oldest_due_on (YYYY-MM-DD)" in rows[0]
    assert [r[0] for r in rows[1:]] == ["E-1"]
    # A name a spreadsheet would run as a formula stays text.
    assert rows[1][rows[0].index("debtor_name")] == "'=HYPERLINK(evil)"
    for kind in ("contacts", "outcomes", "ledger"):
        exported = client.get(f"/api/v1/exports/{kind}.csv", headers=AUTH)
        assert exported.status_code == 200, (kind, exported.text)
        assert list(csv.reader(io.StringIO(exported.text)))[0][0] == "reference"
    ledger = list(csv.DictReader(io.StringIO(client.get("/api/v1/exports/ledger.csv", headers=AUTH).text)))
    assert {(r["reference"], r["kind"], r["amount (0.00)"]) for r in ledger} == {
        ("E-1", "invoice", "120.50"),
        ("E-2", "invoice", "120.50"),
    }


def test_a_creditors_key_sees_its_own_files_only(client, settings):
    _load(client, "B-1", "Brightwater Energy", "Ann")
    _load(client, "P-1", "Polder Telecom", "Bob")
    own = _key(settings, "Brightwater Energy")
    listed = client.get("/api/v1/accounts", headers=own).json()
    assert [i["reference"] for i in listed["items"]] == ["B-1"] and listed["total"] == 1
    assert client.get("/api/v1/accounts", params={"creditor": "Polder Telecom"}, headers=own).json()["total"] == 0
    for path in ("/api/v1/accounts/P-1", "/api/v1/accounts/P-1/ledger", "/api/v1/accounts?reference=P-1"):
        assert client.get(path, headers=own).status_code == 404, path
    assert client.patch("/api/v1/accounts/P-1", json={"debtor": {"name": "X"}}, headers=own).status_code == 404
    other = account_body("P-2")
    other["creditor"] = "Polder Telecom"
    assert client.post("/api/v1/accounts", json=other, headers=own).status_code == 403
    taken = account_body("P-1")
    assert client.post("/api/v1/accounts", json=taken, headers=own).status_code == 409
    assert client.get("/api/v1/accounts/P-1", headers=AUTH).json()["debtor"]["name"] == "Bob"
    exported = client.get("/api/v1/exports/accounts.csv", headers=own).text
    assert "B-1" in exported and "P-1" not in exported
    # Routes over every creditor's data need the agency's key.
    assert client.get("/api/v1/outreach/plan", headers=own).status_code == 403
    assert client.get("/api/v1/accounts", headers={"Authorization": "Bearer amk_wrong"}).status_code == 401


def test_a_revoked_key_stops_at_once(client, settings):
    _load(client, "B-1", "Brightwater Energy", "Ann")
    own = _key(settings, "Brightwater Energy")
    prefix = own["Authorization"].split()[1][:10]
    revoked = CliRunner().invoke(cli, ["apikey-revoke", prefix], env={"DATABASE_URL": settings.database_url})
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/accounts", headers=own).status_code == 401


def test_a_key_for_an_unknown_creditor_is_not_made(settings):
    made = CliRunner().invoke(
        cli, ["apikey-add", "--creditor", "Nobody Ltd"], env={"DATABASE_URL": settings.database_url}
    )
    assert made.exit_code == 1 and "no creditor named" in made.output
