"""Bank statements: credit lines matched to files only by a structured reference with the
right check digits, booked as payments once, the rest left for a person."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amicable.services import ServiceError, statements
from amicable.services.accounts import balance

HEADER = "date;amount;currency;communication;name;transaction_id\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def test_lines_are_matched_by_structured_reference_and_booked(session, config, load):
    account = load()  # +++000/0000/00101+++
    other = load("ACC-2002")  # +++000/0000/00202+++
    raw = csv(
        "2027-01-04;50,00;EUR;+++000/0000/00101+++;Sam Peeters;T1",
        "2027-01-04;1.000,00;EUR;000/0000/00202 thanks;Other;T2",
        "04/01/2027;12.00;EUR;invoice INV-1 Sam Peeters;Sam;T3",
        "2027-01-04;-20,00;EUR;bank fee;Bank;T4",
    )
    result = statements.import_statement(session, config, raw)
    assert (result.lines, result.matched, result.overpaid, result.unmatched, result.debits_skipped) == (3, 1, 1, 1, 1)
    assert balance(account) == Decimal("70.50")  # 120.50 - 50.00
    assert balance(other) == Decimal("0.00")
    assert result.results[1]["reason"] == "879.50 EUR more than owed: refund it"  # 1000.00 - 120.50
    assert result.results[2] == {
        "amount": "12.00",
        "currency": "EUR",
        "remittance": "invoice INV-1 Sam Peeters",
        "status": "unmatched",
        "account_reference": None,
        "reason": "no known structured reference",
    }
    assert [line.remittance for line in statements.unmatched_lines(session)] == ["invoice INV-1 Sam Peeters"]


def test_a_statement_imported_twice_books_nothing_twice(session, config, load):
    account = load()
    raw = csv("2027-01-04;10.00;EUR;+++000/0000/00101+++;Sam;T1", "2027-01-04;10.00;EUR;+++000/0000/00101+++;Sam;")
    first = statements.import_statement(session, config, raw)
    again = statements.import_statement(session, config, raw)
    assert (first.matched, again.matched, again.duplicates) == (2, 0, 2)
    assert balance(account) == Decimal("100.50")


def test_a_reference_with_wrong_check_digits_or_of_no_file_is_left_for_a_person(session, config, load):
    load()
    result = statements.import_statement(
        session,
        config,
        csv("2027-01-04;10.00;EUR;+++000/0000/00102+++;Sam;T1", "2027-01-04;10.00;EUR;+++000/0000/00303+++;X;T2"),
    )
    assert [r["reason"] for r in result.results] == [
        "no known structured reference",
        "no account has +++000/0000/00303+++",
    ]


def test_a_transfer_in_another_currency_is_not_booked(session, config, load):
    account = load()
    result = statements.import_statement(session, config, csv("2027-01-04;10.00;GBP;+++000/0000/00101+++;Sam;T1"))
    assert result.results[0]["reason"] == "GBP transfer for an account in EUR"
    assert balance(account) == Decimal("120.50")


@pytest.mark.parametrize(
    ("amount", "read"),
    [("1.234,56", "1234.56"), ("1 234,56", "1234.56"), ("1,234.56", "1234.56"), ("12", "12.00"), ("0,5", "0.50")],
)
def test_csv_amounts_take_the_last_separator_as_the_decimal_one(amount, read):
    (line,), _ = statements.parse(csv(f"2027-01-04;{amount};EUR;x;y;T1"))
    assert line.amount == Decimal(read)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1,000", "more than 2 decimals"),
        ("1e3", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("100000000", "more than a transfer"),
    ],
)
def test_a_doubtful_amount_refuses_the_whole_file_naming_its_line(session, config, load, amount, message):
    account = load()
    raw = csv("2027-01-04;10.00;EUR;+++000/0000/00101+++;Sam;T1", f"2027-01-04;{amount};EUR;x;y;T2")
    with pytest.raises(ServiceError, match=f"line 3: .*{message}"):
        statements.import_statement(session, config, raw)
    assert balance(account) == Decimal("120.50")


def test_a_camt_053_credit_is_matched_by_its_structured_reference(session, config, load):
    account = load()
    raw = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">20.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2027-01-04</Dt></BookgDt>
<AcctSvcrRef>BANK-1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Strd><CdtrRefInf><Ref>000000000101</Ref>
</CdtrRefInf></Strd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
    result = statements.import_statement(session, config, raw)
    assert (result.matched, result.debits_skipped) == (1, 1)
    assert balance(account) == Decimal("100.00")
    assert account.payments[0].provider_reference == "BANK-1"
