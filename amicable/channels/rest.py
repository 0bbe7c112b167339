"""The conversation webhook, compatible with Rasa's REST channel.

`POST /webhooks/rest/webhook` takes `{"sender", "message", "metadata"}` and answers with a
list of bot messages. It records the transcript, keeps a conversation a person holds away
from the bot, and answers itself when the bot cannot be reached, so nothing is lost.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from amicable.channels.replies import gateway_text
from amicable.db.models import Account, Message
from amicable.language import detect
from amicable.services import conversations, link_tokens

log = structlog.get_logger()
router = APIRouter(tags=["conversation"])

CHANNELS = {"web", "rest", "sms", "whatsapp", "telegram", "voice"}


SENDER = r"[\w:+.@-]{1,128}"


class IncomingMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sender: str = Field(pattern=rf"^{SENDER}$")
    message: str = Field(max_length=100_000)
    metadata: dict[str, Any] = Field(default_factory=dict)


def _before_bot(
    request: Request, incoming: IncomingMessage, channel: str, detected: str | None
) -> tuple[str | None, str | None]:
    """Record the message; return (language, reply) where a reply means the bot is skipped."""
    settings = request.app.state.settings
    with request.app.state.sessionmaker() as session, session.begin():
        conversation = conversations.get_or_create(session, incoming.sender, channel, incoming.metadata.get("address"))
        conversations.record_message(session, conversation, "debtor", incoming.message)
        token = incoming.metadata.get("token")
        if isinstance(token, str) and conversation.account is None:
            account_id = link_tokens.read(token, settings.amicable_link_secret)
            account = session.get(Account, account_id) if account_id is not None else None
            if account is not None:
                conversations.bind(session, conversation, account, "signed link")
        if detected:
            conversation.language = detected
        language = conversation.language or incoming.metadata.get("language")
        if conversation.handled_by == "agent":
            return language, gateway_text("with_agent", language)
        if len(incoming.message) > settings.max_message_chars:
            return language, gateway_text("too_long", language)
        return language, None


def _after_bot(request: Request, sender: str, replies: list[dict[str, Any]]) -> None:
    with request.app.state.sessionmaker() as session, session.begin():
        conversation = conversations.get(session, sender)
        for reply in replies:
            conversations.record_message(session, conversation, "bot", reply.get("text") or "", reply)


def for_the_bot(text: str) -> str:
    """What the bot gets to read. A leading "/" would name an intent directly in Rasa, so it is
    dropped; a message with no letters or digits (emoji only, punctuation) carries nothing the
    bot can understand, so it arrives as exactly that: not understood."""
    text = text.lstrip("/")
    if not any(ch.isalnum() for ch in text):
        return "/nlu_fallback"
    return text


async def forward_to_bot(request: Request, incoming: IncomingMessage, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    client: httpx.AsyncClient = request.app.state.http
    settings = request.app.state.settings
    response = await client.post(
        f"{settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": incoming.sender, "message": for_the_bot(incoming.message), "metadata": metadata},
        timeout=settings.rasa_timeout_seconds,
    )
    response.raise_for_status()
    return response.json()


async def converse(request: Request, incoming: IncomingMessage, channel: str) -> list[dict[str, Any]]:
    """One debtor message through the gateway, whatever channel it came on: recorded, held back
    from the bot while a person has the conversation, answered by the bot, replies recorded."""
    detected = detect(incoming.message[:500])
    language, reply = await run_in_threadpool(_before_bot, request, incoming, channel, detected)
    if reply is not None:
        replies = [{"recipient_id": incoming.sender, "text": reply}]
    else:
        metadata = {k: v for k, v in incoming.metadata.items() if k in ("language", "token")}
        metadata |= {"channel": channel, "detected_language": detected}
        try:
            replies = await forward_to_bot(request, incoming, metadata)
        except (httpx.HTTPError, ValueError) as error:
            log.error("bot unreachable", error=str(error), sender=incoming.sender)
            replies = [{"recipient_id": incoming.sender, "text": gateway_text("unavailable", language)}]
    await run_in_threadpool(_after_bot, request, incoming.sender, replies)
    return replies


@router.get("/webhooks/rest/messages")
def agent_messages(request: Request, sender: str, after: int = 0) -> list[dict[str, Any]]:
    """What a person wrote in this conversation since message `after`: the web chat asks every
    few seconds, so an agent's reply appears without the debtor writing first. The sender id
    is the web chat's own random 128-bit id, known only to that browser."""
    if not re.fullmatch(SENDER, sender):
        return []
    with request.app.state.sessionmaker() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.conversation_id == sender, Message.author == "agent", Message.id > after)
            .order_by(Message.id)
            .limit(50)
        ).all()
        return [{"id": m.id, "text": m.text} for m in rows]


@router.post("/webhooks/rest/webhook")
async def rest_webhook(incoming: IncomingMessage, request: Request) -> list[dict[str, Any]]:
    channel = str(incoming.metadata.get("channel", "web"))
    return await converse(request, incoming, channel if channel in CHANNELS else "web")
