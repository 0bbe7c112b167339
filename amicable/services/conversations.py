"""Conversations: who is talking on which channel, whether they proved who they are, and
whether the bot or a person answers them. The transcript is kept here too."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

import dateparser
from dateparser.search import search_dates
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amicable.db.models import Account, ContactEvent, Conversation, Handoff, Message, OptOut
from amicable.services import NotFound
from amicable.services.accounts import log_contact

MAX_VERIFICATION_FAILURES = 2


def get_or_create(session: Session, conversation_id: str, channel: str, address: str | None = None) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel=channel, address=address)
        session.add(conversation)
        session.flush()
    return conversation


def get(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return conversation


def record_message(
    session: Session, conversation: Conversation, author: str, text: str, payload: dict | None = None
) -> None:
    session.add(Message(conversation=conversation, author=author, text=text, payload=payload))


def _normal_postcode(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _mentions_postcode(answer: str, postcode: str) -> bool:
    """ "1000", "postcode 1000", "3511 ab" and "3511AB" all name the postcode 3511AB or 1000."""
    chars = _normal_postcode(postcode)
    if not chars:
        return False
    pattern = r"(?<![0-9A-Z])" + r"[\s-]?".join(map(re.escape, chars)) + r"(?![0-9A-Z])"
    return re.search(pattern, answer.upper()) is not None


def _parse_birth_date(text: str, country: str | None) -> date | None:
    """A date of birth in any common written form: 12/03/1985, 12 March 1985, 1985-03-12.

    Europe writes day first, the US month first; ISO dates are unambiguous either way.
    """
    order = "MDY" if country == "US" else "DMY"
    settings = {"DATE_ORDER": order, "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]}
    languages = ["en", "fr", "nl"]
    parsed = dateparser.parse(text, settings=settings, languages=languages)
    if parsed is None:  # "I was born on 12 maart 1985": find the date inside the sentence
        found = search_dates(text, settings=settings, languages=languages) or []
        parsed = found[0][1] if found else None
    return parsed.date() if parsed else None


def answer_matches(account: Account, answer: str) -> bool:
    debtor = account.debtor
    answer = unicodedata.normalize("NFKC", answer).strip()
    if debtor.postcode and _mentions_postcode(answer, debtor.postcode):
        return True
    if debtor.date_of_birth:
        return _parse_birth_date(answer, debtor.country) == debtor.date_of_birth
    return False


def verify(session: Session, conversation: Conversation, reference: str, answer: str) -> tuple[bool, int]:
    """Check reference + (date of birth or postcode). Returns (verified, attempts left).

    The reply never says which part was wrong, so a stranger learns nothing about whether a
    reference exists.
    """
    if conversation.verified:
        return True, MAX_VERIFICATION_FAILURES - conversation.failed_verifications
    if conversation.failed_verifications >= MAX_VERIFICATION_FAILURES:
        return False, 0
    cleaned = reference.strip().strip(".").upper()
    if not cleaned and conversation.account is not None:
        # Bound by a signed link or the debtor's own number: only the answer is asked.
        account = conversation.account
    else:
        account = session.scalar(select(Account).where(func.upper(Account.reference) == cleaned))
    if account is not None and _recent_failures(session, account) >= MAX_FAILURES_PER_ACCOUNT_PER_DAY:
        # However many conversations are opened, a file can be guessed at only so often.
        conversation.failed_verifications += 1
        log_contact(session, account, "verification", "refused: too many failed checks today", conversation.channel)
        return False, MAX_VERIFICATION_FAILURES - conversation.failed_verifications
    ok = account is not None and answer_matches(account, answer)
    if ok:
        assert account is not None
        conversation.verified = True
        conversation.account = account
        conversation.language = conversation.language or account.debtor.language
        log_contact(session, account, "verification", "identity confirmed", conversation.channel, conversation.id)
    else:
        conversation.failed_verifications += 1
        log_contact(session, account, "verification", "identity not confirmed", conversation.channel, conversation.id)
    return ok, MAX_VERIFICATION_FAILURES - conversation.failed_verifications


MAX_FAILURES_PER_ACCOUNT_PER_DAY = 5


def _recent_failures(session: Session, account: Account) -> int:
    since = datetime.now(UTC) - timedelta(days=1)
    return (
        session.scalar(
            select(func.count(ContactEvent.id)).where(
                ContactEvent.account_id == account.id,
                ContactEvent.kind == "verification",
                ContactEvent.detail == "identity not confirmed",
                ContactEvent.created_at >= since,
            )
        )
        or 0
    )


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
    return record
