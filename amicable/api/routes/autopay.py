"""Installments paid from a saved method: the debtor's page to choose and save it, and the
API call that gives the bot (or an agent) the page to send."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict

from amicable.api.deps import ApiKey, SessionDep, SettingsDep
from amicable.db.models import Plan
from amicable.services import ServiceError, autopay, payments, stripe_checkout
from amicable.settings import Settings
from amicable.web import pay_texts, templates

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


def _page(request: Request, plan: Plan, settings: Settings, notice: str | None, status_code: int = 200) -> HTMLResponse:
    account = plan.account
    lang = account.debtor.language if account.debtor.language in pay_texts.TEXTS else "en"
    words = pay_texts.texts(lang)
    # Without Stripe the local provider serves the page: it saves no real method, so only in
    # the demo, and the page says so.
    demo = payments.local_provider_active(settings)
    if plan.status != "active" and notice != "autopay_saved":
        notice = "autopay_closed"
    elif not demo and not stripe_checkout.enabled(settings):
        notice = "autopay_unavailable"
    return templates.TemplateResponse(
        request,
        "autopay.html",
        {
            "lang": lang,
            "t": words,
            "title": words["autopay_title"].format(creditor=account.creditor.name),
            "reference": account.reference,
            "plan_id": plan.id,
            "methods": [(m, pay_texts.method_name(m, lang)) for m in autopay.methods_for(settings, plan)],
            "notice": notice,
            "can_save": plan.status == "active" and notice not in ("autopay_saved", "autopay_unavailable"),
            "demo": words["autopay_demo"] if demo else None,
        },
        status_code=status_code,
    )


@router.get("/plans/{plan_id}/autopay", response_class=HTMLResponse, include_in_schema=False)
def autopay_page(
    request: Request, plan_id: str, session: SessionDep, settings: SettingsDep, cancelled: bool = False
) -> HTMLResponse:
    plan = autopay.get_plan(session, plan_id)
    return _page(request, plan, settings, "autopay_cancelled" if cancelled else None)


@router.post("/plans/{plan_id}/autopay", include_in_schema=False)
def save_autopay(
    request: Request, plan_id: str, session: SessionDep, settings: SettingsDep, method: str = Form(...)
) -> Response:
    plan = autopay.get_plan(session, plan_id)
    try:
        onward = autopay.start(session, settings, plan, method)
    except payments.LocalProviderOff as error:
        return _page(request, plan, settings, "autopay_unavailable", status_code=error.status_code)
    return RedirectResponse(onward or f"/plans/{plan_id}/autopay/done", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/plans/{plan_id}/autopay/done", response_class=HTMLResponse, include_in_schema=False)
def autopay_done(request: Request, plan_id: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    plan = autopay.get_plan(session, plan_id)
    return _page(request, plan, settings, "autopay_saved")
