"""Email in: replies to outreach emails, bounces and complaints.

`POST /channels/email/inbound` takes what an inbound-mail service forwards: the raw RFC 822
message (`message/rfc822` or any non-form body), or a form with the raw message in `email`
(SendGrid's raw mode) or the parsed fields `headers`, `text`, `html` (its parsed mode), or
`body-plain` (Mailgun). `POST /channels/email/events` takes the services' JSON delivery
events (providers/email_events.py). Both must carry `EMAIL_INBOUND_SECRET`: in `X-Email-Inbound-Secret`, as a
Bearer token, or as the password of basic auth; without it, 401 (403 when no secret is set).

A reply is bound to its file by the signed token in the address it was sent to
(`reply+TOKEN@…`), never by its From header, which anyone can write; the bot still asks who is
writing before it says anything about the debt, as on every channel. Its answer goes back by
email in the same thread (In-Reply-To, References). A bounce (RFC 3464) or a complaint (ARF)
marks the address undeliverable: outreach moves on to the strategy's next channel.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
from email.message import EmailMessage
from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from amicable.db.models import Account, Conversation
from amicable.providers import email as email_provider
from amicable.providers.email_events import Undeliverable, read_events
from amicable.providers.errors import NotSent
from amicable.services import conversations, email_addresses
from amicable.services.email_replies import Incoming, html_to_text, new_words, parse, read
from channels.gateway import IncomingMessage, TooFast, converse, short_transaction
from channels.replies import gateway_text

log = structlog.get_logger()
router = APIRouter(prefix="/channels", tags=["channels"], include_in_schema=False)


def _check_secret(request: Request) -> None:
    expected = request.app.state.settings.email_inbound_secret
    if not expected:
        log.warning("inbound email refused", reason="EMAIL_INBOUND_SECRET is not set")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "inbound email is not configured (EMAIL_INBOUND_SECRET)")
    given = request.headers.get("x-email-inbound-secret", "")
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        given = given or value.strip()
    elif scheme.lower() == "basic":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            given = given or base64.b64decode(value.strip()).decode().partition(":")[2]
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("inbound email refused", reason="wrong or missing secret")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the request does not carry the inbound secret",
            headers={"WWW-Authenticate": 'Basic realm="inbound email"'},
        )


MAX_HEADER_BYTES = 100_000


def _parse(data: bytes) -> EmailMessage:
    head = data[: MAX_HEADER_BYTES + 4]
    if b"\r\n\r\n" not in head and b"\n\n" not in head and len(data) > MAX_HEADER_BYTES:
        raise ValueError("the headers are larger than any reply's")
    return parse(data)


async def _message(request: Request) -> EmailMessage:
    """The forwarded email, whatever shape the service sent it in."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        raw = form.get("email")
        if raw is not None:
            data = await raw.read() if hasattr(raw, "read") else str(raw).encode("utf-8", "surrogateescape")
            return await run_in_threadpool(_parse, data)
        headers = str(form.get("headers") or "")[:MAX_HEADER_BYTES]
        message = await run_in_threadpool(_parse, headers.encode("utf-8", "replace") + b"\r\n\r\n")
        for name in ("from", "to", "subject", "recipient", "sender", "Message-Id", "In-Reply-To", "References"):
            value = form.get(name)
            header = {"recipient": "Delivered-To", "sender": "From"}.get(name, name)
            if isinstance(value, str) and value and header not in message:
                message[header] = value[:8_000]
        text = form.get("text") or form.get("stripped-text") or form.get("body-plain")
        html = form.get("html") or form.get("body-html")
        body = text if isinstance(text, str) and text.strip() else html_to_text(html) if isinstance(html, str) else ""
        del message["Content-Type"], message["Content-Transfer-Encoding"], message["MIME-Version"]
        message.set_content(body or "")
        return message
    return await run_in_threadpool(_parse, await request.body())


@router.post("/email/inbound")
async def email_inbound(request: Request) -> dict[str, Any]:
    _check_secret(request)
    try:
        message = await _message(request)
        incoming = await run_in_threadpool(read, message)
    except Exception as error:  # a message we cannot parse is refused, never a 500
        log.warning("inbound email unreadable", error=str(error))
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the body is not an email we can read") from None
    if incoming.report is not None:
        kind = "complained" if incoming.report == "feedback-report" else "bounced"
        files = await run_in_threadpool(_undeliverable, request, incoming, kind)
        return {"ok": True, "handled": kind, "addresses": incoming.failed, "files": files}
    settings = request.app.state.settings
    own = email_provider.sender(settings) if settings.email_from else None
    if incoming.automatic or (own is not None and incoming.sender == f"{own.username}@{own.domain}".lower()):
        log.info("inbound email ignored", reason="automatic reply", sender=incoming.sender)
        return {"ok": True, "ignored": "an automatic reply"}
    account_id = email_provider.token_in(incoming.recipients, settings) if own is not None else None
    if account_id is None or not incoming.sender:
        log.warning("inbound email ignored", reason="no valid reply token", recipients=len(incoming.recipients))
        return {"ok": True, "ignored": "not addressed to a reply address of ours"}
    conversation_id = await run_in_threadpool(_bind, request, account_id, incoming.sender)
    if conversation_id is None:
        return {"ok": True, "ignored": "the file of this reply address no longer exists"}
    text = incoming.text or new_words(incoming.subject)
    if not text:
        replies = [{"text": gateway_text("media", None)}]
    else:
        try:
            replies = await converse(
                request,
                IncomingMessage(sender=conversation_id, message=text[:20_000], metadata={"channel": "email"}),
                "email",
                address=incoming.sender,
                source=incoming.sender,
            )
        except TooFast as too_fast:
            replies = [{"text": too_fast.reply}]
    sent = await run_in_threadpool(_answer, request, account_id, incoming, replies)
    return {"ok": True, "replies": len(replies), "sent": sent}


@router.post("/email/events")
async def email_events(request: Request) -> dict[str, Any]:
    """An email service's delivery events (bounces, complaints) as JSON, with the same secret."""
    _check_secret(request)
    try:
        payload = await request.json()
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the body is not JSON") from None
    events = [e for e in read_events(payload) if "@" in e.address]
    files = await run_in_threadpool(_mark, request, events)
    return {"ok": True, "handled": len(events), "files": files}


def _mark(request: Request, events: list[Undeliverable]) -> int:
    with short_transaction(request) as session:
        return sum(len(email_addresses.mark_undeliverable(session, e.address, e.kind, e.detail)) for e in events)


def _bind(request: Request, account_id: int, sender: str) -> str | None:
    with short_transaction(request) as session:
        account = session.get(Account, account_id)
        if account is None:
            return None
        conversation_id = conversations.email_conversation_id(account.id, sender)
        conversation = conversations.get_or_create(session, conversation_id, "email", sender[:128])
        conversations.bind(session, conversation, account, "reply to an outreach email (signed reply address)")
        if conversation.language is None:
            conversation.language = account.debtor.language
        return conversation_id


def _undeliverable(request: Request, incoming: Incoming, kind: str) -> int:
    """Believed only for the address we sent that email to: the returned email must carry the
    signed reply address of a file whose debtor has the reported address. The inbound relay
    forwards whatever anyone mails us, so a report without it is a stranger's word."""
    settings = request.app.state.settings
    account_id = email_provider.token_in(incoming.original, settings) if settings.email_from else None
    said = f": {incoming.diagnosis}" if incoming.diagnosis else ""
    detail = f"{'bounce' if kind == 'bounced' else 'complaint'} received {incoming.subject!r}{said}"[:300]
    with short_transaction(request) as session:
        account = session.get(Account, account_id) if account_id is not None else None
        ours = (account.debtor.email or "").strip().lower() if account is not None else ""
        believed = [a for a in incoming.failed if ours and a.strip().lower() == ours]
        if len(believed) != len(incoming.failed):
            log.warning("email report not believed", kind=kind, reason="not about an email we sent to that address")
        return sum(len(email_addresses.mark_undeliverable(session, a, kind, detail)) for a in believed)


def _answer(request: Request, account_id: int, incoming: Incoming, replies: list[dict[str, Any]]) -> bool:
    """The bot's answer, by email, in the thread the debtor wrote in."""
    lines = []
    for reply in replies:
        text = (reply.get("text") or "").strip()
        buttons = [str(b.get("title")) for b in reply.get("buttons") or [] if b.get("title")]
        if text:
            lines.append(text)
        if buttons:
            lines.append("\n".join(f"- {b}" for b in buttons))
    if not lines:
        return False
    try:
        return _send_answer(request, account_id, incoming, lines)
    except Exception:  # the bot has answered: an odd header must not make the relay send it again
        log.exception("email answer not written", account=account_id)
        return False


def _send_answer(request: Request, account_id: int, incoming: Incoming, lines: list[str]) -> bool:
    settings = request.app.state.settings
    with short_transaction(request) as session:
        account = session.get(Account, account_id)
        creditor = account.creditor.name if account is not None else ""
        conversation = session.get(Conversation, conversations.email_conversation_id(account_id, incoming.sender))
        language = conversation.language if conversation is not None else None
    subject = email_provider.reply_subject(language)
    message = email_provider.plain_message(
        settings,
        account_id,
        incoming.sender,
        "\n\n".join(lines),
        subject,
        sender_name=creditor,
        in_reply_to=incoming.message_id,
        references=incoming.references,
    )
    message["Auto-Submitted"] = "auto-replied"
    try:
        email_provider.send(settings, message, [incoming.sender])
        return True
    except NotSent as error:
        log.error("email answer not sent", error=str(error), account=account_id)
        return False
