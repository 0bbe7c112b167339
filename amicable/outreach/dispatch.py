"""Sending one planned contact, at most once.

A contact is claimed (queued -> sending) in its own committed transaction before anything
leaves, so two workers, a retried task or a restarted run can never send it twice: whoever
loses the claim does nothing. A contact left in `sending` by a crash is not retried blindly;
it waits for a person to look (the contact log says where it stopped).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from twilio.base.exceptions import TwilioException

from amicable.channels.providers import twilio_client
from amicable.channels.twilio_messaging import whatsapp_window_open
from amicable.compliance.fees import announced_costs
from amicable.compliance.rules import rulebook
from amicable.db.models import Account, Conversation, Handoff, Message, OutreachContact, PaymentLink
from amicable.db.session import transaction
from amicable.outreach.templates import load_templates
from amicable.services import ServiceError, calls, link_tokens
from amicable.services.accounts import amount_due, balance, log_contact
from amicable.services.conversations import confirmed_telegram_chat
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
    """Send a queued contact; returns what became of it (sent, deferred, cancelled, blocked,
    failed, or not-claimed). `now` is the run's instant; workers use the clock.

    The rules are asked again at the moment of sending: between planning and sending the
    debtor may have paid, said STOP, disputed, or the window may have closed (a long run, a
    backlog on the workers)."""
    if not claim(factory, contact_id):
        return "not-claimed"
    moment = now or datetime.now(UTC)
    try:
        with transaction(factory) as session:
            contact = session.get(OutreachContact, contact_id)
            assert contact is not None
            held = _still_allowed(session, settings, contact, moment)
            if held is not None:
                return held
            _send(session, settings, contact, moment)
            return "sent"
    except Exception as error:  # whatever happened, the contact must not stay "sending"
        expected = isinstance(error, (SendFailed, ServiceError, TwilioException))
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        with transaction(factory) as session:
            contact = session.get(OutreachContact, contact_id)
            assert contact is not None
            contact.status, contact.rule = "failed", "provider" if expected else "error"
            contact.reason = reason if expected else f"unexpected error, check before resending: {reason}"
            log_contact(
                session, contact.account, "outreach_failed", f"{contact.step}: {contact.reason}", contact.channel
            )
        if expected:
            log.warning("outreach not sent", contact=contact_id, reason=reason)
        else:
            log.exception("outreach failed unexpectedly", contact=contact_id)
        return "failed"


def _still_allowed(session: Session, settings: Settings, contact: OutreachContact, now: datetime) -> str | None:
    """None when the contact may go now; otherwise what became of it, recorded on the row."""
    from amicable.outreach.campaign import may_contact

    if balance(contact.account) <= 0:
        contact.status, contact.rule, contact.reason = "cancelled", "paid", "nothing is owed any more"
        return "cancelled"
    channel, decision = may_contact(session, settings, contact.account_id, now, [contact.channel or ""])
    if channel is not None:
        return None
    if decision.retry_at is not None:
        contact.status, contact.send_at = "deferred", decision.retry_at
    else:
        contact.status = "blocked"
    contact.rule, contact.reason = decision.rule, f"at sending: {decision.reason}"
    return contact.status


def due_now(account: Account, cycle: date, today: date) -> Decimal:
    """What the message asks for: the open invoices due by today (or, before the due date, by
    the due date), never invoices that are not due yet."""
    last = max(today, cycle)
    return sum((amount_due(i) for i in account.invoices if i.due_on <= last), Decimal("0.00"))


def render(session: Session, settings: Settings, contact: OutreachContact) -> str:
    from amicable.outreach.strategy import load_strategy

    account = contact.account
    debtor = account.debtor
    strategy = load_strategy(settings.policies_dir, account.creditor.name)
    language = debtor.language if debtor.language in ("en", "fr", "nl") else strategy.language
    locale = locale_for(language, debtor.country)
    template = load_templates(settings.policies_dir)[contact.template]
    needed = template.fields()
    sent_on = (contact.sent_at or datetime.now(UTC)).astimezone(ZoneInfo(debtor.timezone or "UTC")).date()
    asked = due_now(account, contact.cycle, sent_on)
    values = {
        "first_name": (debtor.name or "").split()[0] if debtor.name else "",
        "creditor": account.creditor.name,
        "amount": money(asked, account.currency, locale),
        "full_amount": money(asked, account.currency, locale),
        "due_date": long_date(contact.cycle, locale),
        "pay_by": long_date(contact.cycle, locale),
    }
    if "link" in needed:
        if asked <= 0:
            raise SendFailed("nothing is due: no link to send")
        offer = _early_offer(settings, account, contact)
        link = _open_link(session, settings, account, asked, offer, contact.sent_at or datetime.now(UTC))
        values["link"] = link.url
        if offer is not None:
            values["amount"] = money(link.amount, account.currency, locale)
    if "chat_link" in needed:
        token = link_tokens.sign(account.id, settings.amicable_link_secret)
        values["chat_link"] = link_tokens.chat_url(settings.public_base_url, token, language)
    book = rulebook(settings.policies_dir)
    rules = book.for_country(debtor.country)
    if "costs" in needed:
        costs = announced_costs(rules.fees, asked, sent_on)
        if costs is None:
            raise SendFailed(f"collection costs may not be announced under the {rules.country or 'default'} rules")
        values["costs"] = money(costs.amount, account.currency, locale)
        values["costs_from"] = long_date(date.fromisoformat(costs.reason), locale)
    text = template.render(language, contact.tone, values)
    return " ".join([text, *(book.notice(name, language) for name in _notices(session, rules, contact))])


def _notices(session: Session, rules, contact: OutreachContact) -> list[str]:  # type: ignore[no-untyped-def]
    """The notices this message carries: those of the first message on this channel, those of
    every text, and none that reveal a debt before the debtor confirmed who they are."""
    private = contact.template == "private_contact"
    earlier = list(
        session.scalars(
            select(OutreachContact.template).where(
                OutreachContact.account_id == contact.account_id,
                OutreachContact.channel == contact.channel,
                OutreachContact.status == "sent",
                OutreachContact.id != contact.id,
            )
        )
    )
    names: list[str] = []
    for name in rules.notices.first:
        told = earlier if name not in rules.notices.needs_identity else [t for t in earlier if t != "private_contact"]
        if not told:
            names.append(name)
    if contact.channel in TEXT_CHANNELS:
        names += rules.notices.every_text
    if private:
        names = [n for n in names if n not in rules.notices.needs_identity]
    return list(dict.fromkeys(names))


def _open_link(
    session: Session,
    settings: Settings,
    account: Account,
    amount: Decimal,
    offer: tuple[Decimal, date] | None,
    now: datetime,
) -> PaymentLink:
    """A link still open for this amount and offer is sent again rather than a second one,
    so the debtor never holds two links for the same money."""
    for link in account.payment_links:
        expected = amount - (link.discount if offer else Decimal("0.00"))
        if (
            link.status == "open"
            and link.expires_at > now + timedelta(days=1)
            and link.amount == expected
            and bool(link.discount) == bool(offer)
        ):
            return link
    return create_payment_link(session, settings, account, amount, early_payment=offer)


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
    phone = e164(account.debtor.phone)
    if channel in ("sms", "whatsapp"):
        client = twilio_client(settings)
        if client is None:
            log.info("outbound message", channel=channel, account=account.reference, to=phone, text=text)
            return None
        prefix = "whatsapp:" if channel == "whatsapp" else ""
        if channel == "whatsapp" and not whatsapp_window_open(session, f"whatsapp:{phone}"):
            # PL-01: outside 24 hours of the debtor's last message only an approved template
            # may go; it invites them to reply, and the conversation continues from there.
            if not settings.whatsapp_reopen_template_sid:
                raise SendFailed(
                    "WhatsApp allows only an approved template outside 24 hours of the debtor's last message, "
                    "and none is configured (WHATSAPP_REOPEN_TEMPLATE_SID)"
                )
            message = client.messages.create(
                to=prefix + (phone or ""),
                from_=prefix + settings.twilio_from_number,
                content_sid=settings.whatsapp_reopen_template_sid,
            )
            return message.sid
        message = client.messages.create(
            to=prefix + (phone or ""), from_=prefix + settings.twilio_from_number, body=text
        )
        return message.sid
    if channel == "telegram":
        confirmed = confirmed_telegram_chat(session, account)
        if confirmed is None:
            raise SendFailed("no Telegram chat in which the debtor confirmed who they are")
        chat = confirmed.address
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


def e164(phone: str | None) -> str | None:
    """The number as Twilio and the inbound threads write it (+32470123456)."""
    if not phone:
        return None
    try:
        return phonenumbers.format_number(phonenumbers.parse(phone, None), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return phone


def _into_transcript(session: Session, account: Account, channel: str, text: str) -> None:
    """The message joins the debtor's conversation on that channel, so an agent reading it
    sees what we said, and the debtor's answer continues the same thread."""
    address = e164(account.debtor.phone) if channel in ("sms", "whatsapp") else None
    if channel == "telegram":
        conversation = confirmed_telegram_chat(session, account)
    else:
        conversation = session.get(Conversation, f"{channel}:{address}")
        if conversation is not None and conversation.account_id not in (None, account.id):
            return  # a number shared with another file: never write into that file's thread
        if conversation is None:
            conversation = Conversation(id=f"{channel}:{address}", channel=channel, address=address, account=account)
            session.add(conversation)
    if conversation is not None:
        session.add(Message(conversation=conversation, author="bot", text=text, payload={"outreach": True}))
