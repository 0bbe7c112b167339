"""The gateway: what every channel does with a debtor's message, whichever door it came in by.

`converse` records the message, keeps a conversation a person holds away from the bot, asks
the bot (telling it what shape of answer its open question expects), records the replies,
and answers itself when the bot cannot be reached. The adapters (rest, Twilio SMS/WhatsApp
and voice, Telegram) only translate their provider's protocol to and from it.

No transaction stays open across the call to the bot: see `short_transaction`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import phonenumbers
import structlog
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from amicable import ratelimit
from amicable.db.models import Account, Conversation
from amicable.language import CODES, detect
from amicable.providers.twilio import e164
from amicable.services import conversations, identity, link_tokens
from amicable.settings import Settings
from amicable.text import care
from amicable.text.redaction import Redacted
from channels import outbox
from channels.replies import gateway_text

log = structlog.get_logger()

SENDER = r"[\w:+.@-]{1,128}"
# Longer than any message a person writes; what is over `max_message_chars` is answered and
# not kept, what is over this is refused outright.
MAX_INCOMING = 20_000


class IncomingMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sender: str = Field(pattern=rf"^{SENDER}$")
    message: str = Field(max_length=MAX_INCOMING)
    metadata: dict[str, Any] = Field(default_factory=dict)


@contextmanager
def short_transaction(request: Request) -> Iterator[Session]:
    """A transaction of its own, committed when the block ends: the only way channels touch
    the database.

    Channels never hold a request-long session (the API's `SessionDep`): a turn waits for the
    bot, and the bot's actions call back into the API, which must already see what was
    recorded here and must never wait on a row lock this request still holds. So each step
    of a turn (record the message, read a state, record the replies) is its own short
    transaction, closed before the bot is asked."""
    with request.app.state.sessionmaker() as session, session.begin():
        yield session


def client_source(request: Request) -> str:
    """A web client's source, as a digest: the address itself is not kept."""
    host = request.client.host if request.client else "unknown"
    return "ip:" + hashlib.sha256(host.encode()).hexdigest()[:24]


@dataclass
class Before:
    """What the gateway knows of a message before the bot sees it. A `reply` means the bot is
    skipped (words of crisis, a person has the conversation, a wall of text)."""

    language: str | None
    reply: str | None
    redacted: Redacted
    cue: str | None
    message_id: int | None = None  # the recorded message; None when it was not kept


def _before_bot(
    request: Request,
    incoming: IncomingMessage,
    channel: str,
    address: str | None,
    source: str | None,
    detected: str | None,
) -> Before:
    """Record the message as it may be kept (redacted: amicable/text/redaction.py) and what it
    shows of the person (amicable/text/care.py), with what the bot's last question expects in
    mind.

    One short transaction, closed before the bot is asked (`short_transaction`). The care
    reading, the costliest step (a sentence embedding and a model), comes before its first
    write: on SQLite the write lock is taken at the first write, and a lock held through it was
    what made 128 first messages at once wait past SQLite's 30 s."""
    settings = request.app.state.settings
    now = datetime.now(UTC)
    with short_transaction(request) as session:
        known = session.get(Conversation, incoming.sender)  # a read; the conversation's turn lock is held
        asked = known.bot_expecting if known is not None else None
        language = detected or (known.language if known is not None else None) or incoming.metadata.get("language")
        found = care.cues(
            incoming.message[: settings.max_message_chars * 4],
            language,
            settings.policies_dir / "care",
            phrases_only=asked in IDENTITY_SLOTS,  # a reference or a date says nothing about a person
        )
        cue = found[0] if found else None
        conversation = conversations.get_or_create(session, incoming.sender, channel, address, source)
        identity.lapse_if_idle(session, settings, conversation, now)
        conversation.last_message_at = now
        if detected:
            conversation.language = detected
            if conversation.account is not None and identity.is_verified(settings, conversation, now):
                conversation.account.debtor.language = detected  # the verified debtor's preference
        if len(incoming.message) > settings.max_message_chars:
            # Answered, not kept: a wall of text is not stored for anyone to read later. Words
            # of crisis in it are still acted on.
            if cue == "suicidal":
                conversations.note_care_cue(session, conversation, cue)
                return Before(language, _crisis_reply(settings, conversation, language), Redacted("", ()), cue)
            return Before(language, gateway_text("too_long", language), Redacted("", ()), None)
        redacted = conversations.redacted(
            conversation, incoming.message, language, answers_identity=asked in IDENTITY_SLOTS
        )
        recorded = conversations.record_message(
            session,
            conversation,
            "debtor",
            _as_kept(conversation, redacted.text, asked),
            {"care_cue": cue} if cue else None,
        )
        session.flush()  # its id, which travels with it to the bot
        before = Before(language, None, redacted, cue, recorded.id)
        if cue:
            conversations.note_care_cue(session, conversation, cue)
        if cue == "suicidal":
            before.reply = _crisis_reply(settings, conversation, language)
            return before
        token = incoming.metadata.get("token")
        if isinstance(token, str) and conversation.account is None:
            account_id = link_tokens.read(token, settings.amicable_link_secret)
            account = session.get(Account, account_id) if account_id is not None else None
            if account is not None:
                conversations.bind(session, conversation, account, "signed link")
        if conversation.handled_by == "agent":
            before.reply = gateway_text("with_agent", language)
        return before


def _crisis_reply(settings: Settings, conversation: Conversation, language: str | None) -> str:
    """Collecting stops: the crisis line of the debtor's country, and a person on the way."""
    account = conversation.account
    country = account.debtor.country if account is not None else _country_of(conversation.address)
    lines = care.crisis_lines(settings.policies_dir / "care", country, language)
    listed = "; ".join(f"{line.name}: {line.number}" for line in lines) or "112"
    return gateway_text("crisis", language).format(lines=listed)


def _country_of(address: str | None) -> str | None:
    number = e164(address)
    if number is None:
        return None
    return phonenumbers.region_code_for_number(phonenumbers.parse(number))


# The bot's questions whose answers identity verification needs as typed.
BIRTH_DATE_SLOT = "identity_answer"
IDENTITY_SLOTS = ("account_reference", "identity_answer", "identity_postcode", "identity_code")


def _as_kept(conversation: Conversation, text: str, asked: str | None) -> str:
    """What the transcript keeps: the message, but a date of birth given for the identity
    check only as that (it reaches the check; no one needs to read it later)."""
    if asked == BIRTH_DATE_SLOT and identity.one_date(
        text, conversation.account and conversation.account.debtor.country
    ):
        return "[DATE_OF_BIRTH]"
    return text


def _after_bot(request: Request, sender: str, replies: list[dict[str, Any]], answer: outbox.BotAnswer | None) -> None:
    with short_transaction(request) as session:
        conversation = conversations.get(session, sender)
        if answer is not None and answer.expecting_known:
            conversation.bot_expecting = answer.expecting
        for reply in replies:
            conversations.record_message(session, conversation, "bot", reply.get("text") or "", reply)


def for_the_bot(text: str) -> str:
    """What the bot gets to read. A leading "/" would name an intent directly in Rasa, so it is
    dropped; a message with no letters or digits (emoji only, punctuation) carries nothing the
    bot can understand, so it arrives as exactly that: not understood."""
    text = text.lstrip("/")
    if not any(ch.isalnum() for ch in text):
        return "/nlu_fallback"
    return text


def _usable(metadata: dict[str, Any]) -> dict[str, Any]:
    """What a client may tell about itself: its page's language and a signed link token."""
    kept: dict[str, Any] = {}
    if metadata.get("language") in CODES.values():
        kept["language"] = metadata["language"]
    token = metadata.get("token")
    if isinstance(token, str) and len(token) <= 64:
        kept["token"] = token
    return kept


class TooFast(Exception):
    """The conversation or its source sent more than a person would; nothing was recorded."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


async def converse(
    request: Request,
    incoming: IncomingMessage,
    channel: str,
    address: str | None = None,
    source: str | None = None,
) -> list[dict[str, Any]]:
    """One debtor message through the gateway, whatever channel it came on: recorded, held back
    from the bot while a person has the conversation, answered by the bot, replies recorded.

    `address` (the number or chat id) and `source` come from the channel adapter, which read
    them from a signed provider request; never from what a client wrote in its metadata."""
    incoming.metadata = _usable(incoming.metadata)
    throttle: ratelimit.Throttle = request.app.state.throttle
    if not throttle.hit(ratelimit.WEBHOOK_PER_SENDER, incoming.sender):
        raise TooFast(gateway_text("slow_down", incoming.metadata.get("language")))
    # The whole turn under the conversation's lock: one at a time, in arrival order
    # (channels/turns.py), so what is stored is the order the bot saw.
    async with request.app.state.turns.hold(incoming.sender):
        return await _turn(request, incoming, channel, address, source)


async def _turn(
    request: Request, incoming: IncomingMessage, channel: str, address: str | None, source: str | None
) -> list[dict[str, Any]]:
    app, sender = request.app, incoming.sender
    later = channel in outbox.LATER_CHANNELS  # an answer can still reach them later
    # Messages kept while the bot was away go first, in order; if it is still away, this one
    # waits behind them.
    backlog = later and await run_in_threadpool(outbox.pending, app, sender)
    if backlog:
        backlog = not await outbox.drain(app, sender)
    detected = detect(incoming.message[:500])
    before = await run_in_threadpool(_before_bot, request, incoming, channel, address, source, detected)
    language, redacted, message_id = before.language, before.redacted, before.message_id
    answer: outbox.BotAnswer | None = None
    if before.reply is not None:
        replies = [{"recipient_id": sender, "text": before.reply}]
    else:
        metadata = {k: v for k, v in incoming.metadata.items() if k in ("language", "token")}
        metadata |= {"channel": channel, "detected_language": detected}
        # Card details typed into a chat: the bot sees only that the debtor wants to pay now,
        # and the debtor is told, before its answer, never to share them and how to pay safely.
        message = "/pay_now" if redacted.payment_secret else for_the_bot(redacted.text)
        if before.cue in conversations.CARE_INTENTS:
            # Whatever the classifier would make of it, these words lead to the hardship flow.
            message = conversations.CARE_INTENTS[before.cue]
        first = [{"recipient_id": sender, "text": gateway_text("card_in_chat", language)}]
        # Our id of the message travels with it, so its answer can be found in the bot's own
        # record if the gateway stops waiting first (channels/outbox.py). What its question
        # expects the bot works out itself, from the state the message meets (bot/expecting.py).
        metadata["gateway_message_id"] = message_id
        kept = later and message_id is not None
        if backlog and kept:
            await run_in_threadpool(outbox.keep, app, sender, message_id, message, metadata, "waiting")
            replies = [{"recipient_id": sender, "text": gateway_text("kept", language)}]
        else:
            try:
                answer = await outbox.ask_bot(app, sender, message, metadata)
                replies = answer.replies
            except httpx.TimeoutException as error:
                log.error("bot too slow", error=str(error) or type(error).__name__, sender=sender)
                if kept:
                    await run_in_threadpool(outbox.keep, app, sender, message_id, message, metadata, "asked")
                replies = [{"recipient_id": sender, "text": gateway_text("late" if kept else "unavailable", language)}]
            except (httpx.HTTPError, ValueError) as error:
                log.error("bot unreachable", error=str(error), sender=sender)
                if kept:
                    await run_in_threadpool(outbox.keep, app, sender, message_id, message, metadata, "waiting")
                replies = [{"recipient_id": sender, "text": gateway_text("kept" if kept else "unavailable", language)}]
        if not replies:
            # Seen when the action server is down: Rasa answers, with nothing. Logged, and the
            # debtor is not left with silence.
            log.error("the bot gave no answer", sender=sender)
            replies = [{"recipient_id": sender, "text": gateway_text("no_answer", language)}]
        if redacted.payment_secret:
            replies = first + replies
    await run_in_threadpool(_after_bot, request, sender, replies, answer)
    return replies
