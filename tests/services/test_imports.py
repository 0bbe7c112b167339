"""Bulk import of accounts from CSV, one row per invoice: each row applied on its own, a bad
row reported with its reason while the others land."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from amicable.db.models import Account
from amicable.services import ServiceError
from amicable.services.accounts import balance, get_account
from amicable.services.imports import import_csv

HEADER = "reference,creditor,name,country,dob,postcode,number,amount,currency,issued_on,due_on\n"


def test_rows_build_accounts_and_a_bad_row_is_reported_alone(session):
    text = HEADER + (
        "R-1,Brightwater Energy,Ann,BE,1980-01-02,1000,I-1,10.00,EUR,2026-01-01,2026-02-01\n"
        "R-1,Brightwater Energy,Ann,BE,1980-01-02,1000,I-2,5.50,EUR,2026-01-01,2026-03-01\n"
        "R-2,Brightwater Energy,Bob,BE,,,I-1,12.345,EUR,2026-01-01,2026-02-01\n"
        "R-3,Brightwater Energy,Cy,BE,,,I-1,7.00,USD,2026-01-01,2026-02-01\n"
        "R-1,Brightwater Energy,Ann,BE,1980-01-02,1000,I-1,12.00,EUR,2026-01-01,2026-02-01\n"
        "R-1,Brightwater Energy,Ann,BE,1980-01-02,1000,I-3,1.00,USD,2026-01-01,2026-02-01\n"
    )
    report = import_csv(session, text)
    assert (report.rows, report.created, report.updated, report.rejected) == (6, 3, 1, 2)
    assert (report.accounts_created, report.accounts_updated) == (2, 0)
    assert [(e.row, e.reference) for e in report.errors] == [(4, "R-2"), (7, "R-1")]
    assert "two decimal places" in report.errors[0].reason
    assert report.errors[1].reason == "account R-1 is in EUR; invoices must be too"
    account = get_account(session, "R-1")
    session.refresh(account)
    assert balance(account) == Decimal("17.50")  # I-1 raised to 12.00, plus I-2 5.50
    assert account.debtor.date_of_birth.isoformat() == "1980-01-02"
    assert get_account(session, "R-3").currency == "USD"


def test_a_file_without_the_required_columns_is_refused_whole(session):
    with pytest.raises(ServiceError, match="missing columns: amount, due_on") as refused:
        import_csv(session, "reference,creditor,name,invoice_number,issued_on\nR-1,C,N,I,2026-01-01\n")
    assert refused.value.status_code == 400
    with pytest.raises(ServiceError, match="empty"):
        import_csv(session, "")


def test_a_row_with_more_cells_than_columns_is_rejected(session):
    report = import_csv(session, HEADER + "R-1,C,Ann,BE,,,I-1,10.00,EUR,2026-01-01,2026-02-01,extra\n")
    assert (report.rejected, report.errors[0].reason) == (1, "more cells than columns")


SEMICOLONS = (
    "\ufeffreference;creditor;name;amount;invoice_number;issued_on;due_on;country\n"
    "BE-7781;Brightwater Energy;Zoë Vandenbroucke;1.234,56;F-1;01/10/2026;31/10/2026;BE\n"
    "BE-7782;Brightwater Energy;François Lefèvre;89,9;F-2;2026-10-01;2026-10-31;BE\n"
    'BE-7783;Brightwater Energy;"Jan; de Vries";1 250,00;F-3;01.10.2026;15.11.2026;NL\n'
)


def test_a_semicolon_file_with_decimal_commas_is_read_and_says_so(session):
    report = import_csv(session, SEMICOLONS.removeprefix("\ufeff"))
    assert (report.delimiter, report.decimal_separator) == (";", ",")
    assert report.rejected == 0, report.errors
    amounts = {
        a.reference: (a.invoices[0].amount, a.invoices[0].due_on, a.debtor.name)
        for a in session.scalars(select(Account))
    }
    assert amounts["BE-7781"] == (Decimal("1234.56"), date(2026, 10, 31), "Zoë Vandenbroucke")
    assert amounts["BE-7782"][0] == Decimal("89.90")
    assert amounts["BE-7783"] == (Decimal("1250.00"), date(2026, 11, 15), "Jan; de Vries")


def test_a_comma_file_keeps_decimal_points(session):
    text = "reference,creditor,name,amount,invoice_number,issued_on,due_on\nR-9,Acme,Ann,1234.50,F-9,2026-10-01,2026-10-31\n"
    report = import_csv(session, text)
    assert (report.delimiter, report.decimal_separator, report.rejected) == (",", ".", 0)
    assert session.scalar(select(Account)).invoices[0].amount == Decimal("1234.50")


def test_an_ambiguous_amount_is_refused_not_guessed(session):
    # With decimal points, "1.234" has three decimals: an error, not 1234 or 1.23.
    text = (
        "reference,creditor,name,amount,invoice_number,issued_on,due_on\nR-9,Acme,Ann,1.234,F-9,2026-10-01,2026-10-31\n"
    )
    report = import_csv(session, text)
    assert report.rejected == 1 and "two decimal places" in report.errors[0].reason


def test_a_creditor_key_imports_its_own_files_only(session):
    import_csv(
        session,
        "reference,creditor,name,amount,invoice_number,issued_on,due_on\nR-1,Other,Ann,10,F,2026-10-01,2026-10-31\n",
    )
    text = (
        "reference,creditor,name,amount,invoice_number,issued_on,due_on\n"
        "R-1,Acme,Bob,10,F,2026-10-01,2026-10-31\n"  # another creditor's reference
        "R-2,Other,Bob,10,F,2026-10-01,2026-10-31\n"  # another creditor
        "R-3,Acme,Bob,10,F,2026-10-01,2026-10-31\n"
    )
    report = import_csv(session, text, creditor="Acme")
    assert [e.row for e in report.errors] == [2, 3]
    assert report.accounts_created == 1
    assert session.scalar(select(Account).where(Account.reference == "R-1")).debtor.name == "Ann"
