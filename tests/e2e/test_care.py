"""Words that mean a person needs a person: suicidal intent stops collecting at once, gives
the country's crisis line and puts the conversation first in the agents' queue; a
bereavement said in any words leads to the hardship flow. What is recorded is the cue, never
the words."""

from __future__ import annotations

import sqlite3

import pytest

pytestmark = pytest.mark.stack


def _rows(stack, query: str, *args) -> list[tuple]:
    with sqlite3.connect(stack.database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute(query, args).fetchall()


def test_suicidal_words_stop_collection_and_give_the_crisis_line(stack, debtor):
    debtor.verify()
    reply = debtor.say("honestly i dont see the point anymore, everyone would be better off without me")
    assert "1813" in reply and "0800 32 123" in reply, reply  # Belgium's lines: the debtor lives in BE
    assert "€" not in reply
    handoffs = _rows(
        stack,
        "select h.reason, h.summary from handoffs h join conversations c on c.id = h.conversation_id where c.id = ?",
        debtor.sender,
    )
    assert handoffs and handoffs[-1][0] == "crisis" and handoffs[-1][1].startswith("URGENT")
    assert _rows(stack, "select on_hold from accounts where reference = ?", debtor.reference) == [(1,)]
    log = [entry for entry in debtor.account()["contact_log"] if entry["kind"] == "care_cue"]
    assert log and "harm themselves" in log[-1]["detail"]
    assert "better off without me" not in log[-1]["detail"]


def test_a_bereavement_in_any_words_leads_to_the_hardship_flow(stack, debtor):
    debtor.verify()
    reply = debtor.say("sorry for the late reply, my husband passed away three weeks ago")
    assert "your loss" in reply, reply  # the bereavement acknowledgement, in one of its wordings
    log = [entry for entry in debtor.account()["contact_log"] if entry["kind"] == "care_cue"]
    assert log and log[-1]["detail"] == "a bereavement"
