"""The one way a message leaves us, for every sender: an agent's reply, an outreach contact,
a one-time code, a payment link texted during a call.

What differs by channel is here and only here: Twilio for SMS and WhatsApp (with WhatsApp's
24-hour rule: outside it only the approved template that invites a reply may go), the Bot API
for Telegram, nothing to push for the web chat (it fetches), and no typing to a caller.
Callers decide what a refusal means for them (an agent is told, a contact is marked failed);
`NotConfigured` lets the demo print the message on the console instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram.error import TelegramError
from twilio.base.exceptions import TwilioException

from amicable.db.models import Conversation, Message
from amicable.providers import email, telegram, twilio
from amicable.providers.errors import NotConfigured, NotSent
from amicable.settings import Settings

TEXT_CHANNELS = ("sms", "whatsapp", "telegram")
__all__ = ["NotConfigured", "NotSent", "Sent", "send", "whatsapp_window_open", "whatsapp_windows_open"]
WHATSAPP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Sent:
    provider_id: str | None
    """The provider's id for what went (Twilio's message sid, Telegram's message id)."""
    note: str
    """What happened, for the agent and the contact log."""
    template_only: bool = False
    """WhatsApp's window was closed: the template inviting a reply went instead of the text."""


def send(
    session: Session,
    settings: Settings,
    channel: str,
    address: str | None,
    text: str,
    conversation_id: str = "",
    window_open: bool | None = None,
) -> Sent:
    """Send `text` to `address` on `channel`, or raise NotSent saying why. An email needs the
    conversation (`email:<file>:<address>`), whose file its reply address is bound to.
    `window_open`: on WhatsApp, whether its 24 hours are open, when the caller read it for a
    batch (`whatsapp_windows_open`); else it is read here."""
    if channel in ("web", "rest"):
        return Sent(None, "shown in the web chat")
    if channel == "voice":
        raise NotSent("the debtor is on a call: speak to them on the agent line")
    if not address:
        raise NotSent("no address is known for this debtor on this channel")
    if channel in ("sms", "whatsapp"):
        return _twilio(session, settings, channel, address, text, window_open)
    if channel == "telegram":
        return _telegram(settings, address, text)
    if channel == "email":
        return _email(session, settings, address, text, conversation_id)
    raise NotSent(f"no way to reach the {channel} channel")


def _twilio(
    session: Session, settings: Settings, channel: str, address: str, text: str, window_open: bool | None
) -> Sent:
    number = twilio.e164(address)
    if number is None:
        raise NotSent(f"{address!r} is not a phone number Twilio can send to")
    client = twilio.client(settings)
    if client is None:
        raise NotConfigured(
            "Twilio sending is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER)"
        )
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    to, from_ = prefix + number, prefix + settings.twilio_from_number
    try:
        if window_open is None and channel == "whatsapp":
            window_open = whatsapp_window_open(session, f"whatsapp:{number}")
        if channel == "whatsapp" and not window_open:
            if not settings.whatsapp_reopen_template_sid:
                raise NotSent(
                    "more than 24 hours since the debtor last wrote on WhatsApp, and no approved template is "
                    "configured (WHATSAPP_REOPEN_TEMPLATE_SID)"
                )
            message = client.messages.create(to=to, from_=from_, content_sid=settings.whatsapp_reopen_template_sid)
            return Sent(
                message.sid,
                f"outside WhatsApp's 24 hours: the approved template inviting a reply went ({message.sid}); "
                "send your message again once they answer",
                template_only=True,
            )
        message = client.messages.create(to=to, from_=from_, body=text)
    except TwilioException as error:
        raise NotSent(f"Twilio did not take the message: {error}") from None
    return Sent(message.sid, f"sent by {channel} ({message.sid})")


def _telegram(settings: Settings, chat_id: str, text: str) -> Sent:
    if not settings.telegram_bot_token:
        raise NotConfigured("Telegram sending is not configured (TELEGRAM_BOT_TOKEN)")
    try:
        message_id = telegram.send_message(settings, chat_id, text)
    except (TelegramError, ValueError) as error:
        raise NotSent(f"Telegram refused the message: {error}") from None
    return Sent(message_id, "sent on Telegram")


def _email(session: Session, settings: Settings, address: str, text: str, conversation_id: str) -> Sent:
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is None or conversation.account_id is None:
        raise NotSent("this email conversation is not tied to a file: the answer cannot carry its reply address")
    subject = email.reply_subject(conversation.language)
    message = email.plain_message(settings, conversation.account_id, address, text, subject)
    message_id = email.send(settings, message)
    return Sent(message_id, f"sent by email ({message_id})")


def whatsapp_window_open(session: Session, conversation_id: str, now: datetime | None = None) -> bool:
    """Whether a free-form WhatsApp message may be sent now: within 24 hours of the debtor's
    last message in that thread (else only an approved template)."""
    return conversation_id in whatsapp_windows_open(session, [conversation_id], now)


def whatsapp_windows_open(session: Session, conversation_ids: list[str], now: datetime | None = None) -> set[str]:
    """Those of the threads `conversation_ids` whose WhatsApp window is open (see
    `whatsapp_window_open`), read at once for a batch."""
    if not conversation_ids:
        return set()
    since = (now or datetime.now(UTC)) - WHATSAPP_WINDOW
    return set(
        session.scalars(
            select(Message.conversation_id)
            .where(
                Message.conversation_id.in_(sorted(set(conversation_ids))),
                Message.author == "debtor",
                Message.created_at > since,
            )
            .distinct()
        )
    )
