"""The clients of the messaging providers, built in one place from the settings: Twilio's
REST client (texts, calls) and the Telegram bot, kept on the app once it has said hello."""

from __future__ import annotations

from fastapi import FastAPI
from telegram import Bot
from twilio.rest import Client

from amicable.settings import Settings


def twilio_client(settings: Settings) -> Client | None:
    """Twilio's REST client, or None when sending is not configured."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number):
        return None
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client


async def telegram_bot(app: FastAPI) -> Bot:
    bot = getattr(app.state, "telegram_bot", None)
    if bot is None:
        settings = app.state.settings
        bot = Bot(settings.telegram_bot_token, base_url=f"{settings.telegram_api_base.rstrip('/')}/bot")
        await bot.initialize()
        app.state.telegram_bot = bot
    return bot
