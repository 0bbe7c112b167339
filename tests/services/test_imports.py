"""Bulk import of accounts from CSV, one row per invoice: each row applied on its own, a bad
row reported with its reason while the others land."""

from __future__ import annotations

from decimal import Decimal

import pytest

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
