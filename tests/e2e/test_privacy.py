"""A card number typed into the chat never reaches the database, the bot's tracker or a log
line; the debtor is told calmly to use the secure pay page, and the pay-now flow follows."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

pytestmark = pytest.mark.stack

CARD = "4111 1111 1111 1111"
FORMS = ("4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111")


def _database_text(stack) -> str:
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        return "\n".join(connection.iterdump())


def test_a_card_typed_into_the_chat_is_kept_nowhere(stack, debtor):
    debtor.verify()
    reply = debtor.say(f"can I just give you my card {CARD} exp 04/28 cvc 123")
    assert "never share them in a chat" in reply, reply
    assert "/pay/" in reply, reply  # the bot goes on with paying now: a link to the secure page
    stored = _database_text(stack)
    assert "[CARD]" in stored and "[CARD_DETAILS]" in stored
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{debtor.sender}/tracker",
        params={"token": stack.rasa_token},
        timeout=30,
    ).text
    logs = "\n".join(path.read_text(errors="replace") for path in stack.workdir.glob("*.log"))
    for where, text in (("database", stored), ("tracker", tracker), ("logs", logs)):
        for form in FORMS:
            assert form not in text, f"the card number reached the {where}"
        assert "04/28" not in text, f"the expiry reached the {where}"


def test_the_date_of_birth_reaches_the_check_but_the_transcript_keeps_it_masked(stack, debtor):
    debtor.verify("12/03/1985")
    balance = debtor.say("how much do I owe?")
    assert "120.50" in balance, balance  # the check passed: the date reached it
    stored = _database_text(stack)
    assert "[DATE_OF_BIRTH]" in stored
    assert "'12/03/1985'" not in stored
