"""Telegram, as a webhook, with python-telegram-bot.

Telegram sends each update with the secret we gave it in `X-Telegram-Bot-Api-Secret-Token`;
anything without it is refused (403, logged). `/start <token>` (a deep link from
`POST /api/v1/accounts/{ref}/links`) ties the chat to the file, and the bot still asks for the
date of birth or postcode before saying anything about it. Bot buttons become an inline
keyboard; a tap comes back as a callback and is read as what the button says. Replies go out
through the Bot API; if Telegram cannot be reached they stay in the transcript and the log.
"""

from __future__ import annotations

import hmac
from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from amicable.db.models import Account
from amicable.providers import telegram
from amicable.services import conversations, link_tokens
from channels.gateway import IncomingMessage, TooFast, converse, short_transaction
from channels.replies import gateway_text

log = structlog.get_logger()
router = APIRouter(prefix="/channels", tags=["channels"], include_in_schema=False)
# Telegram's limit on one message, and on a button's callback data.
MESSAGE_LIMIT = 4096
CALLBACK_LIMIT = 64


async def telegram_bot(request: Request) -> Bot:
    """The bot that answers in the webhook, made once per process and kept on the app (the
    server closes it at shutdown): every update would otherwise pay for a `getMe`."""
    bot = getattr(request.app.state, "telegram_bot", None)
    if bot is None:
        bot = telegram.bot(request.app.state.settings)
        await bot.initialize()
        request.app.state.telegram_bot = bot
    return bot


def _check_secret(request: Request) -> None:
    expected = request.app.state.settings.telegram_webhook_secret
    given = request.headers.get("x-telegram-bot-api-secret-token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("telegram update refused", reason="no secret configured" if not expected else "wrong secret token")
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the request does not carry the webhook's secret token")


def _bind(request: Request, conversation_id: str, chat_id: str, token: str) -> bool:
    settings = request.app.state.settings
    with short_transaction(request) as session:
        conversation = conversations.get_or_create(session, conversation_id, "telegram", chat_id)
        account_id = link_tokens.read(token, settings.amicable_link_secret)
        account = session.get(Account, account_id) if account_id is not None else None
        if account is None:
            return False
        conversations.bind(session, conversation, account, "telegram deep link")
        if conversation.language is None:
            conversation.language = account.debtor.language
        return True


def _keyboard(buttons: list[dict[str, Any]]) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                str(b.get("title", ""))[:64], callback_data=str(b.get("payload") or b.get("title"))[:CALLBACK_LIMIT]
            )
        ]
        for b in buttons
        if b.get("title")
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def _send(bot: Bot, chat_id: int, replies: list[dict[str, Any]]) -> None:
    for reply in replies:
        text = (reply.get("text") or "").strip()
        if not text:
            continue
        try:
            await bot.send_message(chat_id, text[:MESSAGE_LIMIT], reply_markup=_keyboard(reply.get("buttons") or []))
        except TelegramError as error:
            log.error("telegram send failed", chat_id=chat_id, error=str(error))


@router.post("/telegram")
async def telegram_webhook(request: Request) -> dict:
    _check_secret(request)
    try:
        data = await request.json()
        update = Update.de_json(data, None)
    except Exception:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "not a Telegram update") from None
    bot = await telegram_bot(request)
    query = update.callback_query
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return {"ok": True, "ignored": "no chat"}
    conversation_id, chat_id = f"telegram:{chat.id}", str(chat.id)
    user = update.effective_user
    language = (user.language_code or "")[:2] if user else ""
    if query is not None:
        text = query.data or ""
        try:
            await bot.answer_callback_query(query.id)
        except TelegramError as error:
            log.warning("telegram callback answer failed", error=str(error))
    elif message is not None and message.text:
        text = message.text
    else:
        await _send(bot, chat.id, [{"text": gateway_text("media", language or None)}])
        return {"ok": True}
    if text.startswith("/start"):
        token = text.removeprefix("/start").strip()
        if token:
            await run_in_threadpool(_bind, request, conversation_id, chat_id, token)
        text = "hello"
    metadata: dict[str, Any] = {"channel": "telegram", "address": chat_id}
    if language in ("en", "fr", "nl"):
        metadata["language"] = language
    try:
        replies = await converse(
            request,
            IncomingMessage(sender=conversation_id, message=text, metadata=metadata),
            "telegram",
            address=chat_id,
            source=chat_id,
        )
    except TooFast as too_fast:
        replies = [{"text": too_fast.reply}]
    await _send(bot, chat.id, replies)
    return {"ok": True}
