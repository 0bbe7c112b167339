"""Installments paid from a saved method: the API call that gives the bot (or an agent) the
page to send (the page itself is web/autopay.py)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from amicable.services import ServiceError, autopay
from api.deps import ApiKey, SessionDep, SettingsDep

router = APIRouter(tags=["plans"])


class AutopayOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    methods: list[str]
    saved_method: str | None


@router.post("/api/v1/accounts/{reference}/plans/{plan_id}/autopay", dependencies=[ApiKey], response_model=AutopayOut)
def offer_autopay(reference: str, plan_id: str, session: SessionDep, settings: SettingsDep) -> AutopayOut:
    """The page where the debtor saves a method for this plan's installments; 409 for a plan
    that is no longer running (paid off, replaced), which has nothing left to take."""
    plan = autopay.get_plan(session, plan_id, reference)
    if plan.status != "active":
        raise ServiceError(f"plan {plan.id} is {plan.status}: there are no installments left to pay automatically", 409)
    return AutopayOut(
        url=autopay.page_url(settings, plan),
        methods=autopay.methods_for(settings, plan),
        saved_method=plan.autopay_method,
    )
