"""Sending planned contacts, each at most once: claimed, asked of the rules again, rendered
(outreach/render.py), sent through the one outbound path (providers/outbound.py), and kept
in the debtor's transcript.

A contact is claimed (queued -> sending) in a committed transaction before anything leaves,
so two workers, a retried task or a restarted run can never send it twice: whoever loses the
claim does nothing. A contact left in `sending` by a crash is not retried blindly: whether it
reached the debtor is unknown. The next campaign run marks it failed as interrupted
(`interrupted`), in the contact log and the outreach figures, for a person to check before
anything is sent again.

Contacts go in batches (`send_contacts`): one statement claims the batch; one transaction
then takes its files, reads what the rules need of them, checks each contact and puts it in
its final words (making its payment link); each is sent; and the sends are recorded
`RECORD_EVERY` at a time. A crash loses at most the batch's claims, never causes a second
send; the contacts it leaves `sending` are the ones a person must check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

import structlog
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker
from twilio.rest import Client as TwilioClient

from amicable.compliance.gate import Decision, candidate_zones, check
from amicable.compliance.rules import rulebook
from amicable.db.models import Account, ContactEvent, Conversation, Handoff, Invoice, Message, OutreachContact
from amicable.db.session import transaction
from amicable.language import COUNTRY_LOCALES, LOCALES, long_date
from amicable.money import display as money
from amicable.outreach.email_compose import compose
from amicable.outreach.planner import effective_hours, facts_for
from amicable.outreach.render import SendFailed, render, sent_templates
from amicable.outreach.snapshot import AccountState, load_states
from amicable.outreach.strategy import check_strategies, load_strategy
from amicable.outreach.templates import load_templates
from amicable.providers import email as email_provider
from amicable.providers import outbound
from amicable.providers.email import usable_email
from amicable.providers.twilio import e164
from amicable.services import ServiceError, calls, conversations
from amicable.services.accounts import balance, contact_event, log_contact
from amicable.services.conversations import confirmed_telegram_chat
from amicable.services.payments import lock_accounts
from amicable.settings import Settings

log = structlog.get_logger()


def load_once(settings: Settings) -> None:
    """Read now what sending reads on its first contacts: the rules, strategies and templates,
    the locales' number and date formats, and the modules Twilio's client imports on first use.
    A worker calls it before its pool forks (outreach/tasks.py), so every process starts with
    them instead of each loading them again (a tenth of a short run's time)."""
    rulebook(settings.policies_dir)
    check_strategies(settings.policies_dir)
    load_templates(settings.policies_dir)
    for locale in {*LOCALES.values(), *COUNTRY_LOCALES.values()}:
        money(Decimal("1.00"), "EUR", locale)
        long_date(date(2000, 1, 1), locale)
    unused = TwilioClient("AC" + "0" * 32, "not-a-token")  # opens no connection
    _ = unused.messages, unused.calls  # what they import is what a first send would


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
    checked at `now` if given, else at the clock when its pass is prepared (never before
    `not_before`): a batch that takes a while judges its later contacts when they really go."""
    won = set(claim_many(factory, contact_ids))
    outcomes: dict[int, str] = {}
    pending = [contact_id for contact_id in dict.fromkeys(contact_ids) if contact_id in won]
    while pending:
        pending = _send_pass(factory, settings, pending, outcomes, now, not_before)
    results = []
    for contact_id in contact_ids:  # an id named twice in a batch goes once
        results.append(outcomes.pop(contact_id, "not-claimed"))
    return results


# A chunk's sent contacts, marked in one executemany statement on the table itself: the ORM's
# bulk path on top of it cost a twentieth more of a worker's time per contact.
_contacts = OutreachContact.__table__
_MARK_SENT = (
    update(_contacts)
    .where(_contacts.c.id == bindparam("contact_id"))
    .values(status="sent", sent_at=bindparam("moment"), text=bindparam("words"), provider_id=bindparam("sid"))
)

# Sends recorded together, in one commit. A worker that dies between a send and its record
# leaves at most this many contacts `sending`, which `interrupted` then shows to a person.
RECORD_EVERY = 10


@dataclass
class _Ready:
    """A claimed contact the rules let go, in its final words, not sent yet."""

    contact: OutreachContact
    moment: datetime
    address: str | None
    text: str
    """What the transcript and the contact's row keep (an email: its subject and text part)."""
    email: EmailMessage | None = None


class _Postponed(Exception):
    """This pass already holds a contact of the same file or to the same address: this one is
    prepared once that one is recorded (its notices, the rules and the thread depend on it)."""


def _send_pass(
    factory: sessionmaker[Session],
    settings: Settings,
    contact_ids: list[int],
    outcomes: dict[int, str],
    now: datetime | None,
    not_before: datetime | None,
) -> list[int]:
    """Claimed contacts in three steps: prepare all of them in one transaction (the rules
    asked again, the words, any payment link), send each, and record the sends every
    `RECORD_EVERY`. The ids postponed to a next pass.

    Preparing together is what makes a batch cheap: one lock and one read for fifty files,
    and one write of their links. It costs nothing in safety: nothing has left when it is
    committed, and a contact that cannot go fails on its own. Should preparing fail in a way
    that may have left a contact half-written, the batch is rolled back and each contact is
    prepared on its own."""
    started = now or max(datetime.now(UTC), not_before or datetime.min.replace(tzinfo=UTC))
    ready: list[_Ready] = []
    postponed: list[int] = []
    with factory() as session:
        try:
            with session.no_autoflush:
                contacts, states = _read_locked(session, contact_ids, started)
                earlier = sent_templates(session, list(contacts.values()))
                files: set[int] = set()
                addresses: set[tuple[str, str]] = set()
                for contact_id in contact_ids:
                    contact = contacts[contact_id]
                    moment = now or max(datetime.now(UTC), not_before or started)
                    try:
                        state = states.get(contact.account_id)
                        outcome = _prepare(
                            session, settings, contact, state, moment, earlier[contact_id], files, addresses
                        )
                    except _Postponed:
                        postponed.append(contact_id)
                        continue
                    if isinstance(outcome, _Ready):
                        ready.append(outcome)
                    else:
                        outcomes[contact_id] = outcome
            session.commit()
        except Exception as error:
            session.rollback()
            for contact_id in contact_ids:
                outcomes.pop(contact_id, None)
            if len(contact_ids) > 1:
                log.warning("outreach batch could not be prepared together; one by one", error=str(error))
                for contact_id in contact_ids:
                    _send_pass(factory, settings, [contact_id], outcomes, now, not_before)
                return []
            _fail_apart(factory, contact_ids[0], error)
            outcomes[contact_ids[0]] = "failed"
            return []
        # Read once for the pass: the threads the sends join, and which WhatsApp windows are
        # open (a debtor writing meanwhile only opens one: the approved template then goes
        # where a free text could have).
        threads = conversations.outreach_threads(
            session, [(item.contact.account, item.contact.channel or "") for item in ready]
        )
        windows = outbound.whatsapp_windows_open(
            session, [f"whatsapp:{item.address}" for item in ready if item.contact.channel == "whatsapp"]
        )
        for start in range(0, len(ready), RECORD_EVERY):
            chunk = ready[start : start + RECORD_EVERY]
            sends = [(item, _deliver(session, settings, item, windows)) for item in chunk]
            _record(factory, session, settings, sends, outcomes, threads)
    return postponed


def _read_locked(
    session: Session, contact_ids: list[int], at: datetime
) -> tuple[dict[int, OutreachContact], dict[int, AccountState]]:
    """The contacts with their files, and what the rules need of those files, read after
    taking the files (`lock_accounts`): a payment or a conversation making a link meanwhile
    waits, so what is read stays true until the commit."""
    account_ids = list(session.scalars(select(OutreachContact.account_id).where(OutreachContact.id.in_(contact_ids))))
    lock_accounts(session, account_ids)
    contacts = {
        contact.id: contact
        for contact in session.scalars(
            select(OutreachContact)
            .where(OutreachContact.id.in_(contact_ids))
            .options(
                selectinload(OutreachContact.account).selectinload(Account.payment_links),
                selectinload(OutreachContact.account).selectinload(Account.invoices).selectinload(Invoice.allocations),
            )
        )
    }
    states = {state.id: state for state in load_states(session, at, account_ids=sorted(set(account_ids)))}
    return contacts, states


def _prepare(
    session: Session,
    settings: Settings,
    contact: OutreachContact,
    state: AccountState | None,
    moment: datetime,
    earlier: list[str],
    files: set[int],
    addresses: set[tuple[str, str]],
) -> _Ready | str:
    """The contact ready to go, or what became of it instead (recorded on its row).
    `earlier`: the templates sent to its file on its channel before; `files` and `addresses`:
    those this pass already holds a contact for."""
    if contact.account_id in files:
        raise _Postponed
    held = _still_allowed(session, settings, contact, moment, state)
    if held is not None:
        return held
    channel, account = contact.channel or "", contact.account
    try:
        address = _address(session, channel, account)
        if address is not None and (channel, address) in addresses:
            raise _Postponed
        if channel == "voice":
            ready = _Ready(contact, moment, address, "(call placed: the conversation runs on the phone)")
        elif channel == "email":
            assert address is not None
            composed = compose(session, settings, contact, address, moment, earlier)
            ready = _Ready(contact, moment, address, f"{composed.subject}\n\n{composed.text}", composed.message)
        else:
            ready = _Ready(contact, moment, address, render(session, settings, contact, moment, earlier))
    except SendFailed as error:  # found before anything was written for this contact
        _mark_failed(session, contact, error)
        return "failed"
    files.add(contact.account_id)
    if address is not None:
        addresses.add((channel, address))
    return ready


def _address(session: Session, channel: str, account: Account) -> str | None:
    """Where this file is reached on `channel`; SendFailed when nowhere. A call checks its
    number when it is placed (`calls.ready`)."""
    if channel == "voice":
        return None
    if channel == "email":
        address = usable_email(account.debtor.email)
        if address is None:
            raise SendFailed(f"the email address on file ({account.debtor.email or 'none'}) cannot be written to")
        return address
    if channel == "telegram":
        confirmed = confirmed_telegram_chat(session, account)
        if confirmed is None:
            raise SendFailed("no Telegram chat in which the debtor confirmed who they are")
        return confirmed.address
    number = e164(account.debtor.phone)
    if number is None:
        raise SendFailed(f"the phone number on file ({account.debtor.phone or 'none'}) cannot be texted")
    return number


def _deliver(
    session: Session, settings: Settings, item: _Ready, windows: set[str]
) -> tuple[str | None, Exception | None]:
    """Send one prepared contact: the provider's id for it, or why it did not go. Through the
    channel's provider when configured; otherwise printed to the console (the embedded
    default), where `make run` shows it. `windows`: the WhatsApp threads whose 24 hours are
    open, read for the contact's chunk."""
    contact = item.contact
    channel, account = contact.channel or "", contact.account
    try:
        if channel == "voice":
            return calls.place_call(session, settings, account), None
        if channel == "email":
            assert item.email is not None and item.address is not None
            return email_provider.send(settings, item.email, [item.address]), None
        window = f"whatsapp:{item.address}" in windows
        return outbound.send(session, settings, channel, item.address, item.text, window_open=window).provider_id, None
    except outbound.NotConfigured:
        if channel == "email":
            log.info("outbound email", account=account.reference, to=item.address, subject=item.text.split("\n")[0])
        else:
            log.info("outbound message", channel=channel, account=account.reference, to=item.address, text=item.text)
        return None, None
    except Exception as error:  # recorded as this contact's failure; the others go on
        return None, error


def _record(
    factory: sessionmaker[Session],
    session: Session,
    settings: Settings,
    delivered: list[tuple[_Ready, tuple[str | None, Exception | None]]],
    outcomes: dict[int, str],
    threads: dict[str, Conversation],
) -> None:
    """Keep what became of sent contacts, in one commit: each sent one in the debtor's
    transcript (`threads`: the conversations they join, read for the pass) and contact log,
    each refused one failed with the provider's reason.

    The sends' rows are written as rows, a statement per table for the chunk, straight to the
    tables: made into objects, the unit of work spent more on them than on anything else in a
    send."""
    contacts: list[dict[str, object]] = []
    started: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    try:
        with session.no_autoflush:
            for item, (provider_id, error) in delivered:
                if error is not None:
                    _mark_failed(session, item.contact, error)
                    continue
                contact = item.contact
                account, channel = contact.account, contact.channel or ""
                contacts.append(
                    {"contact_id": contact.id, "moment": item.moment, "words": item.text, "sid": provider_id}
                )
                if channel != "voice":
                    thread, line = conversations.outreach_rows(session, account, channel, item.text, threads)
                    started += [thread] if thread else []
                    lines += [line] if line else []
                events.append(contact_event(account.id, "outreach_sent", _sent_detail(contact, item.text), channel))
                if contact.step and _step_hands_over(settings, account, contact.step):
                    session.add(
                        Handoff(
                            account_id=account.id,
                            reason="strategy",
                            summary=f"The outreach strategy reached '{contact.step}' without an outcome: "
                            "a person should reach out.",
                        )
                    )
            for model, rows in ((Conversation, started), (Message, lines), (ContactEvent, events)):
                if rows:
                    session.execute(insert(model.__table__), rows)
            if contacts:
                session.execute(_MARK_SENT, contacts)
        session.commit()
    except Exception as error:
        session.rollback()
        for thread in started:  # not written: a later chunk starts it again
            threads.pop(str(thread["id"]), None)
        log.exception("outreach sends could not be recorded", contacts=[item.contact.id for item, _ in delivered])
        for item, _ in delivered:  # they may have gone: a person checks before anything is resent
            _fail_apart(factory, item.contact.id, error)
            outcomes[item.contact.id] = "failed"
        return
    for item, (_, error) in delivered:
        outcomes[item.contact.id] = "sent" if error is None else "failed"


def _sent_detail(contact: OutreachContact, text: str) -> str:
    """The contact log's line for a send: the step, the template, the tone and variant, the words."""
    return f"{contact.step} ({contact.template}, {contact.tone}{', ' + contact.variant if contact.variant else ''}): {text}"


def _mark_failed(session: Session, contact: OutreachContact, error: Exception) -> None:
    """The contact did not go, for a reason a person can act on (`NotSent`, `ServiceError`),
    or for an unexpected one, which says to check before resending."""
    expected = isinstance(error, (outbound.NotSent, ServiceError))
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    contact.status, contact.rule = "failed", "provider" if expected else "error"
    contact.reason = reason if expected else f"unexpected error, check before resending: {reason}"
    log_contact(session, contact.account, "outreach_failed", f"{contact.step}: {contact.reason}", contact.channel)
    if expected:
        log.warning("outreach not sent", contact=contact.id, reason=reason)
    else:
        log.error("outreach failed unexpectedly", contact=contact.id, exc_info=error)


def _fail_apart(factory: sessionmaker[Session], contact_id: int, error: Exception) -> None:
    """`_mark_failed` in a transaction of its own, after the one that failed was rolled back."""
    with transaction(factory) as failing:
        row = failing.get(OutreachContact, contact_id)
        assert row is not None
        _mark_failed(failing, row, error)


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


def _step_hands_over(settings: Settings, account: Account, step_id: str) -> bool:
    strategy = load_strategy(settings.policies_dir, account.creditor.name)
    return any(step.id == step_id and step.handover for step in strategy.steps)
