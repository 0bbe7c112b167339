"""Several Rasa servers behind one web process (RASA_URL with commas, `make run-scaled`): each
conversation keeps to one server, and one that cannot be reached is passed over, not waited
for, while a message is never sent to two."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from amicable.runtime.stack import free_port
from amicable.settings import Settings
from channels.outbox import bot_urls
from server.app import create_app
from tests.channels.test_outbox import _Bot, _say
from tests.factories import web_sender


@pytest.fixture
def bots() -> Iterator[tuple[_Bot, _Bot]]:
    with _Bot() as first, _Bot() as second:
        yield first, second


def test_each_conversation_keeps_to_one_server_and_all_servers_get_some(settings) -> None:
    urls = ",".join(f"http://127.0.0.1:{port}" for port in (5005, 5006, 5007))
    configured = settings.model_copy(update={"rasa_url": urls})
    firsts = Counter(bot_urls(configured, f"web-{n}")[0] for n in range(300))
    assert set(firsts) == set(configured.rasa_urls) and min(firsts.values()) > 60
    for n in range(20):
        order = bot_urls(configured, f"web-{n}")
        assert order == bot_urls(configured, f"web-{n}") and sorted(order) == sorted(configured.rasa_urls)


def test_a_server_that_cannot_be_reached_is_passed_over(settings, bots) -> None:
    first, second = bots
    dead = f"http://127.0.0.1:{free_port()}"
    configured = settings.model_copy(
        update={"rasa_url": f"{dead}, {first.url},{second.url}", "rasa_token": "t", "rasa_timeout_seconds": 2.0}
    )
    with TestClient(create_app(configured)) as chat:
        senders = [web_sender(chat) for _ in range(12)]
        for sender in senders:
            assert _say(chat, sender, f"hello {sender[-6:]}") == f"echo hello {sender[-6:]}"
    # Every message reached exactly one live server, whichever the conversation chose first.
    assert sorted(first.seen + second.seen) == sorted(f"hello {s[-6:]}" for s in senders)
    assert any(bot_urls(configured, s)[0] == dead for s in senders)


@pytest.mark.parametrize("value", ["", " , ", "127.0.0.1:5005", "http://127.0.0.1:5005,rasa:5005"])
def test_a_rasa_url_that_names_no_usable_server_is_refused_at_start(value: str, monkeypatch) -> None:
    monkeypatch.setenv("RASA_URL", value)
    with pytest.raises(ValidationError, match="RASA_URL"):
        Settings()
