"""The web chat's door, compatible with Rasa's REST channel.

`POST /webhooks/rest/webhook` takes `{"sender", "message", "metadata"}` and answers with a
list of bot messages, through the gateway (channels/gateway.py).

The public webhook reaches only web conversations whose id the server issued
(`POST /webhooks/rest/conversations`, signed with the link secret): a client cannot name
another channel's thread (`sms:+32...`) nor choose its channel or address. Every message is
throttled per conversation and per source, with a calm reply when it is too much.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import select

from amicable import ratelimit
from amicable.db.models import Message
from amicable.services import link_tokens
from channels.gateway import IncomingMessage, TooFast, client_source, converse, short_transaction
from channels.replies import gateway_text

router = APIRouter(tags=["conversation"])


def _web_sender(request: Request, sender: str) -> None:
    if not link_tokens.web_id_valid(sender, request.app.state.settings.amicable_link_secret):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "unknown conversation: ask POST /webhooks/rest/conversations for a conversation id and send it as `sender`",
        )


def _slow_down(sender: str, reply: str) -> JSONResponse:
    return JSONResponse([{"recipient_id": sender, "text": reply}], status_code=429, headers={"Retry-After": "60"})


@router.post("/webhooks/rest/conversations", status_code=status.HTTP_201_CREATED)
def new_conversation(request: Request) -> dict[str, str]:
    """A new web conversation id, signed by the server: the only kind the public webhook takes.
    The web chat asks once and keeps it in the browser."""
    if not request.app.state.throttle.hit(ratelimit.NEW_CONVERSATIONS_PER_SOURCE, client_source(request)):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many new conversations from here; try later")
    return {"sender": link_tokens.issue_web_id(request.app.state.settings.amicable_link_secret)}


@router.get("/webhooks/rest/messages")
def agent_messages(
    request: Request, sender: str = Query(max_length=128), after: int = Query(0, ge=0, le=2**62)
) -> list[dict[str, Any]]:
    """What arrived in this conversation since message `after` without the debtor writing
    first: a person's replies, and the bot's late answers to messages kept while it was away
    (channels/outbox.py). The web chat asks every few seconds. Only the holder of the
    server-issued conversation id can ask."""
    _web_sender(request, sender)
    with short_transaction(request) as session:
        rows = session.scalars(
            select(Message)
            .where(Message.conversation_id == sender, Message.author.in_(("agent", "bot")), Message.id > after)
            .order_by(Message.id)
            .limit(200)
        ).all()
        # The bot's answers given at once were in the webhook's reply already: only late ones.
        pushed = [m for m in rows if m.author == "agent" or (m.payload or {}).get("late")][:50]
        # `name`: the colleague as the debtor is shown them (the creditor's naming policy).
        return [
            {"id": m.id, "text": m.text, "name": (m.payload or {}).get("shown_as"), "author": m.author} for m in pushed
        ]


@router.post("/webhooks/rest/webhook", response_model=None)
async def rest_webhook(incoming: IncomingMessage, request: Request) -> list[dict[str, Any]] | JSONResponse:
    _web_sender(request, incoming.sender)
    source = client_source(request)
    if not request.app.state.throttle.hit(ratelimit.WEBHOOK_PER_SOURCE, source):
        return _slow_down(incoming.sender, gateway_text("slow_down", None))
    try:
        return await converse(request, incoming, "web", source=source)
    except TooFast as too_fast:
        return _slow_down(incoming.sender, too_fast.reply)
