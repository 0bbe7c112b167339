"""The debtor's page to choose and save a method that pays a plan's installments."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amicable.db.models import Plan
from amicable.providers import local_pay
from amicable.providers import stripe as stripe_checkout
from amicable.services import autopay, payment_events
from amicable.settings import Settings
from api.deps import SessionDep, SettingsDep
from web import templates
from web import texts as pay_texts

router = APIRouter(tags=["autopay page"], include_in_schema=False)


def _page(request: Request, plan: Plan, settings: Settings, notice: str | None, status_code: int = 200) -> HTMLResponse:
    account = plan.account
    lang = account.debtor.language if account.debtor.language in pay_texts.TEXTS else "en"
    words = pay_texts.texts(lang)
    # Without Stripe the local provider serves the page: it saves no real method, so only in
    # the demo, and the page says so.
    demo = local_pay.active(settings)
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
        onward = payment_events.save_method(session, settings, plan, method)
    except local_pay.LocalProviderOff as error:
        return _page(request, plan, settings, "autopay_unavailable", status_code=error.status_code)
    return RedirectResponse(onward or f"/plans/{plan_id}/autopay/done", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/plans/{plan_id}/autopay/done", response_class=HTMLResponse, include_in_schema=False)
def autopay_done(request: Request, plan_id: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    plan = autopay.get_plan(session, plan_id)
    return _page(request, plan, settings, "autopay_saved")
