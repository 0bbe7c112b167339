"""The gateway's outbox: a debtor's message the bot could not answer is answered later, on the
debtor's own channel, in the order the messages came.

When the bot cannot be reached (Rasa restarting, the action server gone), the message is kept
in `bot_outbox` and the debtor is told it will be answered here as soon as possible, which is
true because that row exists and this module works through it:

- every few seconds (`run`, started with the web process) and before the next message of the
  same conversation (`drain`, from the gateway), under the conversation's turn lock, so the bot
  reads the kept messages first and in order;
- the answer is recorded in the transcript (the web chat fetches it) and sent on SMS, WhatsApp,
  Telegram or email like an agent's reply (`amicable.providers.outbound.send`).

When the gateway stopped waiting while the bot was still working (its time-out), asking again
could make the bot act twice. The row is then `asked`, and its answer is looked for in the bot's
own record of the conversation (the tracker), where the debtor's message carries our id
(`gateway_message_id`); only if the bot never got it is it asked again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from amicable.db.models import BotOutbox, Conversation
from amicable.db.session import transaction
from amicable.providers import outbound
from amicable.services import conversations
from amicable.settings import Settings
from bot.answers import EXPECTING_HEADER, expected

log = structlog.get_logger()

EVERY_SECONDS = 2.0
MAX_ATTEMPTS = 20  # about ten minutes of the bot being away, with the pauses below
# Channels on which an answer can arrive later; a caller has hung up or moved on by then.
LATER_CHANNELS = ("web", "rest", "sms", "whatsapp", "telegram", "email")


def bot_urls(settings: Settings, sender: str) -> list[str]:
    """The Rasa servers to try for a conversation (RASA_URL may name several): always the same
    one first, chosen by the conversation id, then the others in turn."""
    urls = settings.rasa_urls
    first = int.from_bytes(hashlib.blake2b(sender.encode(), digest_size=4).digest(), "big") % len(urls)
    return urls[first:] + urls[:first]


async def to_bot(app: FastAPI, sender: str, method: str, path: str, **options: Any) -> httpx.Response:
    """One request to the conversation's Rasa server; to the next one only when it could not
    even be connected to (the request never reached it, so nothing can happen twice). Any
    server goes on with any conversation: they share the tracker and the lock store."""
    client: httpx.AsyncClient = app.state.http
    urls = bot_urls(app.state.settings, sender)
    for n, url in enumerate(urls):
        try:
            return await client.request(method, f"{url}{path}", **options)
        except httpx.ConnectError:
            if n == len(urls) - 1:
                raise
            log.warning("bot server unreachable; trying the next", server=url)
    raise AssertionError("RASA_URL names no server")


class BotBusy(httpx.ConnectError):
    """The message waited its turn for the bot longer than the bot may take to answer: it was
    never given to the bot, exactly as when the bot cannot be reached, and is kept the same way."""


class BotGate:
    """At most `size` turns with the bot at once from this web process; the others wait in
    arrival order, except that a caller on the phone goes before those writing: they hear
    silence while they wait, a chat shows that its message is on its way.

    The bot works on one CPU: given dozens of turns at once it interleaves them all, and each
    finishes late, some very late (measured at 64 conversations at once: p95 twice the
    median). Served from a short line, each turn takes the bot's own time plus its wait in
    line, and the slowest are no longer left behind. A place that frees is handed straight to
    the first in line, so a newcomer never overtakes those waiting."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._lines: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())

    async def acquire(self, patience: float, urgent: bool = False) -> None:
        """Take a place, waiting at most `patience` seconds (BotBusy after that)."""
        if self._free > 0 and not any(self._lines):
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        line = self._lines[0 if urgent else 1]
        line.append(waiter)
        try:
            async with asyncio.timeout(patience):
                await waiter
        except BaseException as error:  # out of patience, or the request was cancelled
            if waiter.done() and not waiter.cancelled():
                self.release()  # the place came just as it gave up: the next one has it
            elif waiter in line:
                line.remove(waiter)
            if isinstance(error, TimeoutError):
                raise BotBusy("every place with the bot stayed taken; the message waits for its turn") from None
            raise

    def release(self) -> None:
        """Give the place to the first in line (callers first), or free it."""
        for line in self._lines:
            while line:
                waiter = line.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self._free += 1

    @contextlib.asynccontextmanager
    async def turn(self, patience: float, urgent: bool = False) -> AsyncIterator[None]:
        """Hold a place while the body runs."""
        await self.acquire(patience, urgent)
        try:
            yield
        finally:
            self.release()


@dataclass
class BotAnswer:
    """The bot's replies to one message, and what its last question expects now
    (bot/expecting.py); `expecting_known` is False when the bot did not say (its turn did not
    run to its end, or it was not asked), so what was known before still stands."""

    replies: list[dict[str, Any]]
    expecting: str | None = None
    expecting_known: bool = False


async def ask_bot(app: FastAPI, sender: str, message: str, metadata: dict[str, Any]) -> BotAnswer:
    """The message to the bot through its REST channel, in its turn (BotGate); its answers, or
    an httpx error (BotBusy when its turn did not come in time)."""
    settings = app.state.settings
    async with app.state.bot_gate.turn(settings.rasa_timeout_seconds, urgent=metadata.get("channel") == "voice"):
        response = await to_bot(
            app,
            sender,
            "POST",
            "/webhooks/rest/webhook",
            json={"sender": sender, "message": message, "metadata": metadata},
            headers={"Authorization": f"Bearer {settings.rasa_token}"},
            timeout=settings.rasa_timeout_seconds,
        )
    response.raise_for_status()
    replies = response.json()
    if not isinstance(replies, list):
        raise ValueError("the bot's answer is not a list of replies")
    said = response.headers.get(EXPECTING_HEADER)
    return BotAnswer(replies, said or None, said is not None)


def keep(app: FastAPI, conversation_id: str, message_id: int, text: str, metadata: dict, status: str) -> None:
    """Keep a message for the bot (`waiting`), or one it was given but did not answer in time
    (`asked`)."""
    with transaction(app.state.sessionmaker) as session:
        session.add(
            BotOutbox(
                conversation_id=conversation_id,
                message_id=message_id,
                text=text,
                bot_metadata=metadata,
                status=status,
                attempts=1 if status == "asked" else 0,
            )
        )


def pending(app: FastAPI, conversation_id: str) -> bool:
    with app.state.sessionmaker() as session:
        return (
            session.scalar(
                select(BotOutbox.id)
                .where(BotOutbox.conversation_id == conversation_id, BotOutbox.status.in_(("waiting", "asked")))
                .limit(1)
            )
            is not None
        )


def _rows(app: FastAPI, conversation_id: str) -> list[tuple[int, str, str, dict, int, datetime, int]]:
    with app.state.sessionmaker() as session:
        return [
            (r.id, r.status, r.text, r.bot_metadata, r.message_id, r.updated_at, r.attempts)
            for r in session.scalars(
                select(BotOutbox)
                .where(BotOutbox.conversation_id == conversation_id, BotOutbox.status.in_(("waiting", "asked")))
                .order_by(BotOutbox.id)
            )
        ]


def _mark(app: FastAPI, row_id: int, status: str, detail: str = "", tried: bool = False) -> None:
    with transaction(app.state.sessionmaker) as session:
        row = session.get(BotOutbox, row_id)
        assert row is not None
        row.status, row.detail = status, detail[:500]
        row.attempts += tried


async def _from_tracker(app: FastAPI, sender: str, message_id: int) -> BotAnswer | None:
    """The bot's answers to our message `message_id`, read from its tracker; None when the bot
    never got that message (or cannot be asked now)."""
    settings = app.state.settings
    try:
        response = await to_bot(
            app,
            sender,
            "GET",
            f"/conversations/{sender}/tracker",
            params={"include_events": "ALL", "token": settings.rasa_token},
            timeout=10,
        )
        tracker = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None
    if not isinstance(tracker, dict):
        return None
    events = tracker.get("events") or []
    answers: list[dict[str, Any]] | None = None
    for event in events:
        if event.get("event") == "user":
            if answers is not None:
                break  # the next message of the debtor: its answers are not ours
            if (event.get("metadata") or {}).get("gateway_message_id") == message_id:
                answers = []
        elif event.get("event") == "bot" and answers is not None:
            data = event.get("data") or {}
            answer: dict[str, Any] = {"recipient_id": sender, "text": event.get("text") or ""}
            if data.get("buttons"):
                answer["buttons"] = data["buttons"]
            answers.append(answer)
    if answers is None:
        return None
    now = expected((tracker.get("active_loop") or {}).get("name"), tracker.get("slots") or {})
    return BotAnswer(answers, now, True)


def deliver(app: FastAPI, conversation_id: str, answer: BotAnswer) -> None:
    """Record the bot's late answers and send them on the debtor's channel."""
    settings = app.state.settings
    replies = answer.replies
    with transaction(app.state.sessionmaker) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        if answer.expecting_known:
            conversation.bot_expecting = answer.expecting
        for reply in replies:
            # `late`: the web chat fetches these (GET /webhooks/rest/messages); the others it
            # had in the webhook's own answer.
            conversations.record_message(session, conversation, "bot", reply.get("text") or "", {**reply, "late": True})
        if conversation.channel in ("web", "rest"):
            return  # the web chat fetches them
        for reply in replies:
            lines = [reply.get("text") or ""]
            lines += [f"- {b.get('title')}" for b in reply.get("buttons") or [] if b.get("title")]
            text = "\n".join(line for line in lines if line)
            if not text:
                continue
            try:
                outbound.send(session, settings, conversation.channel, conversation.address, text, conversation.id)
            except (outbound.NotSent, outbound.NotConfigured) as error:
                log.warning("late answer recorded, not sent", conversation=conversation_id, reason=str(error))


async def drain(app: FastAPI, conversation_id: str) -> bool:
    """Give the conversation's kept messages to the bot, oldest first, and deliver its answers.
    The caller holds the conversation's turn lock. True when none is left."""
    settings = app.state.settings
    grace = timedelta(seconds=settings.rasa_timeout_seconds * 2)
    if await run_in_threadpool(_hand_to_colleague, app, conversation_id):
        return True
    for row_id, status, text, metadata, message_id, updated_at, attempts in await run_in_threadpool(
        _rows, app, conversation_id
    ):
        if status == "asked":
            found = await _from_tracker(app, conversation_id, message_id)
            if found is None:
                updated = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC)
                if datetime.now(UTC) - updated < grace:
                    return False  # the bot may still be working on it
            else:
                await run_in_threadpool(deliver, app, conversation_id, found)
                await run_in_threadpool(_mark, app, row_id, "answered", "answer found in the bot's record")
                continue
        try:
            answer = await ask_bot(app, conversation_id, text, metadata)
        except httpx.TimeoutException:
            await run_in_threadpool(_mark, app, row_id, "asked", "the bot took too long", True)
            return False
        except (httpx.HTTPError, ValueError) as error:
            gave_up = attempts + 1 >= MAX_ATTEMPTS
            await run_in_threadpool(_mark, app, row_id, "failed" if gave_up else "waiting", str(error), True)
            if gave_up:
                log.error("kept message given up", conversation=conversation_id, attempts=attempts + 1)
                continue
            return False
        if not answer.replies:
            log.error("the bot gave no answer to a kept message", conversation=conversation_id)
        await run_in_threadpool(deliver, app, conversation_id, answer)
        await run_in_threadpool(_mark, app, row_id, "answered", "", True)
    return True


def _hand_to_colleague(app: FastAPI, conversation_id: str) -> bool:
    """A colleague took the conversation while messages were kept: they answer them (the
    messages are in the transcript the console shows), never the bot behind their back."""
    with transaction(app.state.sessionmaker) as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.handled_by != "agent":
            return False
        for row in session.scalars(
            select(BotOutbox).where(
                BotOutbox.conversation_id == conversation_id, BotOutbox.status.in_(("waiting", "asked"))
            )
        ):
            row.status, row.detail = "handed", "a colleague has the conversation"
        return True


def _conversations_waiting(app: FastAPI) -> list[str]:
    with app.state.sessionmaker() as session:
        return list(
            session.scalars(
                select(BotOutbox.conversation_id)
                .where(BotOutbox.status.in_(("waiting", "asked")))
                .group_by(BotOutbox.conversation_id)
                .order_by(func.min(BotOutbox.id))
                .limit(100)
            )
        )


async def run(app: FastAPI, every: float = EVERY_SECONDS) -> None:
    """For the web process's life: work through every conversation with kept messages. A bot
    still away costs one failed request per conversation per round, then a pause."""
    while True:
        try:
            for conversation_id in await run_in_threadpool(_conversations_waiting, app):
                async with app.state.turns.hold(conversation_id):
                    if not await drain(app, conversation_id):
                        break  # the bot is still away (or busy): the others can wait a round
        except asyncio.CancelledError:
            raise
        except Exception:  # never let one bad row stop the outbox
            log.exception("outbox round failed")
        await asyncio.sleep(every)
