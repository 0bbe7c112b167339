"""Bulk import of accounts from CSV, one row per invoice.

Each row is applied on its own (a savepoint), so one bad row is reported with its reason
and the others still land. Columns (header names, any order):

    reference, creditor, name, language, phone, email, timezone, country,
    date_of_birth, postcode, invoice_number, amount, currency, issued_on, due_on

Spreadsheets in Belgium, France and the Netherlands save CSV with `;` between cells, decimal
commas (`1.234,56`) and day-first dates (`31/12/2025`). The separator is read from the header
line and the decimal mark from the amounts, never configured, and the report says which were
read, so an operator can see at once if a file was taken the wrong way.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Creditor
from amicable.services import ServiceError
from amicable.services.accounts import upsert_account
from amicable.services.shapes import AccountIn

DEBTOR_FIELDS = ("name", "language", "phone", "email", "timezone", "country", "date_of_birth", "postcode")
REQUIRED = {"reference", "creditor", "name", "invoice_number", "amount", "issued_on", "due_on"}
ALIASES = {"number": "invoice_number", "invoice": "invoice_number", "debtor_name": "name", "dob": "date_of_birth"}


class ImportRowError(BaseModel):
    row: int
    reference: str | None
    reason: str


class ImportReport(BaseModel):
    """Counts are of CSV rows (one row per invoice); `errors` explains each rejected row.
    `delimiter` and `decimal_separator` are what the file was read with."""

    delimiter: str = ","
    decimal_separator: str = "."
    rows: int
    created: int
    updated: int
    rejected: int
    accounts_created: int
    accounts_updated: int
    errors: list[ImportRowError]


_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}


def _in_scope(session: Session, data: AccountIn, creditor: str) -> None:
    if data.creditor != creditor:
        raise ServiceError(f"this key imports {creditor}'s files only")
    holder = session.scalar(select(Creditor.name).join(Account).where(Account.reference == data.reference))
    if holder is not None and holder != creditor:
        raise ServiceError(f"the reference {data.reference!r} cannot be used; choose another")


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"] if p not in ("invoices", 0))
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(parts)


DELIMITERS = (",", ";", "\t", "|")
# 1.234,56  1 234,56  1234,5  (a decimal comma, perhaps with thousands grouped by . or a space)
DECIMAL_COMMA = re.compile(r"^\d{1,3}(?:[.\s\u00a0\u202f]\d{3})*,\d{1,2}$|^\d+,\d{1,2}$")
GROUPED = re.compile(r"^\d{1,3}(?:[.\s\u00a0\u202f]\d{3})+(?:,\d{1,2})?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _delimiter(header_line: str) -> str:
    """The separator of the header line: the candidate that splits it into the most cells
    (cell names hold none of them)."""
    counts = {candidate: header_line.count(candidate) for candidate in DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _decimal_separator(amounts: list[str]) -> str:
    """ "," when amounts are written with a decimal comma (any one of them shows it: "12,50"),
    else "."."""
    return "," if any(DECIMAL_COMMA.match(a.strip()) for a in amounts if a) else "."


def _amount(cell: str, separator: str) -> str:
    """The amount as a decimal string with a point, as the shapes take it."""
    cell = cell.strip()
    if separator == "," and (DECIMAL_COMMA.match(cell) or GROUPED.match(cell)):
        return re.sub(r"[.\s\u00a0\u202f]", "", cell).replace(",", ".")
    return cell


def _date(cell: str) -> str:
    """ISO dates as they are; 31/12/2025, 31-12-2025 and 31.12.2025 read day first (as every
    spreadsheet in the countries served writes them)."""
    found = DAY_FIRST.match(cell.strip())
    if not found:
        return cell
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return cell  # refused by the shape with its own message


def import_csv(session: Session, text: str, creditor: str | None = None) -> ImportReport:
    """Applies each row; with `creditor` (a creditor's API key), rows for any other creditor,
    or for a reference another creditor holds, are refused."""
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise ServiceError("the file is empty", 400)
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames]
    missing = REQUIRED - set(header)
    if missing:
        raise ServiceError(
            f"missing columns: {', '.join(sorted(missing))} (read with {_NAMES[delimiter]} between cells)", 400
        )
    reader.fieldnames = header
    records = list(reader)
    separator = _decimal_separator([row.get("amount") or "" for row in records])
    created = updated = rows = 0
    accounts_created: set[str] = set()
    accounts_updated: set[str] = set()
    errors: list[ImportRowError] = []
    for number, row in enumerate(records, start=2):  # row 1 is the header
        rows += 1
        reference = (row.get("reference") or "").strip() or None
        if None in row:
            errors.append(ImportRowError(row=number, reference=reference, reason="more cells than columns"))
            continue
        cells = {k: v.strip() for k, v in row.items() if isinstance(v, str) and v.strip() != ""}
        debtor = {k: cells[k] for k in DEBTOR_FIELDS if k in cells}
        for key in ("issued_on", "due_on", "date_of_birth"):
            if key in cells:
                cells[key] = _date(cells[key])
        if "date_of_birth" in debtor:
            debtor["date_of_birth"] = cells["date_of_birth"]
        invoice = {
            "number": cells.get("invoice_number"),
            "amount": _amount(cells["amount"], separator) if "amount" in cells else None,
            "issued_on": cells.get("issued_on"),
            "due_on": cells.get("due_on"),
        }
        if "currency" in cells:
            invoice["currency"] = cells["currency"]
        try:
            data = AccountIn.model_validate(
                {
                    "reference": cells.get("reference"),
                    "creditor": cells.get("creditor"),
                    "debtor": debtor,
                    "invoices": [invoice],
                }
            )
            if creditor is not None:
                _in_scope(session, data, creditor)
            with session.begin_nested():
                account, was_created, outcome = upsert_account(session, data)
        except ValidationError as error:
            errors.append(ImportRowError(row=number, reference=reference, reason=_explain(error)))
            continue
        except ServiceError as error:
            errors.append(ImportRowError(row=number, reference=reference, reason=error.message))
            continue
        if was_created and account.reference not in accounts_updated:
            accounts_created.add(account.reference)
        elif account.reference not in accounts_created:
            accounts_updated.add(account.reference)
        if outcome[data.invoices[0].number]:
            created += 1
        else:
            updated += 1
    return ImportReport(
        delimiter=delimiter,
        decimal_separator=separator,
        rows=rows,
        created=created,
        updated=updated,
        rejected=len(errors),
        accounts_created=len(accounts_created),
        accounts_updated=len(accounts_updated),
        errors=errors,
    )
