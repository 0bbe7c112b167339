"""An agent's reply, delivered on the debtor's own channel.

The web chat fetches what agents wrote (it asks every few seconds while open), so nothing is
pushed there. SMS and WhatsApp go through Twilio's API, Telegram through the Bot API. WhatsApp
allows free text only within 24 hours of the debtor's last message; outside it the agent is
told, since only an approved template may be sent then. A caller is on the phone: replies are
spoken on the agent line, not typed.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from telegram.error import TelegramError
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from amicable.channels.providers import telegram_bot, twilio_client
from amicable.channels.twilio_messaging import whatsapp_window_open
from amicable.db.models import Conversation


class NotDelivered(Exception):
    """The reply was kept in the transcript but could not reach the debtor; says why."""


async def _reopen_whatsapp(app: FastAPI, client: Client, address: str) -> str:
    """Outside the 24 hours only an approved template may go: it asks the debtor to reply; the
    agent's words stay in the transcript and can be sent once the debtor has answered."""
    settings = app.state.settings
    if not settings.whatsapp_reopen_template_sid:
        raise NotDelivered(
            "more than 24 hours since the debtor last wrote on WhatsApp, and no approved template is configured "
            "(WHATSAPP_REOPEN_TEMPLATE_SID)"
        )
    try:
        message = await run_in_threadpool(
            client.messages.create,
            to=f"whatsapp:{address}",
            from_=f"whatsapp:{settings.twilio_from_number}",
            content_sid=settings.whatsapp_reopen_template_sid,
        )
    except TwilioException as error:
        raise NotDelivered(f"Twilio refused the template: {error}") from None
    return (
        f"outside WhatsApp's 24 hours: the approved template inviting a reply went ({message.sid}); "
        "send your message again once they answer"
    )


def _twilio(app: FastAPI) -> Client:
    client = twilio_client(app.state.settings)
    if client is None:
        raise NotDelivered(
            "Twilio sending is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)"
        )
    return client


async def deliver(app: FastAPI, conversation: Conversation, text: str) -> str:
    channel, address = conversation.channel, conversation.address
    if channel in ("web", "rest"):
        return "shown in the web chat"
    if channel == "voice":
        raise NotDelivered("the debtor is on a call: speak to them on the agent line")
    if not address:
        raise NotDelivered("no address is known for this conversation")
    if channel in ("sms", "whatsapp"):
        settings = app.state.settings
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        client = _twilio(app)
        if channel == "whatsapp":
            with app.state.sessionmaker() as session:
                window_open = whatsapp_window_open(session, conversation.id)
            if not window_open:
                return await _reopen_whatsapp(app, client, address)
        try:
            message = await run_in_threadpool(
                client.messages.create, to=prefix + address, from_=prefix + settings.twilio_from_number, body=text
            )
        except TwilioException as error:
            raise NotDelivered(f"Twilio refused the message: {error}") from None
        return f"sent by {channel} ({message.sid})"
    if channel == "telegram":
        bot = await telegram_bot(app)
        try:
            await bot.send_message(int(address), text[:4096])
        except (TelegramError, ValueError) as error:
            raise NotDelivered(f"Telegram refused the message: {error}") from None
        return "sent on Telegram"
    raise NotDelivered(f"no way to reach the {channel} channel")
