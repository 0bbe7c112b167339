"""Bulk import of accounts from CSV, one row per invoice.

Each row is applied on its own (a savepoint), so one bad row is reported with its reason
and the others still land. Columns (header names, any order):

    reference, creditor, name, language, phone, email, timezone, country,
    date_of_birth, postcode, invoice_number, amount, currency, issued_on, due_on
"""

from __future__ import annotations

import csv
import io

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

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
    """Counts are of CSV rows (one row per invoice); `errors` explains each rejected row."""

    rows: int
    created: int
    updated: int
    rejected: int
    accounts_created: int
    accounts_updated: int
    errors: list[ImportRowError]


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"] if p not in ("invoices", 0))
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(parts)


def import_csv(session: Session, text: str) -> ImportReport:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ServiceError("the file is empty", 400)
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in reader.fieldnames]
    missing = REQUIRED - set(header)
    if missing:
        raise ServiceError(f"missing columns: {', '.join(sorted(missing))}", 400)
    reader.fieldnames = header
    created = updated = rows = 0
    accounts_created: set[str] = set()
    accounts_updated: set[str] = set()
    errors: list[ImportRowError] = []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        rows += 1
        reference = (row.get("reference") or "").strip() or None
        if None in row:
            errors.append(ImportRowError(row=number, reference=reference, reason="more cells than columns"))
            continue
        cells = {k: v.strip() for k, v in row.items() if isinstance(v, str) and v.strip() != ""}
        debtor = {k: cells[k] for k in DEBTOR_FIELDS if k in cells}
        invoice = {
            "number": cells.get("invoice_number"),
            "amount": cells.get("amount"),
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
        rows=rows,
        created=created,
        updated=updated,
        rejected=len(errors),
        accounts_created=len(accounts_created),
        accounts_updated=len(accounts_updated),
        errors=errors,
    )
