"""Nothing lost while the bot is away (channels/outbox.py): a message that reached us is kept,
the debtor is told so, and the bot's answer arrives on their channel once it is back, in order;
a message the bot got but answered too late is answered from the bot's own record, never by
asking it twice; an empty answer is never silence."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from amicable.db.models import BotOutbox, Conversation
from channels import outbox
from server.app import create_app
from tests.factories import web_sender
from tests.fakes.local_server import JsonHandler, LocalServer

T = TypeVar("T")


class _Bot(LocalServer):
    """A bot that can be down (503), slow, or answer with nothing; it keeps a tracker of what
    it saw, with each message's metadata, as Rasa does."""

    def __init__(self) -> None:
        self.down, self.think, self.silent = False, 0.0, False
        self.seen: list[str] = []
        self.events: dict[str, list[dict]] = {}
        bot = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802
                sender = urlparse(self.path).path.split("/")[2]
                if bot.down:
                    return self._reply(503, {})
                self._reply(200, {"slots": {}, "events": bot.events.get(sender, [])})

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if bot.down:
                    return self._reply(503, {"error": "loading"})
                bot.seen.append(body["message"])
                events = bot.events.setdefault(body["sender"], [])
                events.append({"event": "user", "text": body["message"], "metadata": body.get("metadata") or {}})
                answers = [] if bot.silent else [{"recipient_id": body["sender"], "text": f"echo {body['message']}"}]
                events += [{"event": "bot", "text": a["text"], "data": {}} for a in answers]
                time.sleep(bot.think)
                self._reply(200, answers)

        self._start(Handler)


@pytest.fixture
def bot() -> Iterator[_Bot]:
    with _Bot() as running:
        yield running


@pytest.fixture
def chat(settings, bot) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={"rasa_url": bot.url, "rasa_token": "outbox-token", "rasa_timeout_seconds": 1.0}
    )
    with TestClient(create_app(configured)) as client:
        yield client


def _say(chat: TestClient, sender: str, text: str) -> str:
    response = chat.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status_code == 200, response.text
    return " ".join(m["text"] for m in response.json())


def _transcript(chat: TestClient, sender: str) -> list[tuple[str, str]]:
    with chat.app.state.sessionmaker() as session:
        return [(m.author, m.text) for m in session.get(Conversation, sender).messages]


def _until(condition, seconds: float = 15) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.2)


def _statuses(chat: TestClient) -> list[str]:
    with chat.app.state.sessionmaker() as session:
        return [row.status for row in session.query(BotOutbox).order_by(BotOutbox.id)]


def test_messages_sent_while_the_bot_is_away_are_answered_in_order_when_it_is_back(chat, bot):
    sender = web_sender(chat)
    bot.down = True
    assert "kept your message and will answer it here" in _say(chat, sender, "hello")
    assert "kept your message" in _say(chat, sender, "I want to pay")
    assert _statuses(chat) == ["waiting", "waiting"] and bot.seen == []
    bot.down = False
    _until(lambda: _statuses(chat) == ["answered", "answered"])
    assert bot.seen == ["hello", "I want to pay"]
    polled = chat.get("/webhooks/rest/messages", params={"sender": sender, "after": 0}).json()
    assert [m["text"] for m in polled][-2:] == ["echo hello", "echo I want to pay"]
    assert [a for a, _ in _transcript(chat, sender)] == ["debtor", "bot", "debtor", "bot", "bot", "bot"]


def test_a_new_message_waits_behind_the_kept_ones(chat, bot):
    """The debtor writes again as the bot comes back: the kept message is answered first."""
    sender = web_sender(chat)
    bot.down = True
    _say(chat, sender, "first")
    bot.down = False
    assert _say(chat, sender, "second") == "echo second"
    assert bot.seen == ["first", "second"]
    assert _transcript(chat, sender)[-3:] == [("bot", "echo first"), ("debtor", "second"), ("bot", "echo second")]


def test_an_answer_the_gateway_stopped_waiting_for_is_found_in_the_bots_record_not_asked_twice(chat, bot):
    sender = web_sender(chat)
    bot.think = 1.5  # beyond the gateway's 1 s
    assert "taking me longer than usual" in _say(chat, sender, "can I pay next week")
    assert _statuses(chat) == ["asked"]
    bot.think = 0
    _until(lambda: _statuses(chat) == ["answered"])
    assert bot.seen == ["can I pay next week"]  # given to the bot once
    assert _transcript(chat, sender)[-1] == ("bot", "echo can I pay next week")


def test_an_empty_answer_is_said_plainly_not_left_as_silence(chat, bot):
    sender = web_sender(chat)
    bot.silent = True
    assert "something went wrong on my side" in _say(chat, sender, "hello")


def test_messages_kept_for_a_conversation_a_colleague_took_are_theirs_not_the_bots(chat, bot):
    sender = web_sender(chat)
    bot.down = True
    assert "kept your message" in _say(chat, sender, "I lost my job, can someone call me")
    with chat.app.state.sessionmaker() as session, session.begin():
        session.get(Conversation, sender).handled_by = "agent"
    bot.down = False
    _until(lambda: _statuses(chat) == ["handed"])
    time.sleep(2.5)  # another round of the outbox
    assert bot.seen == []
    assert [author for author, _ in _transcript(chat, sender)].count("bot") == 1  # only "kept your message"


def test_a_message_whose_turn_with_the_bot_does_not_come_in_time_is_kept_and_answered_later(settings, bot):
    """The bot's every place is taken for longer than the bot may take: the message is never
    given to it, is kept exactly as when the bot is away, and is answered once a place frees."""
    configured = settings.model_copy(
        update={"rasa_url": bot.url, "rasa_token": "outbox-token", "rasa_timeout_seconds": 1.0, "bot_concurrency": 1}
    )
    with TestClient(create_app(configured)) as chat:
        sender = web_sender(chat)
        gate = chat.app.state.bot_gate
        chat.portal.call(gate.acquire, 1.0)  # another turn holds the only place
        assert "kept your message and will answer it here" in _say(chat, sender, "hello")
        assert _statuses(chat) == ["waiting"] and bot.seen == []
        chat.portal.call(gate.release)
        _until(lambda: _statuses(chat) == ["answered"])
        assert bot.seen == ["hello"]
        assert _transcript(chat, sender)[-1] == ("bot", "echo hello")


def _in_own_loop(scenario: Coroutine[Any, Any, T]) -> T:
    """Run in a thread of its own: a browser test's Playwright, alive for the whole session,
    leaves this thread with a running loop, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, scenario).result()


def test_turns_wait_for_the_bot_in_arrival_order_and_a_latecomer_does_not_jump_the_line():
    async def scenario() -> list[str]:
        gate, order = outbox.BotGate(1), []

        async def first() -> None:
            async with gate.turn(5):
                await asyncio.sleep(0.05)
            async with gate.turn(5):  # comes back the moment it let go: behind those waiting
                order.append("first again")

        async def waiting(name: str) -> None:
            async with gate.turn(5):
                order.append(name)
                await asyncio.sleep(0.001)

        holder = asyncio.create_task(first())
        await asyncio.sleep(0.01)
        await asyncio.gather(holder, *(waiting(f"w{i}") for i in range(10)))
        return order

    assert _in_own_loop(scenario()) == [f"w{i}" for i in range(10)] + ["first again"]


def test_a_turn_that_waits_too_long_for_the_bot_is_busy_not_stuck():
    async def scenario() -> None:
        gate = outbox.BotGate(1)
        async with gate.turn(5):
            with pytest.raises(outbox.BotBusy):
                async with gate.turn(0.05):
                    pass
        async with gate.turn(0.05):  # the place a busy turn waited for was not lost
            pass

    _in_own_loop(scenario())


def test_a_caller_on_the_phone_goes_before_those_writing_and_callers_keep_their_order():
    async def scenario() -> list[str]:
        gate, order = outbox.BotGate(1), []

        async def one(name: str, urgent: bool) -> None:
            async with gate.turn(5, urgent=urgent):
                order.append(name)
                await asyncio.sleep(0.001)

        await gate.acquire(5)
        waiting = []
        for name, urgent in [("chat1", False), ("call1", True), ("chat2", False), ("call2", True)]:
            waiting.append(asyncio.create_task(one(name, urgent)))
            await asyncio.sleep(0.001)  # each in line before the next comes
        gate.release()
        await asyncio.gather(*waiting)
        return order

    assert _in_own_loop(scenario()) == ["call1", "call2", "chat1", "chat2"]


def test_a_turn_cancelled_while_waiting_leaves_its_place_to_the_next():
    async def scenario() -> list[str]:
        gate, order = outbox.BotGate(1), []
        await gate.acquire(5)
        gone = asyncio.create_task(gate.acquire(5))
        await asyncio.sleep(0.001)

        async def next_one() -> None:
            async with gate.turn(5):
                order.append("next")

        after = asyncio.create_task(next_one())
        await asyncio.sleep(0.001)
        gone.cancel()
        gate.release()
        await asyncio.wait_for(after, 1)
        async with gate.turn(0.05):  # and the place is free again afterwards
            order.append("free")
        return order

    assert _in_own_loop(scenario()) == ["next", "free"]
