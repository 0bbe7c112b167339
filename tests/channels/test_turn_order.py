"""One turn at a time per conversation, in arrival order (channels/turns.py): what is stored is
the order the bot saw, each reply right after its message; first messages arriving together
all create the same one conversation; across web processes the lock is shared through Redis."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from amicable.db.models import Conversation
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.services import conversations
from channels.turns import TurnLocks
from server.app import create_app
from tests.factories import web_sender
from tests.fakes.local_server import JsonHandler, LocalServer


class _Bot(LocalServer):
    """A bot that answers each message after a short think, noting the order it saw them in."""

    def __init__(self, think: float = 0.05) -> None:
        seen: list[str] = []
        self.seen = seen

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802 (the tracker: no form open)
                self._reply(200, {"slots": {}})

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                seen.append(body["message"])
                time.sleep(think)
                self._reply(200, [{"recipient_id": body["sender"], "text": f"echo {body['message']}"}])

        self._start(Handler)


def test_messages_sent_together_are_stored_in_the_order_the_bot_saw_them(settings):
    from fastapi.testclient import TestClient

    with (
        _Bot() as bot,
        TestClient(
            create_app(settings.model_copy(update={"rasa_url": bot.url, "rasa_token": "turn-order-token"}))
        ) as client,
    ):
        sender = web_sender(client)
        texts = [f"message {n}" for n in range(15)]
        start = threading.Barrier(len(texts))

        def send(text: str) -> int:
            start.wait()
            return client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text}).status_code

        with ThreadPoolExecutor(len(texts)) as pool:
            codes = list(pool.map(send, texts))
        assert codes == [200] * len(texts)
        assert sorted(bot.seen) == sorted(texts)
        with client.app.state.sessionmaker() as session:
            stored = [(m.author, m.text) for m in session.get(Conversation, sender).messages]
        expected = [pair for text in bot.seen for pair in (("debtor", text), ("bot", f"echo {text}"))]
        assert stored == expected
        assert client.app.state.turns.waiting() == 0


def test_first_messages_arriving_together_make_one_conversation(settings):
    """Several requests (or processes) creating the same new conversation: none fails."""
    factory = make_sessionmaker(make_engine(settings.database_url))
    from amicable.db.migrate import upgrade

    upgrade(settings.database_url)
    start = threading.Barrier(8)

    def first(_: int) -> str:
        start.wait()
        with transaction(factory) as session:
            conversation = conversations.get_or_create(session, "sms:+32470000111", "sms", "+32470000111")
            conversations.record_message(session, conversation, "debtor", "hello")
            return conversation.id

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(first, range(8))) == {"sms:+32470000111"}
    with factory() as session:
        assert len(session.get(Conversation, "sms:+32470000111").messages) == 8


def test_the_lock_is_shared_by_web_processes_through_redis(settings, redis_server):
    shared = settings.model_copy(update={"redis_url": redis_server.url})
    order: list[str] = []

    async def run() -> None:
        one, two = TurnLocks(shared), TurnLocks(shared)  # two web processes

        async def turn(locks: TurnLocks, name: str, hold: float) -> None:
            async with locks.hold("web-shared"):
                order.append(f"{name} in")
                await asyncio.sleep(hold)
                order.append(f"{name} out")

        first = asyncio.create_task(turn(one, "one", 0.3))
        await asyncio.sleep(0.05)
        await turn(two, "two", 0)
        await first
        await one.close()
        await two.close()

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever ran before in this thread
        pool.submit(asyncio.run, run()).result()
    assert order == ["one in", "one out", "two in", "two out"]
