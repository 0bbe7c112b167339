"""Bulk import: a CSV of accounts, one row per invoice, as a file upload or a raw body."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from amicable.services.imports import import_csv
from api.deps import OperatorDep, SessionDep, uploaded_file
from api.schemas import ImportReport

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.post("", response_model=ImportReport)
async def import_accounts(request: Request, session: SessionDep, operator: OperatorDep) -> ImportReport:
    """Send `multipart/form-data` with a `file` field, or the CSV itself as `text/csv`.
    Comma- or semicolon-separated, decimal point or comma, ISO or day-first dates: detected,
    and named in the report (`delimiter`, `decimal_separator`). A creditor's key imports that
    creditor's files only."""
    raw = await uploaded_file(request, "CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the file is not UTF-8 text") from None
    return await run_in_threadpool(import_csv, session, text, operator.creditor)
