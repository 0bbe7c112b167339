"""Sending planned contacts, each at most once: claimed, asked of the rules again, rendered
(outreach/render.py), sent through the one outbound path (providers/outbound.py), and kept
in the debtor's transcript.

A contact is claimed (queued -> sending) in a committed transaction before anything leaves,
so two workers, a retried task or a restarted run can never send it twice: whoever loses the
claim does nothing. A contact left in `sending` by a crash is not retried blindly: whether it
reached the debtor is unknown. The next campaign run marks it failed as interrupted
(`interrupted`), in the contact log and the outreach figures, for a person to check before
anything is sent again.

Contacts go in batches (`send_contacts`): one statement claims the batch, the rules' facts
for all its files are read in one set of queries, and each contact is then checked, sent and
committed on its own, so a crash loses at most the batch's claims, never a second send.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from amicable.compliance.gate import Decision, Past, candidate_zones, check
from amicable.compliance.rules import rulebook
from amicable.db.models import Account, Handoff, Invoice, OutreachContact
from amicable.db.session import transaction
from amicable.outreach.email_compose import compose
from amicable.outreach.planner import effective_hours, facts_for
from amicable.outreach.render import SendFailed, render
from amicable.outreach.snapshot import AccountState, load_states
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
    return claim_many(factory, [contact_id]) == [contact_id]


def claim_many(factory: sessionmaker[Session], contact_ids: Sequence[int]) -> list[int]:
    """Claim every still-queued contact of `contact_ids` in one committed statement; the ids
    this caller won. Another worker's claim on the same rows waits for this one and then finds
    them no longer queued."""
    if not contact_ids:
        return []
    with transaction(factory) as session:
        won = session.execute(
            update(OutreachContact)
            .where(OutreachContact.id.in_(list(contact_ids)), OutreachContact.status == "queued")
            .values(status="sending", claimed_at=datetime.now(UTC))
            .returning(OutreachContact.id)
            .execution_options(synchronize_session=False)
        )
        return [row[0] for row in won]


# Far longer than a worker holds a claim: a batch of 50 sends, each bounded by its provider's
# time-out. A claim older than this was left by a worker that died.
STUCK_AFTER = timedelta(hours=1)


def interrupted(factory: sessionmaker[Session], now: datetime) -> int:
    """Mark the contacts a dead worker left claimed as failed, `interrupted`, each in its file's
    contact log; how many. Never resent here: the message may have left before the crash."""
    with transaction(factory) as session:
        stuck = list(
            session.scalars(
                select(OutreachContact)
                .where(OutreachContact.status == "sending", OutreachContact.claimed_at < now - STUCK_AFTER)
                .with_for_update(skip_locked=True)
            )
        )
        for contact in stuck:
            contact.status, contact.rule = "failed", "interrupted"
            contact.reason = (
                "the sender stopped while sending this; check whether it reached the debtor before resending"
            )
            log_contact(
                session, contact.account, "outreach_failed", f"{contact.step}: {contact.reason}", contact.channel
            )
        if stuck:
            log.error("outreach contacts left claimed by a stopped sender", count=len(stuck))
        return len(stuck)


def send_contact(
    factory: sessionmaker[Session], settings: Settings, contact_id: int, now: datetime | None = None
) -> str:
    """Send a queued contact; returns what became of it (sent, deferred, cancelled, blocked,
    failed, or not-claimed). `now` is the run's instant; workers use the clock.

    The rules are asked again at the moment of sending: between planning and sending the
    debtor may have paid, said STOP, disputed, or the window may have closed (a long run, a
    backlog on the workers)."""
    return send_contacts(factory, settings, [contact_id], now)[0]


def send_contacts(
    factory: sessionmaker[Session],
    settings: Settings,
    contact_ids: Sequence[int],
    now: datetime | None = None,
    not_before: datetime | None = None,
) -> list[str]:
    """Send queued contacts, in order; what became of each (as `send_contact` says). Each is
    checked at `now` if given, else at the clock when its turn comes (never before
    `not_before`): a batch that takes a while judges its last contact when it really goes."""
    won = set(claim_many(factory, contact_ids))
    if not won:
        return ["not-claimed"] * len(contact_ids)
    started = now or max(datetime.now(UTC), not_before or datetime.min.replace(tzinfo=UTC))
    with factory() as session:
        contacts = {
            contact.id: contact
            for contact in session.scalars(
                select(OutreachContact)
                .where(OutreachContact.id.in_(sorted(won)))
                .options(
                    selectinload(OutreachContact.account).selectinload(Account.payment_links),
                    selectinload(OutreachContact.account)
                    .selectinload(Account.invoices)
                    .selectinload(Invoice.allocations),
                )
            )
        }
        # Read after the claim, as one contact's check would be: what the rules need of these files.
        states = {
            state.id: state
            for state in load_states(session, started, account_ids=sorted({c.account_id for c in contacts.values()}))
        }
        session.commit()
        results = []
        for contact_id in contact_ids:
            contact = contacts.pop(contact_id, None)
            if contact is None:  # lost to another claim, or named again in this batch: not sent here
                results.append("not-claimed")
                continue
            moment = now or max(datetime.now(UTC), not_before or started)
            results.append(_send_claimed(factory, session, settings, contact, states.get(contact.account_id), moment))
    return results


def _send_claimed(
    factory: sessionmaker[Session],
    session: Session,
    settings: Settings,
    contact: OutreachContact,
    state: AccountState | None,
    moment: datetime,
) -> str:
    """Check and send one claimed contact, and commit what became of it."""
    contact_id = contact.id
    try:
        # One flush, at the commit, instead of one before each query the rendering and the
        # provider make (a tenth of a contact's cost): nothing they read was written in this
        # contact's own unit of work except through their explicit flushes (a new link's id).
        with session.no_autoflush:
            held = _still_allowed(session, settings, contact, moment, state)
            if held is None:
                _send(session, settings, contact, moment)
        session.commit()
    except Exception as error:  # whatever happened, the contact must not stay "sending"
        session.rollback()
        expected = isinstance(error, (outbound.NotSent, ServiceError))
        reason = getattr(error, "message", None) or str(error) or type(error).__name__
        with transaction(factory) as failing:
            row = failing.get(OutreachContact, contact_id)
            assert row is not None
            row.status, row.rule = "failed", "provider" if expected else "error"
            row.reason = reason if expected else f"unexpected error, check before resending: {reason}"
            log_contact(failing, row.account, "outreach_failed", f"{row.step}: {row.reason}", row.channel)
        if expected:
            log.warning("outreach not sent", contact=contact_id, reason=reason)
        else:
            log.exception("outreach failed unexpectedly", contact=contact_id)
        return "failed"
    if held is not None:
        return held
    if state is not None:
        # A second contact of the same file in this batch counts this one, as a fresh read would.
        kind = "call" if contact.channel == "voice" else "message"
        state.history.append(Past(moment, contact.channel or "", kind))
    return "sent"


def _still_allowed(
    session: Session, settings: Settings, contact: OutreachContact, now: datetime, state: AccountState | None
) -> str | None:
    """None when the contact may go now; otherwise what became of it, recorded on the row."""
    if balance(contact.account) <= 0:
        contact.status, contact.rule, contact.reason = "cancelled", "paid", "nothing is owed any more"
        return "cancelled"
    channel, decision = _may_send(settings, state, now, contact.channel or "")
    if channel is not None:
        return None
    if decision.retry_at is not None:
        contact.status, contact.send_at = "deferred", decision.retry_at
    else:
        contact.status = "blocked"
    contact.rule, contact.reason = decision.rule, f"at sending: {decision.reason}"
    return contact.status


def _may_send(
    settings: Settings, state: AccountState | None, now: datetime, channel: str
) -> tuple[str | None, Decision]:
    """`permission.may_contact` for one channel, on a state read with the rest of the batch:
    the same facts, zones, hours (the creditor's, narrowed to the debtor's) and rules."""
    if state is None:
        return None, Decision(False, "no_account", "no such account")
    rules = rulebook(settings.policies_dir).for_country(state.country)
    strategy = load_strategy(settings.policies_dir, state.creditor)
    facts = facts_for(
        state, candidate_zones(state.timezone, state.phone, rules), effective_hours(strategy, state.preferred_hours)
    )
    decision = check(rules, facts, channel, now, "call" if channel == "voice" else "message")
    return (channel if decision.allowed else None), decision


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
