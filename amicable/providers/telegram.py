"""Telegram's Bot API, through python-telegram-bot."""

from __future__ import annotations

import asyncio

from telegram import Bot

from amicable.settings import Settings

MAX_TEXT = 4096  # the Bot API's limit for one message


def bot(settings: Settings) -> Bot:
    """A bot for the configured token, speaking to the configured API base (a local server in tests)."""
    return Bot(settings.telegram_bot_token, base_url=f"{settings.telegram_api_base.rstrip('/')}/bot")


def send_message(settings: Settings, chat_id: str, text: str) -> str:
    """Send one message from a worker thread; returns Telegram's message id. A bot is made per
    message: its HTTP client belongs to the event loop that made it."""

    async def _send() -> str:
        async with bot(settings) as made:
            sent = await made.send_message(int(chat_id), text[:MAX_TEXT])
            return str(sent.message_id)

    return asyncio.run(_send())
