"""Bank statements: import CAMT.053 or CSV, and the lines a person still has to place."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from amicable.services import statements
from api.deps import ApiKey, SessionDep, SettingsDep, uploaded_file

router = APIRouter(prefix="/api/v1/bank-statements", tags=["bank statements"], dependencies=[ApiKey])


@router.post("")
async def import_statement(request: Request, session: SessionDep, settings: SettingsDep) -> dict:
    """Send `multipart/form-data` with a `file` field, or the file itself (XML or CSV).

    Each credit line is matched by its structured reference; the answer says what became of
    every line. Importing the same statement again books nothing twice."""
    raw = await uploaded_file(request, "statement")
    result = await run_in_threadpool(statements.import_statement, session, settings, raw)
    return result.__dict__


@router.get("/unmatched")
def unmatched(session: SessionDep) -> list[dict]:
    """Credit lines no account could be found for, with the reason, for a person to place."""
    return [
        {
            "id": line.id,
            "booked_on": line.booked_on,
            "amount": str(line.amount),
            "currency": line.currency,
            "remittance": line.remittance,
            "counterparty": line.counterparty,
            "counterparty_iban": line.counterparty_iban,
            "reason": line.reason,
        }
        for line in statements.unmatched_lines(session)
    ]
