"""`POST /api/v1/imports` reads what Excel writes in Belgium, France and the Netherlands (`;`
between cells, a decimal comma, `1.234,56`, often a UTF-8 BOM and CRLF line ends), detects it
without being told, and says what it read. Comma-separated files keep working. The tests share
one database per run of the module; each imports accounts of its own (references tagged with
the test's letter)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import readback
from tests.conftest import AUTH

TODAY = date.today()
ISSUED = (TODAY - timedelta(days=50)).isoformat()
DUE = (TODAY - timedelta(days=20)).isoformat()
LATER = (TODAY + timedelta(days=10)).isoformat()

HEADER = [
    "reference",
    "creditor",
    "name",
    "language",
    "phone",
    "email",
    "timezone",
    "country",
    "date_of_birth",
    "postcode",
    "invoice_number",
    "amount",
    "currency",
    "issued_on",
    "due_on",
]

# (reference, creditor, name, language, phone, email, timezone, country, born, postcode, invoice, amount, due)
EXCEL_ROWS = [
    ("FAC/2025/00777", "Maison Lumière SA", "François Lefèvre", "fr", "+32485998877", "francois.lefevre@skynet.be",
     "Europe/Brussels", "BE", "1979-11-02", "4000", "F-0777-1", "1.234,56", DUE),
    ("FAC/2025/00777", "Maison Lumière SA", "François Lefèvre", "fr", "+32485998877", "francois.lefevre@skynet.be",
     "Europe/Brussels", "BE", "1979-11-02", "4000", "F-0777-2", "15,04", LATER),
    ("PT/BE/0555", "Polder Telecom", "Dupont; Marie", "fr", "+32478001122", "marie.dupont@voo.be",
     "Europe/Brussels", "BE", "1990-02-28", "1050", "F-0555-1", "84,20", DUE),
    ("NL-88-1203", "Polder Telecom", "Zoë van Dijk", "nl", "+31612340000", "Zoe.vanDijk@KPNmail.nl",
     "Europe/Amsterdam", "NL", "1968-07-14", "1011 AB", "F-1203-1", "12.345,67", DUE),
    ("NL-88-1204", "Polder Telecom", "Sem Bakker", "nl", "+31612340001", "sem.bakker@ziggo.nl",
     "Europe/Amsterdam", "NL", "2001-01-01", "3011 AA", "F-1204-1", "0,99", DUE),
    ("NL-88-1205", "Polder Telecom", "Lieke Jansen", "nl", "+31612340002", "lieke.jansen@ziggo.nl",
     "Europe/Amsterdam", "NL", "1995-05-05", "9711 AA", "F-1205-1", "250", DUE),
]  # fmt: skip
EXPECTED = {
    "FAC/2025/00777": Decimal("1249.60"),
    "PT/BE/0555": Decimal("84.20"),
    "NL-88-1203": Decimal("12345.67"),
    "NL-88-1204": Decimal("0.99"),
    "NL-88-1205": Decimal("250.00"),
}


def _cell(value: str, separator: str) -> str:
    if separator in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def excel_file(tag: str, separator: str = ";", bom: bool = True, newline: str = "\r\n", rows=EXCEL_ROWS) -> bytes:  # type: ignore[no-untyped-def]
    lines = [separator.join(HEADER)]
    for row in rows:
        reference, *debtor, invoice, amount, due = row
        values = [f"{reference}-{tag}", *debtor, invoice, amount, "EUR", ISSUED, due]
        lines.append(separator.join(_cell(value, separator) for value in values))
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def comma_file(tag: str, bom: bool = False) -> bytes:
    """The same accounts as a comma-separated file with decimal points."""
    rows = [(*row[:11], row[11].replace(".", "").replace(",", "."), row[12]) for row in EXCEL_ROWS]
    return excel_file(tag, ",", bom=bom, newline="\n", rows=rows)


def post_csv(client: TestClient, content: bytes, multipart: bool = True) -> dict:
    if multipart:
        response = client.post("/api/v1/imports", files={"file": ("comptes.csv", content, "text/csv")}, headers=AUTH)
    else:
        response = client.post("/api/v1/imports", content=content, headers={**AUTH, "content-type": "text/csv"})
    assert response.status_code == 200, response.text
    return response.json()


def format_mentions(report: dict) -> dict:
    """Whatever the report says about the format it read: the values of every key (at any
    depth) whose name speaks of a delimiter, separator, dialect or format."""
    found = {}

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if any(word in key.lower() for word in ("delim", "separator", "dialect", "format", "decimal")):
                    found[key] = value
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(report)
    return found


def assert_amounts_read_right(client: TestClient, tag: str) -> None:
    for reference, balance in EXPECTED.items():
        state = readback(client, f"{reference}-{tag}")
        assert Decimal(state["balance"]) == balance, (reference, state["balance"])
    invoices = {
        invoice["number"]: invoice["amount"] for invoice in readback(client, f"FAC/2025/00777-{tag}")["invoices"]
    }
    assert invoices == {"F-0777-1": "1234.56", "F-0777-2": "15.04"}


@pytest.mark.parametrize(("multipart", "tag"), [(True, "A"), (False, "B")], ids=["multipart", "text-csv-body"])
def test_a_semicolon_file_with_decimal_commas_and_a_bom(rw_api: TestClient, multipart: bool, tag: str) -> None:
    report = post_csv(rw_api, excel_file(tag), multipart=multipart)
    assert report["rejected"] == 0, report["errors"]
    assert report["rows"] == 6
    assert report["accounts_created"] == 5
    assert_amounts_read_right(rw_api, tag)
    # Cells read whole: the quoted "Dupont; Marie" and the BOM before the first header.
    assert readback(rw_api, f"PT/BE/0555-{tag}")["debtor"]["name"] == "Dupont; Marie"
    assert readback(rw_api, f"NL-88-1203-{tag}")["debtor"]["name"] == "Zoë van Dijk"


def test_the_report_says_which_format_it_read(rw_api: TestClient) -> None:
    semicolon = post_csv(rw_api, excel_file("C"))
    comma = post_csv(rw_api, comma_file("D"))
    said_semicolon, said_comma = format_mentions(semicolon), format_mentions(comma)
    assert said_semicolon, f"the report does not say what it read: {semicolon}"
    assert said_comma, f"the report does not say what it read: {comma}"
    text = json.dumps(said_semicolon, ensure_ascii=False).lower()
    assert ";" in text or "semicolon" in text or ("decimal" in text and "comma" in text), said_semicolon
    assert said_semicolon != said_comma, "both files reported alike"


def test_a_comma_file_still_works(rw_api: TestClient) -> None:
    report = post_csv(rw_api, comma_file("E"))
    assert report["rejected"] == 0, report["errors"]
    assert report["rows"] == 6 and report["accounts_created"] == 5
    assert_amounts_read_right(rw_api, "E")
    assert readback(rw_api, "PT/BE/0555-E")["debtor"]["name"] == "Dupont; Marie"


def test_a_comma_file_with_a_bom_still_works(rw_api: TestClient) -> None:
    report = post_csv(rw_api, comma_file("F", bom=True), multipart=False)
    assert report["rejected"] == 0, report["errors"]
    assert_amounts_read_right(rw_api, "F")


def test_a_semicolon_file_without_bom_with_unix_line_ends(rw_api: TestClient) -> None:
    report = post_csv(rw_api, excel_file("G", bom=False, newline="\n"))
    assert report["rejected"] == 0, report["errors"]
    assert_amounts_read_right(rw_api, "G")


def test_a_semicolon_file_with_a_bad_row_reports_it_and_keeps_the_others(rw_api: TestClient) -> None:
    rows = [
        *EXCEL_ROWS[2:4],
        ("NL-88-1299", "Polder Telecom", "Kees Smit", "nl", "+31612340099", "kees@example.nl",
         "Europe/Amsterdam", "NL", "1970-01-01", "1011 AB", "F-1299-1", "twaalf euro", DUE),
    ]  # fmt: skip
    report = post_csv(rw_api, excel_file("H", rows=rows))
    assert report["rows"] == 3 and report["rejected"] == 1
    assert [error["reference"] for error in report["errors"]] == ["NL-88-1299-H"]
    assert readback(rw_api, "NL-88-1203-H")["balance"] == "12345.67"
    assert rw_api.get("/api/v1/accounts", params={"reference": "NL-88-1299-H"}, headers=AUTH).status_code == 404


def test_importing_the_same_semicolon_file_twice_changes_nothing(rw_api: TestClient) -> None:
    post_csv(rw_api, excel_file("I"))
    again = post_csv(rw_api, excel_file("I"))
    assert again["rejected"] == 0 and again["accounts_created"] == 0
    assert_amounts_read_right(rw_api, "I")
