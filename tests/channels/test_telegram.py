"""Telegram through python-telegram-bot: the webhook's secret token is checked, /start with a
deep-link token ties the chat to a file (identity still confirmed), buttons become an inline
keyboard, and replies go out through the Bot API (a local server in its format)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.conftest import AUTH, TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.factories import account_body
from tests.fakes.telegram_api import FakeTelegram

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(TELEGRAM_TOKEN) as server:
        yield server


@pytest.fixture
def client(settings, fake) -> Iterator[TestClient]:
    configured = settings.model_copy(
        update={
            "telegram_bot_token": TELEGRAM_TOKEN,
            "telegram_webhook_secret": TELEGRAM_SECRET,
            "telegram_api_base": fake.url,
            "telegram_bot_username": "amicable_test_bot",
        }
    )
    with TestClient(create_app(configured)) as test_client:
        yield test_client


def _update(text: str | None = None, chat_id: int = 4242, update_id: int = 1, **message) -> dict:
    body = {
        "message_id": update_id,
        "date": 1_790_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "fr"},
        **message,
    }
    if text is not None:
        body["text"] = text
    return {"update_id": update_id, "message": body}


def test_updates_without_the_secret_token_are_refused(client, fake):
    assert client.post("/channels/telegram", json=_update("hi")).status_code == 403
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    assert client.post("/channels/telegram", json=_update("hi"), headers=wrong).status_code == 403
    assert client.post("/channels/telegram", content=b"not json", headers=HEADERS).status_code == 400
    assert fake.sent == []


def test_a_deep_link_binds_the_chat_to_the_file_without_disclosing_it(client, fake):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    links = client.post("/api/v1/accounts/ACC-1001/links", headers=AUTH).json()
    assert links["telegram"] == f"https://t.me/amicable_test_bot?start={links['token']}"
    assert client.post("/channels/telegram", json=_update(f"/start {links['token']}"), headers=HEADERS).json() == {
        "ok": True
    }
    assert client.get("/api/v1/conversations/telegram:4242/binding", headers=AUTH).json() == {"bound": True}
    # The bot is not running here: the gateway's calm answer goes out through the Bot API,
    # in the file's language (English) rather than the French of the Telegram app.
    [sent] = fake.texts(4242)
    assert "I have kept your message and will answer it here" in sent
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["contact_log"][-1]["kind"] == "conversation_bound"


def test_a_forged_deep_link_binds_nothing(client, fake):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    client.post("/channels/telegram", json=_update("/start AAAAKgn08C0lKSEWnVhGses5"), headers=HEADERS)
    assert client.get("/api/v1/conversations/telegram:4242/binding", headers=AUTH).json() == {"bound": False}


def test_stickers_and_photos_get_a_calm_answer_and_taps_are_acknowledged(client, fake):
    sticker = {
        "file_id": "x",
        "file_unique_id": "u",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    assert client.post("/channels/telegram", json=_update(None, sticker=sticker), headers=HEADERS).status_code == 200
    assert "écrire votre message" in fake.texts(4242)[0]
    tap = {
        "update_id": 9,
        "callback_query": {
            "id": "cb-1",
            "chat_instance": "ci",
            "data": "/affirm",
            "from": {"id": 4242, "is_bot": False, "first_name": "Sam"},
            "message": {"message_id": 3, "date": 1_790_000_000, "chat": {"id": 4242, "type": "private"}, "text": "?"},
        },
    }
    assert client.post("/channels/telegram", json=tap, headers=HEADERS).status_code == 200
    assert fake.answered == ["cb-1"]
