"""Conversations: who is talking on which channel, whether they proved who they are, and
whether the bot or a person answers them. The transcript is kept here too."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amicable.db.models import Account, ContactEvent, Conversation, Handoff, Message, OptOut
from amicable.policy import HandoverPolicy
from amicable.providers.twilio import e164
from amicable.services import NotFound, ServiceError, agent_hours, identity
from amicable.services.accounts import accounts_for_phone, log_contact
from amicable.text.redaction import Redacted, redact


def get_or_create(
    session: Session, conversation_id: str, channel: str, address: str | None = None, source: str | None = None
) -> Conversation:
    """The conversation with this id; one that goes on over another channel or from another
    number must prove who it is again."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        try:
            # A savepoint: when another request (another process) created it a moment ago, the
            # insert fails alone, and that conversation is the one this message belongs to.
            with session.begin_nested():
                conversation = Conversation(
                    id=conversation_id, channel=channel, address=address, source=source or address
                )
                session.add(conversation)
            return conversation
        except IntegrityError:
            conversation = session.get(Conversation, conversation_id, populate_existing=True)
            if conversation is None:
                raise
    # "rest" is what a conversation first met through the API is called until a channel names it.
    moved = conversation.channel not in (channel, "rest") and channel != "rest"
    if moved or (address and conversation.address and address != conversation.address):
        identity.reset(session, conversation, f"continued on {channel}")
    if channel != "rest":
        conversation.channel, conversation.address = channel, address or conversation.address
    if source and conversation.source != source:
        conversation.source = source
    return conversation


def confirmed_telegram_chat(session: Session, account: Account) -> Conversation | None:
    """The file's Telegram chat in which identity was once confirmed: a chat merely bound by a
    signed link (which anyone holding the link can do) is never written to about the debt."""
    return session.scalar(
        select(Conversation)
        .where(
            Conversation.account_id == account.id,
            Conversation.channel == "telegram",
            select(ContactEvent.id)
            .where(
                ContactEvent.conversation_id == Conversation.id,
                ContactEvent.kind == "verification",
                ContactEvent.detail == "identity confirmed",
            )
            .exists(),
        )
        .order_by(Conversation.updated_at.desc())
        .limit(1)
    )


def get(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return conversation


def record_message(
    session: Session, conversation: Conversation, author: str, text: str, payload: dict | None = None
) -> Message:
    message = Message(conversation=conversation, author=author, text=text, payload=payload)
    session.add(message)
    return message


def bind(session: Session, conversation: Conversation, account: Account, how: str) -> None:
    """Tie an unverified conversation to the file it is about (a signed link, the debtor's own
    number), so the bot need not ask for the reference. Nothing is disclosed by it: the
    identity check still comes first."""
    if conversation.verified or conversation.account is not None:
        return
    conversation.account = account
    log_contact(session, account, "conversation_bound", how, conversation.channel, conversation.id)


def hand_over(session: Session, conversation: Conversation, reason: str, summary: str) -> Handoff:
    """Give the conversation to a person: from now on the gateway routes it to agents."""
    open_handoff = session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation.id, Handoff.status != "closed")
    )
    if open_handoff is not None:
        return open_handoff
    handoff = Handoff(
        account=conversation.account if conversation.verified else None,
        conversation_id=conversation.id,
        reason=reason,
        summary=summary,
    )
    session.add(handoff)
    conversation.handled_by = "agent"
    log_contact(session, handoff.account, "handoff", reason, conversation.channel, conversation.id)
    return handoff


def opt_out(session: Session, conversation: Conversation, channel: str | None = None) -> OptOut:
    """Stop contact on this channel at once; kept by address even when nobody is verified."""
    channel = channel or conversation.channel
    account = conversation.account if conversation.verified else None
    if account is not None or conversation.address is not None:
        # Saying STOP twice is one opt-out, not two.
        existing = session.scalar(
            select(OptOut).where(
                OptOut.channel == channel,
                OptOut.account_id == (account.id if account else None),
                OptOut.address == conversation.address,
            )
        )
        if existing is not None:
            return existing
    record = OptOut(account=account, channel=channel, address=conversation.address)
    session.add(record)
    log_contact(session, account, "opt_out", f"stop contact on {channel}", conversation.channel, conversation.id)
    _every_file_of_the_number(session, conversation, channel)
    return record


def _every_file_of_the_number(session: Session, conversation: Conversation, channel: str) -> None:
    """Said from a phone number, in any words (the keyword STOP or "please stop texting me"):
    recorded on every file with that number, at once and without asking who is writing, so
    what the bot then promises is true of every file."""
    if conversation.channel not in ("sms", "whatsapp", "voice") or not conversation.address:
        return
    for account in accounts_for_phone(session, conversation.address):
        if not any(o.channel == channel for o in account.opt_outs):
            account.opt_outs.append(OptOut(channel=channel, address=conversation.address))
            log_contact(session, account, "opt_out", f"stop contact on {channel}", channel, conversation.id)


def book_callback(session: Session, conversation: Conversation, at: datetime, team: HandoverPolicy) -> datetime:
    """The debtor's chosen call-back time, on their waiting hand-over: in the future and in
    the team's hours, else refused saying why."""
    handoff = session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation.id, Handoff.status != "closed")
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    if handoff is None:
        raise ServiceError("no hand-over is waiting in this conversation", 409)
    if at.tzinfo is None:
        raise ServiceError("give the time with its offset", 422)
    if at <= datetime.now(UTC) or not agent_hours.on_duty(team, at):
        raise ServiceError("that time is outside the team's hours", 422)
    handoff.callback_at = at
    log_contact(session, handoff.account, "callback_booked", at.isoformat(), conversation.channel, conversation.id)
    return at


def email_conversation_id(account_id: int, address: str) -> str:
    """An email thread is one file and one address: a reply from another address (a forwarded
    email, a partner's mailbox) is a conversation of its own, which must prove who it is."""
    address = address.strip().lower()
    found = f"email:{account_id}:{address}"
    # Only a plain address is written out; anything else (no @, an apostrophe, too long) is
    # hashed, and a hash has no @, so no sender can name a hashed thread by writing the hash.
    if len(found) <= 128 and "@" in address and re.fullmatch(r"[\w+.@-]+", address, re.ASCII):
        return found
    return f"email:{account_id}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


def outreach_thread_id(account: Account, channel: str) -> str | None:
    """The conversation an outreach message on `channel` joins (`outreach_rows`); None on
    Telegram, whose thread is the chat in which the debtor confirmed who they are."""
    if channel == "telegram":
        return None
    if channel == "email":
        return email_conversation_id(account.id, (account.debtor.email or "").strip().lower())
    return f"{channel}:{e164(account.debtor.phone) if channel in ('sms', 'whatsapp') else None}"


def outreach_threads(session: Session, sends: Iterable[tuple[Account, str]]) -> dict[str, Conversation]:
    """The conversations that outreach messages (file, channel) join, read at once for a
    batch: `outreach_rows`'s `threads`."""
    ids = {outreach_thread_id(account, channel) for account, channel in sends} - {None}
    return {c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(sorted(ids))))}


def outreach_rows(
    session: Session, account: Account, channel: str, text: str, threads: dict[str, Conversation]
) -> tuple[dict[str, object] | None, dict[str, object] | None]:
    """An outreach message joins the debtor's conversation on that channel, so an agent
    reading it sees what we said, and the debtor's answer continues the same thread. As rows
    a batch writes at once: the conversation to start (None when it exists) and the
    transcript line (None when it must not be written: a number another file's thread holds).

    `threads`: the conversations the batch's sends join, as `outreach_threads` read them (an
    id it lacks has no conversation yet; one started here is added to it)."""
    thread_id = outreach_thread_id(account, channel)
    started = None
    if thread_id is None:
        conversation = confirmed_telegram_chat(session, account)
    else:
        conversation = threads.get(thread_id)
        if conversation is not None and conversation.account_id not in (None, account.id):
            return None, None  # a number shared with another file: never write into that file's thread
        if conversation is None:
            address = thread_id.split(":")[1] if channel != "email" else (account.debtor.email or "").strip().lower()
            started = {"id": thread_id, "channel": channel, "address": address[:128], "account_id": account.id}
            conversation = threads[thread_id] = Conversation(**started)  # not added: the row is written
    if conversation is None:
        return None, None
    return started, {"conversation_id": conversation.id, "author": "bot", "text": text, "payload": {"outreach": True}}


# What an answer to the identity check may be made of: a reference in figures can look like
# a phone or an identity number, a one-time code is a code. Card numbers and IBANs never stay.
IDENTITY_ANSWERS = frozenset({"PHONE", "NATIONAL_ID", "CODE"})


def redacted(conversation: Conversation, text: str, language: str | None, answers_identity: bool = False) -> Redacted:
    """The text without what must not be kept (amicable/text/redaction.py). The debtor's own
    number and address on this conversation stay; so does an answer to the identity check's
    questions (the file reference, a one-time code), which must reach it."""
    account = conversation.account
    numbers = [conversation.address if conversation.channel in ("sms", "whatsapp", "voice") else None]
    emails: list[str | None] = []
    if account is not None:
        numbers.append(e164(account.debtor.phone))
        emails.append(account.debtor.email)
    keep = IDENTITY_ANSWERS if answers_identity else frozenset()
    return redact(text, language, own_numbers=numbers, own_emails=emails, keep=keep)


def redact_stored(session: Session, batch: int = 500) -> tuple[int, int]:
    """Rewrite every stored message of debtors and agents without what must not be kept, in
    place; running it again changes nothing. Returns (messages read, messages changed)."""
    read = changed = 0
    last = 0
    while True:
        rows = session.scalars(
            select(Message)
            .where(Message.id > last, Message.author.in_(("debtor", "agent")))
            .order_by(Message.id)
            .limit(batch)
        ).all()
        if not rows:
            return read, changed
        for message in rows:
            read += 1
            conversation = message.conversation
            clean = redacted(conversation, message.text, conversation.language).text
            if clean != message.text:
                message.text = clean
                changed += 1
        last = rows[-1].id
        session.flush()


# Cues that lead the bot into the hardship flow (pause, consent before noting a vulnerability,
# a person offered): the intent it is given in place of the words.
CARE_INTENTS = {
    "bereavement": "/reason_bereavement",
    "illness": "/reason_illness",
    "mental_health": "/reason_overwhelmed",
    "abuse": "/reason_overwhelmed",
    "gambling": "/reason_overwhelmed",
}
CUE_WORDS = {
    "suicidal": "words suggesting they may harm themselves",
    "abuse": "signs of abuse at home",
    "bereavement": "a bereavement",
    "illness": "serious illness",
    "mental_health": "a mental-health crisis",
    "gambling": "gambling",
}


def note_care_cue(session: Session, conversation: Conversation, cue: str) -> None:
    """Record what the words showed, never the words: on the file's contact log (agents see the
    cue, not the message), and for suicidal intent an urgent hand-over and outreach paused."""
    account = conversation.account
    log_contact(session, account, "care_cue", CUE_WORDS[cue], conversation.channel, conversation.id)
    if cue != "suicidal":
        return
    if account is not None:
        account.on_hold = True  # no reminder, no call, until a person has spoken with them
    handoff = hand_over(
        session,
        conversation,
        "crisis",
        "URGENT: the debtor's words suggest they may harm themselves. Crisis lines were given; "
        "collection is paused. Reach out now, gently; do not discuss the debt.",
    )
    handoff.reason = "crisis"  # an earlier open hand-over becomes urgent too
