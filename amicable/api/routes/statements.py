"""Bank statements: import CAMT.053 or CSV, and the lines a person still has to place."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from amicable.api.deps import ApiKey, SessionDep, SettingsDep
from amicable.services import statements

router = APIRouter(prefix="/api/v1/bank-statements", tags=["bank statements"], dependencies=[ApiKey])


@router.post("")
async def import_statement(request: Request, session: SessionDep, settings: SettingsDep) -> dict:
    """Send `multipart/form-data` with a `file` field, or the file itself (XML or CSV).

    Each credit line is matched by its structured reference; the answer says what became of
    every line. Importing the same statement again books nothing twice."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "send the statement in a form field named 'file'")
        raw = await upload.read()
    else:
        raw = await request.body()
    if not raw.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the file is empty")
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
