"""A debtor opening the Telegram deep link from a reminder: the chat is tied to their file,
the bot asks only for the date of birth, then answers, with buttons as an inline keyboard."""

from __future__ import annotations

import itertools

import httpx
import pytest

from tests.conftest import AUTH, TELEGRAM_SECRET

pytestmark = pytest.mark.stack
_updates = itertools.count(1000)


def _send(stack, chat_id: int, text: str) -> None:
    update = {
        "update_id": next(_updates),
        "message": {
            "message_id": next(_updates),
            "date": 1_790_000_000,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "fr"},
            "text": text,
        },
    }
    response = httpx.post(
        f"{stack.web_url}/channels/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        timeout=60,
    )
    assert response.status_code == 200, response.text


def test_a_deep_link_conversation_on_telegram(stack, telegram_api, french_debtor):
    chat = 90_001
    token = httpx.post(f"{stack.web_url}/api/v1/accounts/{french_debtor.reference}/links", headers=AUTH).json()["token"]
    _send(stack, chat, f"/start {token}")
    first = "\n".join(telegram_api.texts(chat))
    assert "date de naissance" in first and "€" not in first, first
    _send(stack, chat, "12 mars 1985")
    _send(stack, chat, "1000")
    _send(stack, chat, "je veux payer maintenant")
    said = "\n".join(telegram_api.texts(chat))
    assert "120,50" in said and "/pay/pl_" in said, said
