"""The demo mailbox (`make run` only): every email the demo sent, as the debtor would get it,
a small Mailpit-like view for the operator: the list, then one message with its HTML as a
mail client shows it, its plain text, and its headers. Outside the demo there is no such
page (404): real email leaves through SMTP_URL and is not kept here."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from amicable.runtime import mailbox
from api.deps import SettingsDep
from web import templates

router = APIRouter(tags=["demo"], include_in_schema=False)


def _demo_only(settings: SettingsDep) -> None:
    if not settings.amicable_demo:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")


def _kept(settings: SettingsDep, message_id: str) -> mailbox.Kept:
    _demo_only(settings)
    kept = mailbox.message(message_id, settings.mailbox_dir)
    if kept is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such message in the demo mailbox")
    return kept


@router.get("/mailbox", response_class=HTMLResponse)
def mailbox_list(request: Request, settings: SettingsDep) -> HTMLResponse:
    _demo_only(settings)
    return templates.TemplateResponse(
        request, "mailbox.html", {"messages": mailbox.messages(settings.mailbox_dir), "shown": None}
    )


@router.get("/mailbox/{message_id}", response_class=HTMLResponse)
def mailbox_message(request: Request, message_id: str, settings: SettingsDep) -> HTMLResponse:
    kept = _kept(settings, message_id)
    return templates.TemplateResponse(
        request,
        "mailbox.html",
        {
            "messages": mailbox.messages(settings.mailbox_dir),
            "shown": kept,
            "headers": [(k, str(v)) for k, v in kept.message.items()],
            "text": kept.part("plain"),
        },
    )


@router.get("/mailbox/{message_id}/html", response_class=HTMLResponse)
def mailbox_html(message_id: str, settings: SettingsDep) -> HTMLResponse:
    """The HTML part alone, under a policy that lets it load and run nothing (framed above)."""
    return HTMLResponse(_kept(settings, message_id).part("html") or "<p>(this email has no HTML part)</p>")
