"""The load script's check of the record (amicable/runtime/load.py) must catch what it is
there to catch: a message stored twice or not at all, one left unanswered, two swapped."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from amicable.runtime import load

SENT = ["hello", "REF-1", "12/03/1985", "1000"]


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'load.db'}"
    with create_engine(url).begin() as connection:
        connection.execute(
            text("CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id TEXT, author TEXT, text TEXT)")
        )
    return url


def _store(url: str, conversation: str, rows: list[tuple[str, str]]) -> None:
    with create_engine(url).begin() as connection:
        for author, body in rows:
            connection.execute(
                text("INSERT INTO messages (conversation_id, author, text) VALUES (:c, :a, :t)"),
                {"c": conversation, "a": author, "t": body},
            )


def _answered(lines: list[str]) -> list[tuple[str, str]]:
    return [row for line in lines for row in (("debtor", line), ("bot", "ok"))]


def test_a_complete_conversation_in_order_passes(database: str) -> None:
    stored = [*SENT]
    stored[2] = "[DATE OF BIRTH]"  # stored masked, as the gateway does
    _store(database, "c1", _answered(stored))
    level = load.Level(1)
    load.check_record(database, {"c1": SENT}, level)
    assert level.ok and not level.incomplete and not level.reordered


def test_a_lost_message_is_incomplete(database: str) -> None:
    _store(database, "c1", _answered(SENT[:3]))
    level = load.Level(1)
    load.check_record(database, {"c1": SENT}, level)
    assert level.incomplete and not level.ok


def test_a_message_stored_twice_is_incomplete(database: str) -> None:
    _store(database, "c1", _answered([*SENT, SENT[-1]]))
    level = load.Level(1)
    load.check_record(database, {"c1": SENT}, level)
    assert level.incomplete


def test_an_unanswered_message_is_incomplete(database: str) -> None:
    rows = _answered(SENT)
    del rows[3]  # the answer to the second message
    _store(database, "c1", rows)
    level = load.Level(1)
    load.check_record(database, {"c1": SENT}, level)
    assert level.incomplete == ["c1: messages [1] have no answer"]


def test_swapped_messages_are_reordered(database: str) -> None:
    _store(database, "c1", _answered([SENT[0], SENT[3], SENT[2], SENT[1]]))
    level = load.Level(1)
    load.check_record(database, {"c1": SENT}, level)
    assert level.reordered and not level.ok
