"""Payment webhooks (Stripe's signed format) and the local provider's pay page."""

from __future__ import annotations

import json
from pathlib import Path

import structlog
from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from amicable.api.deps import SessionDep, SettingsDep
from amicable.money import fmt
from amicable.services import ServiceError, payments

log = structlog.get_logger()
router = APIRouter(tags=["payments"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent.parent / "web" / "templates")

METHOD_NAMES = {"card": "Card", "bancontact": "Bancontact", "ideal": "iDEAL", "sepa_debit": "SEPA Direct Debit"}


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: SessionDep, settings: SettingsDep) -> dict:
    payload = await request.body()
    try:
        result = payments.process_webhook(
            session, payload, request.headers.get("stripe-signature"), settings.stripe_webhook_secret
        )
    except ServiceError as error:
        log.warning("payment webhook refused", reason=error.message)
        raise
    return {"received": True, "result": result}


@router.get("/pay/{link_id}", response_class=HTMLResponse, include_in_schema=False)
def pay_page(request: Request, link_id: str, session: SessionDep) -> HTMLResponse:
    link = payments.get_link(session, link_id)
    account = link.account
    return templates.TemplateResponse(
        request,
        "pay.html",
        {
            "link": link,
            "amount": fmt(link.amount),
            "creditor": account.creditor.name,
            "reference": account.reference,
            "methods": [(m, METHOD_NAMES.get(m, m.title())) for m in link.methods],
            "lang": account.debtor.language,
        },
    )


@router.post("/pay/{link_id}", include_in_schema=False)
def pay(link_id: str, session: SessionDep, settings: SettingsDep, method: str = Form("card")) -> RedirectResponse:
    """The local provider's "payment": it emits the event Stripe would, through the same path."""
    link = payments.get_link(session, link_id)
    if method not in link.methods:
        raise ServiceError(f"{method} is not offered for this payment", 400)
    if link.status == "open":
        payload = json.dumps(payments.checkout_completed_event(link, method))
        signature = payments.sign(payload, settings.stripe_webhook_secret)
        payments.process_webhook(session, payload.encode(), signature, settings.stripe_webhook_secret)
    return RedirectResponse(f"/pay/{link_id}", status_code=status.HTTP_303_SEE_OTHER)
