"""The unsubscribe link of every outreach email (RFC 8058). A POST, from the mail client's
one-click button (`List-Unsubscribe=One-Click`) or from the page's own button, records an
email opt-out on every file with that address, without login, as often as it comes. A GET
only shows the page with the button, in the debtor's language: link scanners follow links.

The token in the URL is signed for this purpose only (providers/email.py), so the URL of one
file cannot be turned into another's; it reveals nothing about the debt, and neither does the
page."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from amicable.db.models import Account
from amicable.providers import email as email_provider
from amicable.services import email_addresses
from api.deps import SessionDep, SettingsDep
from web import templates

router = APIRouter(tags=["email"], include_in_schema=False)

TEXTS = {
    "en": {
        "title": "Emails about your account",
        "ask": "Do you want to stop receiving emails about this account? You can still reach us whenever you like.",
        "confirm": "Stop these emails",
        "done": "Done: you will not receive emails about this account any more.",
        "other_ways": "If you wish, you can still reply to an earlier email or use the chat to talk to us.",
    },
    "fr": {
        "title": "E-mails concernant votre compte",
        "ask": "Voulez-vous ne plus recevoir d'e-mails concernant ce compte ? Vous pouvez toujours nous contacter quand vous le souhaitez.",
        "confirm": "Ne plus recevoir ces e-mails",
        "done": "C'est fait : vous ne recevrez plus d'e-mails concernant ce compte.",
        "other_ways": "Si vous le souhaitez, vous pouvez toujours répondre à un e-mail précédent ou utiliser le chat.",
    },
    "nl": {
        "title": "E-mails over uw account",
        "ask": "Wilt u geen e-mails meer ontvangen over deze account? U kunt ons altijd nog bereiken wanneer u wilt.",
        "confirm": "Stop deze e-mails",
        "done": "Klaar: u ontvangt geen e-mails meer over deze account.",
        "other_ways": "Als u wilt, kunt u nog altijd antwoorden op een eerdere e-mail of de chat gebruiken.",
    },
}


def _account(session: SessionDep, settings: SettingsDep, token: str) -> tuple[Account, bool]:
    """The file of the link, and whether the link was sent to its address as it is now (an old
    email's link must not stop email to the debtor's next address: it then changes nothing)."""
    read = email_provider.read_unsubscribe_token(token, settings.amicable_link_secret)
    account = session.get(Account, read[0]) if read is not None else None
    if read is None or account is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this unsubscribe link is not valid")
    return account, email_provider.sent_to(read[1], account.debtor.email or "")


def _page(request: Request, account: Account, done: bool) -> HTMLResponse:
    lang = account.debtor.language if account.debtor.language in TEXTS else "en"
    return templates.TemplateResponse(request, "unsubscribe.html", {"lang": lang, "t": TEXTS[lang], "done": done})


@router.get("/email/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    account, _ = _account(session, settings, token)
    return _page(request, account, done=False)


@router.post("/email/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    account, current = _account(session, settings, token)
    if current and account.debtor.email:
        email_addresses.stop_email(session, account.debtor.email, "unsubscribed from email (link in an email)")
    return _page(request, account, done=True)
