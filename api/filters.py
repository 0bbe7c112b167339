"""The portfolio's filters as query parameters, shared by the list of accounts and the
exports, always within the caller's key's scope."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, Query

from amicable.services import ServiceError, portfolio
from api.deps import OperatorDep
from api.schemas import Reason


def portfolio_filters(
    operator: OperatorDep,
    creditor: str | None = Query(None, max_length=200, description="A creditor's name, as in `creditor`"),
    status_: str | None = Query(
        None,
        alias="status",
        max_length=200,
        description=f"One or more of {', '.join(portfolio.STATUSES)}, separated by commas",
    ),
    reason: Reason | None = Query(None, description="The reason the debtor gave"),
    country: str | None = Query(None, min_length=2, max_length=2, description="The debtor's country (ISO 3166)"),
    language: str | None = Query(None, min_length=2, max_length=2, description="en, fr or nl"),
    has_plan: bool | None = Query(None, description="An installment plan is running"),
    has_dispute: bool | None = Query(None, description="A dispute is open"),
    vulnerable: bool | None = Query(None),
    overdue_min_days: int | None = Query(None, ge=0, le=36500, description="Oldest unpaid invoice at least this late"),
    balance_min: Decimal | None = Query(None, ge=0, le=10**9, decimal_places=2),
    balance_max: Decimal | None = Query(None, ge=0, le=10**9, decimal_places=2),
    updated_since: datetime | None = Query(None, description="ISO 8601; without a zone, UTC"),
    q: str | None = Query(None, max_length=200, description="Part of the reference, name, e-mail or phone"),
) -> portfolio.Filters:
    """The portfolio's filters, shared by the list and the exports; within the key's scope."""
    statuses = tuple(part.strip() for part in (status_ or "").split(",") if part.strip())
    unknown = [s for s in statuses if s not in portfolio.STATUSES]
    if unknown:
        raise ServiceError(f"unknown status {unknown[0]!r}; use {', '.join(portfolio.STATUSES)}", 422)
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    return portfolio.Filters(
        creditor_id=operator.creditor_id,
        creditor=creditor,
        status=statuses,
        reason=reason,
        country=country,
        language=language,
        has_plan=has_plan,
        has_dispute=has_dispute,
        vulnerable=vulnerable,
        overdue_min_days=overdue_min_days,
        balance_min=balance_min,
        balance_max=balance_max,
        updated_since=updated_since,
        q=q.strip() or None if q else None,
    )


FiltersDep = Annotated[portfolio.Filters, Depends(portfolio_filters)]
