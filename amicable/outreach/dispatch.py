"""Sending one planned contact, at most once: claimed, asked of the rules again, rendered
(outreach/render.py), sent through the one outbound path (providers/outbound.py), and kept
in the debtor's transcript.

A contact is claimed (queued -> sending) in its own committed transaction before anything
leaves, so two workers, a retried task or a restarted run can never send it twice: whoever
loses the claim does nothing. A contact left in `sending` by a crash is not retried blindly;
it waits for a person to look (the contact log says where it stopped).
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from amicable.db.models import Account, Handoff, OutreachContact
from amicable.db.session import transaction
from amicable.outreach.email_compose import compose
from amicable.outreach.permission import may_contact
from amicable.outreach.render import SendFailed, render
from amicable.outreach.strategy import load_strategy
from amicable.providers import email as email_provider
from amicable.providers import outbound
from amicable.providers.email import usable_email
from amicable.providers.twilio import e164
from amicable.services import ServiceError, calls, conversations
from amicable.services.accounts import balance, log_contact
from amicable.services.conversations import confirmed_telegram_chat
from amicable.settings import Settings

log = structlog.get_logger()


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
        expected = isinstance(error, (outbound.NotSent, ServiceError))
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


def _send(session: Session, settings: Settings, contact: OutreachContact, now: datetime) -> None:
    account: Account = contact.account
    channel = contact.channel
    if channel == "voice":
        contact.provider_id = calls.place_call(session, settings, account)
        contact.text = "(call placed: the conversation runs on the phone)"
    elif channel == "email":
        contact.sent_at = now
        contact.text, contact.provider_id = _deliver_email(session, settings, contact)
        conversations.record_outreach(session, account, channel, contact.text)
    else:
        contact.sent_at = now
        text = render(session, settings, contact)
        contact.text = text
        contact.provider_id = _deliver_text(session, settings, channel or "", account, text)
        conversations.record_outreach(session, account, channel or "", text)
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
    strategy = load_strategy(settings.policies_dir, account.creditor.name)
    return any(step.id == step_id and step.handover for step in strategy.steps)


def _deliver_email(session: Session, settings: Settings, contact: OutreachContact) -> tuple[str, str | None]:
    """The email's subject and text part (what the transcript keeps), and its Message-ID."""
    address = usable_email(contact.account.debtor.email)
    if address is None:
        raise SendFailed(f"the email address on file ({contact.account.debtor.email or 'none'}) cannot be written to")
    composed = compose(session, settings, contact, address)
    kept = f"{composed.subject}\n\n{composed.text}"
    try:
        return kept, email_provider.send(settings, composed.message, [address])
    except outbound.NotConfigured:
        log.info("outbound email", account=contact.account.reference, to=address, subject=composed.subject)
        return kept, None


def _deliver_text(session: Session, settings: Settings, channel: str, account: Account, text: str) -> str | None:
    """Through the channel's provider when configured; otherwise printed to the console (the
    embedded default), where `make run` shows it."""
    if channel == "telegram":
        confirmed = confirmed_telegram_chat(session, account)
        if confirmed is None:
            raise SendFailed("no Telegram chat in which the debtor confirmed who they are")
        address = confirmed.address
    else:
        address = e164(account.debtor.phone)
        if address is None:
            raise SendFailed(f"the phone number on file ({account.debtor.phone or 'none'}) cannot be texted")
    try:
        return outbound.send(session, settings, channel, address, text).provider_id
    except outbound.NotConfigured:
        log.info("outbound message", channel=channel, account=account.reference, to=address, text=text)
        return None
