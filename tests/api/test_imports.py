"""CSV import: one row per invoice; bad rows are reported with their reason, good ones land."""

from __future__ import annotations

from tests.conftest import AUTH

HEADER = "reference,creditor,name,language,phone,email,timezone,country,date_of_birth,postcode,invoice_number,amount,currency,issued_on,due_on\n"


def test_import_reports_created_updated_and_rejected_rows(client):
    csv = HEADER + (
        "IMP-1,Brightwater Energy,Ann Smith,en,+447700900123,ann@example.com,Europe/London,GB,1970-01-02,SW1A 1AA,A-1,100.00,GBP,2026-09-01,2026-10-01\n"
        "IMP-1,Brightwater Energy,Ann Smith,en,+447700900123,ann@example.com,Europe/London,GB,1970-01-02,SW1A 1AA,A-2,50.50,GBP,2026-10-01,2026-11-01\n"
        "IMP-2,Brightwater Energy,Luc Martin,fr,,,Europe/Paris,FR,1980-05-06,75001,B-1,-3.00,EUR,2026-10-01,2026-11-01\n"
        "IMP-3,Brightwater Energy,Eva Jansen,nl,,,Europe/Amsterdam,NL,1990-02-31,1012AB,C-1,20.00,EUR,2026-10-01,2026-11-01\n"
        "IMP-4,Brightwater Energy,Tom Dubois,fr,,,Europe/Brussels,BE,1975-07-08,1000,D-1,80.00,EUR,2026-10-01,2026-11-01,extra\n"
    )
    response = client.post("/api/v1/imports", content=csv.encode(), headers={**AUTH, "content-type": "text/csv"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["updated"], report["rejected"]) == (5, 2, 0, 3)
    assert report["accounts_created"] == 1
    reasons = {e["reference"]: e["reason"] for e in report["errors"]}
    assert "greater than zero" in reasons["IMP-2"]
    assert "date_of_birth" in reasons["IMP-3"]
    assert "more cells" in reasons["IMP-4"]
    assert [e["row"] for e in report["errors"]] == [4, 5, 6]
    assert client.get("/api/v1/accounts/IMP-1", headers=AUTH).json()["balance"] == "150.50"
    assert client.get("/api/v1/accounts/IMP-2", headers=AUTH).status_code == 404

    again = client.post(
        "/api/v1/imports", files={"file": ("accounts.csv", csv.encode(), "text/csv")}, headers=AUTH
    ).json()
    assert (again["created"], again["updated"], again["accounts_updated"]) == (0, 2, 1)


def test_import_without_required_columns_or_content_is_400(client):
    response = client.post(
        "/api/v1/imports", content=b"reference,amount\nX,1\n", headers={**AUTH, "content-type": "text/csv"}
    )
    assert response.status_code == 400
    assert "missing columns" in response.json()["detail"]
    assert client.post("/api/v1/imports", content=b"", headers={**AUTH, "content-type": "text/csv"}).status_code == 400
    latin1 = (HEADER + "X-1,Crédit,Zoë,fr,,,Europe/Paris,FR,,,1,1.00,EUR,2026-01-01,2026-02-01\n").encode("latin-1")
    assert (
        client.post("/api/v1/imports", content=latin1, headers={**AUTH, "content-type": "text/csv"}).status_code == 400
    )
