"""Bank transfers: structured references on every account, statements (CAMT.053 or CSV)
matched by them, partial and overpayments booked right, the rest listed for a person."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Template
from stdnum import iso11649
from stdnum.be import ogm_vcs

from amicable.services import references
from tests.conftest import AUTH
from tests.factories import account_body

CAMT = (Path(__file__).resolve().parent.parent / "fixtures" / "statements" / "camt053.xml.j2").read_text()
URL = "/api/v1/bank-statements"


def _accounts(client):
    """A Belgian debtor (structured communication) and a Dutch one (RF reference)."""
    client.post("/api/v1/accounts", json=account_body("BE-1"), headers=AUTH)
    client.post("/api/v1/accounts", json=account_body("NL-1", country="NL", language="nl"), headers=AUTH)
    be = client.get("/api/v1/accounts/BE-1", headers=AUTH).json()
    nl = client.get("/api/v1/accounts/NL-1", headers=AUTH).json()
    return be, nl


def _state(client, reference):
    return client.get(f"/api/v1/accounts/{reference}", headers=AUTH).json()


@pytest.mark.parametrize("number", [1, 97, 96, 9_999_999_999, 1234])
def test_references_carry_valid_check_digits(number):
    structured = references.ogm(number)
    assert structured.startswith("+++") and ogm_vcs.is_valid(structured.strip("+"))
    assert iso11649.is_valid(references.rf(number))
    assert references.find(f"paid {references.display(references.rf(number))} ok") == [references.rf(number)]
    assert references.find(structured.replace("+++", "***")) == [structured]


def test_numbers_that_only_look_like_references_are_not_taken():
    assert references.find("invoice 123/4567/89012, call 0475 55 66 77") == []
    assert references.find("RF18 5390 0754 7035") == []


def test_every_account_gets_its_reference_by_country(client):
    be, nl = _accounts(client)
    assert ogm_vcs.is_valid(be["payment_reference"].strip("+"))
    assert iso11649.is_valid(nl["payment_reference"])


def test_a_camt053_statement_is_matched_by_reference(client):
    be, nl = _accounts(client)
    xml = Template(CAMT).render(
        ogm_digits=ogm_vcs.compact(be["payment_reference"].strip("+")),
        rf_spaced=references.display(nl["payment_reference"]),
    )
    response = client.post(URL, content=xml.encode(), headers={**AUTH, "Content-Type": "application/xml"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["lines"], report["matched"], report["overpaid"], report["unmatched"]) == (3, 1, 1, 1)
    assert report["debits_skipped"] == 1
    # Partial payment: 50.00 off the Belgian debtor's 120.50, oldest invoice first.
    assert _state(client, "BE-1")["balance"] == "70.50"
    assert [i["amount_due"] for i in _state(client, "BE-1")["invoices"]] == ["34.20", "36.30"]
    # Overpayment: the Dutch debtor owed 120.50 and sent 150.00.
    nl_state = _state(client, "NL-1")
    assert nl_state["balance"] == "0.00"
    assert any("29.50 more than owed" in c["detail"] for c in nl_state["contact_log"])
    [line] = client.get(f"{URL}/unmatched", headers=AUTH).json()
    assert (line["amount"], line["counterparty"], line["reason"]) == (
        "75.00",
        "UNKNOWN PAYER",
        "no known structured reference",
    )
    # The same statement again books nothing.
    again = client.post(URL, content=xml.encode(), headers={**AUTH, "Content-Type": "application/xml"}).json()
    assert again["duplicates"] == 3 and again["matched"] == 0
    assert _state(client, "BE-1")["balance"] == "70.50"


def test_a_csv_statement_with_decimal_commas_is_matched(client):
    be, nl = _accounts(client)
    csv_text = (
        "Datum;Bedrag;Valuta;Mededeling;Naam\n"
        f"22/11/2026;20,50;EUR;{be['payment_reference']};S Peeters\n"
        f"22/11/2026;1.000,00;USD;{nl['payment_reference']};wrong currency\n"
        "22/11/2026;-5,00;EUR;bank costs;bank\n"
    )
    report = client.post(URL, files={"file": ("stmt.csv", csv_text.encode(), "text/csv")}, headers=AUTH).json()
    assert (report["matched"], report["unmatched"], report["debits_skipped"]) == (1, 1, 1)
    assert "USD transfer for an account in EUR" in report["results"][1]["reason"]
    assert _state(client, "BE-1")["balance"] == "100.00"
    assert _state(client, "NL-1")["balance"] == "120.50"


@pytest.mark.parametrize(
    "body, message",
    [
        (b"<Document><Nope/></Document>", "CAMT.053"),
        (b"<Document><BkToCstmrStmt>", "not readable XML"),
        (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>', "not readable XML"),
        (b"Date;Amount\n22/11/2026;12,00\n", "reference"),
        (b"amount,reference\nabc,+++000/0000/00101+++\n", "line 2"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_a_statement_that_cannot_be_read_is_refused_whole(client, body, message):
    _accounts(client)
    response = client.post(URL, content=body, headers=AUTH)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert client.get(f"{URL}/unmatched", headers=AUTH).json() == []


def test_the_pay_page_offers_a_transfer_with_the_reference_in_the_debtors_language(client):
    client.post("/api/v1/accounts", json=account_body("FR-1", language="fr"), headers=AUTH)
    state = _state(client, "FR-1")
    link = client.post("/api/v1/accounts/FR-1/payment-links", json={}, headers=AUTH).json()
    page = client.get(f"/pay/{link['id']}").text
    assert 'lang="fr"' in page and "Paiement à Brightwater Energy" in page
    assert "120,50" in page and "BE68 5390 0754 7034" in page
    assert state["payment_reference"] in page and "Brightwater Energy SA" in page
