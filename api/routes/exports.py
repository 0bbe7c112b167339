"""Exports of the portfolio as CSV files, streamed: the accounts the list's filters keep, their
contact log, their outcomes and their ledger. A creditor's key exports its own files only."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from amicable.services import exports, portfolio
from api.filters import FiltersDep

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

CSV_RESPONSE = {200: {"content": {"text/csv": {}}, "description": "The CSV file, streamed"}}


@router.get("/{kind}.csv", response_class=StreamingResponse, responses=CSV_RESPONSE)
def export(
    kind: Literal["accounts", "contacts", "outcomes", "ledger"],
    request: Request,
    filters: FiltersDep,
    sort: str = Query("reference", max_length=40, description=f"One of {', '.join(portfolio.SORTS)}"),
) -> StreamingResponse:
    """One row per account (`accounts`), per contact-log line (`contacts`), per promise, plan,
    dispute, hand-over or opt-out (`outcomes`), or per ledger movement (`ledger`), for the
    accounts the filters keep (the list's query parameters). The header row states the formats."""
    portfolio.parse_sort(sort)  # a wrong sort is a 422 now, not a broken file later
    today = date.today()
    body = exports.stream(request.app.state.sessionmaker, kind, filters, today, sort)
    filename = f"amicable-{kind}-{today.isoformat()}.csv"
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
