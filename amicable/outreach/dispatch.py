"""Sending one planned contact, at most once.

A contact is claimed (queued -> sending) in its own committed transaction before anything
leaves, so two workers, a retried task or a restarted run can never send it twice: whoever
loses the claim does nothing. A contact left in `sending` by a crash is not retried blindly;
it waits for a person to look (the contact log says where it stopped).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from twilio.base.exceptions import TwilioException

from amicable.channels.providers import twilio_client
from amicable.compliance.fees import announced_costs
from amicable.compliance.rules import rulebook
from amicable.db.models import Account, Conversation, Handoff, Message, OutreachContact
from amicable.db.session import transaction
from amicable.outreach.templates import load_templates
from amicable.services import ServiceError, calls, link_tokens
from amicable.services.accounts import balance, log_contact
from amicable.services.payments import create_payment_link
from amicable.settings import Settings
from amicable.web.pay_texts import locale_for, long_date, money

log = structlog.get_logger()
TEXT_CHANNELS = ("sms", "whatsapp", "telegram")


class SendFailed(Exception):
    pass


def claim(factory: sessionmaker[Session], contact_id: int) -> bool:
    with transaction(factory) as session:
        claimed = session.execute(
            update(OutreachContact)
            .where(OutreachContact.id == contact_id, OutreachContact.status == "queued")
            .values(status="sending")
        )
        return claimed.rowcount == 1


def send_contact(
    factory: sessionmaker[Session], settings: Settings, contact_id: int, now: datetime | None = None
) -> str:
    """Send a queued contact; returns what became of it (sent, failed, or not-claimed).
    `now` is the run's instant (a run planned as of another moment records that moment)."""
    if not claim(factory, contact_id):
        return "not-claimed"
    try:
        with transaction(factory) as session:
            contact = session.get(OutreachContact, contact_id)
            assert contact is not None
            _send(session, settings, contact, now or datetime.now(UTC))
            return "sent"
    except (SendFailed, ServiceError, TwilioException) as error:
        reason = getattr(error, "message", None) or str(error)
        with transaction(factory) as session:
            contact = session.get(OutreachContact, contact_id)
            assert contact is not None
            contact.status, contact.rule, contact.reason = "failed", "provider", reason
            log_contact(session, contact.account, "outreach_failed", f"{contact.step}: {reason}", contact.channel)
        log.warning("outreach not sent", contact=contact_id, reason=reason)
        return "failed"


def render(session: Session, settings: Settings, contact: OutreachContact) -> str:
    account = contact.account
    debtor = account.debtor
    language = debtor.language if debtor.language in ("en", "fr", "nl") else "en"
    locale = locale_for(language, debtor.country)
    template = load_templates(settings.policies_dir)[contact.template]
    needed = template.fields()
    owed = balance(account)
    values = {
        "first_name": (debtor.name or "").split()[0] if debtor.name else "",
        "creditor": account.creditor.name,
        "amount": money(owed, account.currency, locale),
        "full_amount": money(owed, account.currency, locale),
        "due_date": long_date(contact.cycle, locale),
        "pay_by": long_date(contact.cycle, locale),
    }
    if "link" in needed and owed > Decimal("0"):
        offer = _early_offer(settings, account, contact)
        link = create_payment_link(session, settings, account, early_payment=offer)
        values["link"] = link.url
        if offer is not None:
            values["amount"] = money(link.amount, account.currency, locale)
    if "chat_link" in needed:
        token = link_tokens.sign(account.id, settings.amicable_api_key)
        values["chat_link"] = f"{settings.public_base_url.rstrip('/')}/?token={token}"
    rules = rulebook(settings.policies_dir).for_country(debtor.country)
    if "costs" in needed:
        costs = announced_costs(rules.fees, owed, (contact.sent_at or datetime.now(UTC)).date())
        if costs is None:
            raise SendFailed(f"collection costs may not be announced under the {rules.country or 'default'} rules")
        values["costs"] = money(costs.amount, account.currency, locale)
        values["costs_from"] = long_date(date.fromisoformat(costs.reason), locale)
    text = template.render(language, contact.tone, values)
    earlier = session.scalar(
        select(OutreachContact.id).where(
            OutreachContact.account_id == account.id,
            OutreachContact.cycle == contact.cycle,
            OutreachContact.status == "sent",
        )
    )
    notices = ([] if earlier else list(rules.notices.first)) + (
        list(rules.notices.every_text) if contact.channel in TEXT_CHANNELS else []
    )
    book = rulebook(settings.policies_dir)
    words = [book.notice(name, language) for name in dict.fromkeys(notices)]
    return " ".join([text, *words])


def _early_offer(settings: Settings, account: Account, contact: OutreachContact) -> tuple[Decimal, date] | None:
    """The creditor's discount for paying before the due date, when this message offers it."""
    if contact.template != "pre_due_discount":
        return None
    from amicable.outreach.strategy import load_strategy

    percent = load_strategy(settings.policies_dir, account.creditor.name).early_payment_discount_percent
    return (percent, contact.cycle) if percent > 0 else None


def _send(session: Session, settings: Settings, contact: OutreachContact, now: datetime) -> None:
    account: Account = contact.account
    channel = contact.channel
    if channel == "voice":
        contact.provider_id = calls.place_call(session, settings, account)
        contact.text = "(call placed: the conversation runs on the phone)"
    else:
        contact.sent_at = now
        text = render(session, settings, contact)
        contact.text = text
        contact.provider_id = _deliver_text(session, settings, channel or "", account, text)
        _into_transcript(session, account, channel or "", text)
    contact.status, contact.sent_at = "sent", now
    log_contact(
        session,
        account,
        "outreach_sent",
        f"{contact.step} ({contact.template}, {contact.tone}{', ' + contact.variant if contact.variant else ''}): "
        f"{contact.text}",
        channel,
    )
    if contact.step and _step_hands_over(settings, account, contact.step):
        session.add(
            Handoff(
                account=account,
                reason="strategy",
                summary=f"The outreach strategy reached '{contact.step}' without an outcome: a person should reach out.",
            )
        )


def _step_hands_over(settings: Settings, account: Account, step_id: str) -> bool:
    from amicable.outreach.strategy import load_strategy

    strategy = load_strategy(settings.policies_dir, account.creditor.name)
    return any(step.id == step_id and step.handover for step in strategy.steps)


def _deliver_text(session: Session, settings: Settings, channel: str, account: Account, text: str) -> str | None:
    """Through Twilio or Telegram when configured; otherwise printed to the console (the
    embedded default), where `make run` shows it."""
    phone = account.debtor.phone
    if channel in ("sms", "whatsapp"):
        client = twilio_client(settings)
        if client is None:
            log.info("outbound message", channel=channel, account=account.reference, to=phone, text=text)
            return None
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        message = client.messages.create(
            to=prefix + (phone or ""), from_=prefix + settings.twilio_from_number, body=text
        )
        return message.sid
    if channel == "telegram":
        chat = session.scalar(
            select(Conversation.address).where(
                Conversation.account_id == account.id, Conversation.channel == "telegram"
            )
        )
        if not settings.telegram_bot_token:
            log.info("outbound message", channel=channel, account=account.reference, to=chat, text=text)
            return None
        bot = Bot(settings.telegram_bot_token, base_url=f"{settings.telegram_api_base.rstrip('/')}/bot")
        try:
            sent = asyncio.run(bot.send_message(int(chat or 0), text[:4096]))
        except Exception as error:  # the Bot API's errors (blocked, never started) all mean: not sent
            raise SendFailed(f"Telegram refused the message: {error}") from None
        return str(sent.message_id)
    raise SendFailed(f"no sender for channel {channel}")


def _into_transcript(session: Session, account: Account, channel: str, text: str) -> None:
    """The message joins the debtor's conversation on that channel, so an agent reading it
    sees what we said, and the debtor's answer continues the same thread."""
    address = account.debtor.phone if channel in ("sms", "whatsapp") else None
    if channel == "telegram":
        conversation = session.scalar(
            select(Conversation).where(Conversation.account_id == account.id, Conversation.channel == "telegram")
        )
    else:
        conversation = session.get(Conversation, f"{channel}:{address}")
        if conversation is None:
            conversation = Conversation(id=f"{channel}:{address}", channel=channel, address=address, account=account)
            session.add(conversation)
    if conversation is not None:
        session.add(Message(conversation=conversation, author="bot", text=text, payload={"outreach": True}))
