"""What creditors watch of outreach: the plan for an instant (nothing sent), the contacts
made, and the A/B test results."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Query, Request

from amicable.outreach import campaign
from amicable.outreach.experiments import results
from api.deps import ApiKey, SessionDep

router = APIRouter(prefix="/api/v1/outreach", tags=["outreach"], dependencies=[ApiKey])


@router.get("/plan")
def plan(
    request: Request, session: SessionDep, now: str = Query("", description="ISO 8601 instant with a zone")
) -> list[dict]:
    """What `amicable campaign run --dry-run --json` prints: one decision per account."""
    try:
        moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    except ValueError:
        raise HTTPException(422, f"{now!r} is not an ISO 8601 instant, e.g. 2026-12-01T07:30:00+01:00") from None
    if moment.tzinfo is None:
        raise HTTPException(422, "give the instant a time zone, e.g. 2026-12-01T07:30:00+01:00")
    report = campaign.make_plan(session, request.app.state.settings, moment)
    session.rollback()
    return [p.public() for p in report.planned]


@router.get("/experiments")
def experiments(session: SessionDep, experiment: str = "") -> list[dict]:
    """Per variant: accounts reached, reply rate, payment rate, median days to pay."""
    return [r.as_dict() for r in results(session, experiment or None)]
