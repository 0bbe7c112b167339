"""The pay page a debtor opens from a message.

With Stripe the page sends the debtor on to Stripe Checkout. The local provider pays at
once without any money moving, so it serves only the demo without Stripe, and its pages say
so in the debtor's language; otherwise its links are refused, in that language too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amicable.db.models import PaymentLink
from amicable.language import locale_for, long_date
from amicable.money import display as money
from amicable.policy import load_policy
from amicable.providers import local_pay
from amicable.providers import stripe as stripe_checkout
from amicable.services import ServiceError, payment_events, payments, references
from amicable.services.accounts import balance
from amicable.settings import Settings
from api.deps import SessionDep, SettingsDep
from web import templates
from web import texts as pay_texts

log = structlog.get_logger()
router = APIRouter(tags=["pay page"], include_in_schema=False)


def _page(
    request: Request, link: PaymentLink, settings: Settings, notice: str | None = None, status_code: int = 200
) -> HTMLResponse:
    account = link.account
    lang = account.debtor.language if account.debtor.language in pay_texts.TEXTS else "en"
    locale = locale_for(lang, account.debtor.country)
    words = pay_texts.texts(lang)
    amount = money(link.amount, link.currency, locale)
    if notice is None:
        notice = _notice(link)
    # The local provider moves no money: its page says so, and serves only the demo.
    demo = link.provider == "local" and local_pay.active(settings)
    if link.provider == "local" and not demo and link.status in ("open", "processing"):
        notice = "unavailable"
    return templates.TemplateResponse(
        request,
        "pay.html",
        {
            "link": link,
            "lang": lang,
            "t": words,
            "title": words["title"].format(creditor=account.creditor.name),
            "amount": amount,
            "pay_label": words["pay"].format(amount=amount),
            "discount": words["discount"].format(discount=money(link.discount, link.currency, locale))
            if link.discount > 0
            else None,
            "valid_until": words["valid_until"].format(date=long_date(link.expires_at.date(), locale)),
            "reference": account.reference,
            "methods": [(m, pay_texts.method_name(m, lang)) for m in link.methods],
            "notice": notice,
            "can_pay": link.status == "open" and notice in (None, "cancelled"),
            # A link that can no longer be paid does not show an amount to pay.
            "show_amount": notice not in CLOSED_NOTICES,
            "transfer": _transfer_line(link, settings, words, amount),
            "demo": words["demo"] if demo else None,
        },
        status_code=status_code,
    )


# Why a link cannot be paid, by its status; its page then shows no amount.
CLOSED_NOTICES = {"superseded", "nothing_due", "link_cancelled", "plan_replaced", "invalid", "changed"}


def _notice(link: PaymentLink) -> str | None:
    """What the page says about the link's state, in the debtor's language (web/texts.py)."""
    if link.status == "closed":
        return "nothing_due" if balance(link.account) <= 0 else "plan_replaced"
    if link.status in ("superseded", "cancelled"):
        return {"superseded": "superseded", "cancelled": "link_cancelled"}[link.status]
    if link.status == "open" and balance(link.account) <= 0:
        return "nothing_due"
    if link.status == "open" and link.expires_at <= datetime.now(UTC) or link.status == "expired":
        return "invalid"
    if payments.stale(link):
        return "changed"
    return {"paid": "done", "processing": "confirming", "failed": "failed"}.get(link.status)


def _transfer_line(link: PaymentLink, settings: Settings, words: dict[str, str], amount: str) -> str | None:
    """A transfer with the file's structured reference, where the creditor takes transfers.
    Not for a discounted link: the discount is granted only when the link itself is paid."""
    account = link.account
    policy = load_policy(settings.policies_dir, account.creditor.name)
    if not policy.bank_transfer.offered or not account.payment_reference or link.discount > 0:
        return None
    return words["transfer"].format(
        amount=amount,
        beneficiary=policy.bank_transfer.beneficiary or account.creditor.name,
        iban=references.display_iban(policy.bank_transfer.iban),
        reference=references.display(account.payment_reference),
    )


@router.get("/pay/{link_id}", response_class=HTMLResponse, include_in_schema=False)
def pay_page(
    request: Request, link_id: str, session: SessionDep, settings: SettingsDep, cancelled: bool = False
) -> HTMLResponse:
    link = payments.get_link(session, link_id)
    return _page(request, link, settings, "cancelled" if cancelled and link.status == "open" else None)


@router.get("/pay/{link_id}/done", response_class=HTMLResponse, include_in_schema=False)
def pay_done(request: Request, link_id: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """Where Stripe sends the debtor back: the webhook, not this page, records the payment."""
    link = payments.get_link(session, link_id)
    return _page(request, link, settings, "done" if link.status == "paid" else "confirming")


@router.post("/pay/{link_id}/refresh", include_in_schema=False)
def refresh(link_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    """A link for more than is owed now: a new one for what is owed, and on to its page."""
    link = payments.get_link(session, link_id)
    if payments.stale(link):
        link = payments.reissue(session, settings, link)
    return RedirectResponse(f"/pay/{link.id}", status_code=status.HTTP_303_SEE_OTHER)


@router.post("/pay/{link_id}", include_in_schema=False)
def pay(
    request: Request, link_id: str, session: SessionDep, settings: SettingsDep, method: str = Form("card")
) -> Response:
    """With Stripe, on to its Checkout page (a fresh session if the last one expired).
    The local provider "pays" at once, in the demo only: it applies the event Stripe would
    send, through the same path; anywhere else its link is refused and nothing is booked."""
    link = payments.get_link(session, link_id)
    if payments.stale(link):
        # Another payment came in since: never charge the old amount, offer what is owed now.
        return RedirectResponse(f"/pay/{payments.reissue(session, settings, link).id}", status.HTTP_303_SEE_OTHER)
    if method not in link.methods:
        raise ServiceError(f"{method} is not offered for this payment", 400)
    if link.status == "open" and link.expires_at <= datetime.now(UTC):
        raise ServiceError("this payment link has expired; ask for a new one", 410)
    if link.status == "open" and link.provider == "stripe":
        stripe_checkout.open_session(settings, link)
        return RedirectResponse(link.provider_url or f"/pay/{link_id}", status_code=status.HTTP_303_SEE_OTHER)
    if link.status == "open":
        try:
            payment_events.pay_locally(session, settings, link, method)
        except local_pay.LocalProviderOff as error:
            log.warning("local payment refused", link=link.id, reason=error.message)
            return _page(request, link, settings, "unavailable", status_code=error.status_code)
    return RedirectResponse(f"/pay/{link_id}", status_code=status.HTTP_303_SEE_OTHER)
