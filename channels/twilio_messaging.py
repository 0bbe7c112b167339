"""SMS and WhatsApp through Twilio.

Every request must carry a valid `X-Twilio-Signature`, checked with the twilio library's own
validator over `PUBLIC_BASE_URL` + path (the URL Twilio was configured with, not the one
behind a proxy); anything else is refused with 403 and logged. STOP and HELP (and their French
and Dutch words) are answered before anything else, so an opt-out never depends on the bot.
Other messages continue the conversation of that number: the sender's number is read as
E.164 with phonenumbers, and a number that belongs to a debtor joins their file, though the
bot still confirms identity before saying anything about a debt. Replies go back as TwiML,
split at sentence ends into messages a phone shows whole.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, Request, Response, status
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from amicable.language import detect
from amicable.providers.twilio import e164
from amicable.services import conversations
from amicable.services.accounts import accounts_for_phone, log_contact
from amicable.text.redaction import redact
from channels.gateway import IncomingMessage, TooFast, converse, short_transaction
from channels.replies import gateway_text

log = structlog.get_logger()
router = APIRouter(prefix="/channels/twilio", tags=["channels"], include_in_schema=False)

# Carriers and Twilio treat these as opt-out and help words; we add the French and Dutch ones.
STOP_WORDS = {
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "ARRET",
    "ARRETER",
    "DESINSCRIRE",
    "DESABONNER",
    "STOPPEN",
    "AFMELDEN",
    "UITSCHRIJVEN",
}
HELP_WORDS = {"HELP", "INFO", "AIDE", "HULP"}
# Twilio joins longer texts itself up to 1,600 characters; a phone shows ~2 SMS parts whole.
SMS_PART = 320
WHATSAPP_PART = 1_500


def keyword(body: str) -> str:
    """ "Stop!", " stop ", "Arrêt." → STOP, ARRET: case, accents, spaces and punctuation aside."""
    folded = unicodedata.normalize("NFKD", body).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z]", "", folded).upper()


def split_text(text: str, limit: int) -> list[str]:
    """Parts of at most `limit` characters, cut after a sentence or a line where possible,
    never inside a word or a link."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n"), *(window.rfind(mark) + 1 for mark in (". ", "? ", "! ", ": ")))
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


async def verified_form(request: Request) -> dict[str, str]:
    settings = request.app.state.settings
    form = {key: str(value) for key, value in (await request.form()).multi_items()}
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("x-twilio-signature", "")
    token = settings.twilio_auth_token
    if not token or not signature or not RequestValidator(token).validate(url, form, signature):
        log.warning(
            "twilio request refused",
            path=request.url.path,
            reason="no token configured" if not token else "bad signature",
        )
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the request is not signed by Twilio")
    return form


def _twiml(texts: list[str], limit: int) -> Response:
    reply = MessagingResponse()
    for text in texts:
        for part in split_text(text, limit):
            reply.message(part)
    return Response(str(reply), media_type="application/xml")


def _debtor_language(request: Request, address: str) -> str | None:
    with short_transaction(request) as session:
        files = accounts_for_phone(session, address)
        return files[0].debtor.language if files else None


def _opt_out(request: Request, channel: str, address: str, conversation_id: str, body: str) -> None:
    """STOP from a number: recorded for every file of a debtor with that number, and for the
    number itself, at once and without asking who is writing."""
    with short_transaction(request) as session:
        conversation = conversations.get_or_create(session, conversation_id, channel, address)
        conversations.record_message(session, conversation, "debtor", redact(body, own_numbers=[address]).text)
        conversations.opt_out(session, conversation, channel)


def bind_by_number(request: Request, channel: str, address: str, conversation_id: str) -> None:
    """A number that belongs to exactly one file ties the conversation to it: the bot then asks
    only for the date of birth or postcode. A number shared by several files binds nothing."""
    with short_transaction(request) as session:
        conversation = conversations.get_or_create(session, conversation_id, channel, address)
        if conversation.account is None:
            files = accounts_for_phone(session, address)
            if len(files) == 1:
                conversations.bind(session, conversation, files[0], "the debtor's own number")


async def _inbound(request: Request, channel: str) -> Response:
    form = await verified_form(request)
    limit = SMS_PART if channel == "sms" else WHATSAPP_PART
    address = e164(form.get("From", ""))
    body = form.get("Body", "").strip()
    if address is None:
        log.warning("twilio message from an unreadable number", channel=channel)
        return _twiml([gateway_text("unknown_sender", detect(body) if body else None)], limit)
    conversation_id = f"{channel}:{address}"
    language = _debtor_language(request, address) or (detect(body) if body else None)
    word = keyword(body)
    if word in STOP_WORDS:
        await run_in_threadpool(_opt_out, request, channel, address, conversation_id, body)
        return _twiml([gateway_text("stopped", language)], limit)
    if word in HELP_WORDS:
        return _twiml([gateway_text("help", language)], limit)
    if not body:
        # A photo, a voice note, a location: nothing the assistant can read.
        return _twiml([gateway_text("media", language)], limit)
    metadata: dict[str, Any] = {"channel": channel, "address": address}
    if language:
        metadata["language"] = language
    await run_in_threadpool(bind_by_number, request, channel, address, conversation_id)
    incoming = IncomingMessage(sender=conversation_id, message=body, metadata=metadata)
    try:
        replies = await converse(request, incoming, channel, address=address, source=address)
    except TooFast as too_fast:
        return _twiml([too_fast.reply], limit)
    return _twiml([_as_text(reply) for reply in replies if _as_text(reply)], limit)


def _as_text(reply: dict[str, Any]) -> str:
    """A bot message for a channel without buttons: the buttons become numbered lines."""
    text = reply.get("text") or ""
    buttons = reply.get("buttons") or []
    if buttons:
        text += "\n" + "\n".join(f"{n}. {b.get('title', '')}" for n, b in enumerate(buttons, start=1))
    return text.strip()


@router.post("/sms")
async def sms(request: Request) -> Response:
    return await _inbound(request, "sms")


@router.post("/whatsapp")
async def whatsapp(request: Request) -> Response:
    return await _inbound(request, "whatsapp")


@router.post("/status")
async def delivery_status(request: Request) -> Response:
    """Twilio's status callback for a message or call we placed: queued, sent, delivered,
    failed, or a call's ringing, completed, no-answer, busy…"""
    form = await verified_form(request)
    is_call = "CallStatus" in form and "MessageStatus" not in form
    sid = form.get("CallSid" if is_call else "MessageSid", "")
    state = form.get("CallStatus" if is_call else "MessageStatus", "")
    if not sid or not state:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, "MessageSid and MessageStatus (or CallSid and CallStatus) are required"
        )
    address = e164(form.get("To", ""))

    def record() -> None:
        with short_transaction(request) as session:
            files = accounts_for_phone(session, address) if address else []
            account = files[0] if files else None
            detail = f"{sid} {state}" + (f" error {form['ErrorCode']}" if form.get("ErrorCode") else "")
            channel = "voice" if is_call else "whatsapp" if form.get("To", "").startswith("whatsapp:") else "sms"
            log_contact(session, account, "delivery", detail, channel)

    await run_in_threadpool(record)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
