"""`amicable redact --all` rewrites stored transcripts in place; a second run changes nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from amicable.db.models import Conversation, Message
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.paths import ROOT

COMMAND = ROOT / ".venv" / "bin" / "amicable"


def test_stored_transcripts_are_redacted_in_place_once(tmp_path: Path):
    database = tmp_path / "old.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([str(COMMAND), "migrate"], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120)
    rows = [
        ("debtor", "my card is 4111 1111 1111 1111 exp 04/28"),
        ("debtor", "I can pay 50 euros on the 28th, reference INV-2025-00871"),
        ("bot", "Here is your link: https://pay.example/pay/abc"),
        ("agent", "noted, her IBAN is BE71 0961 2345 6769"),
    ]
    with transaction(make_sessionmaker(make_engine(env["DATABASE_URL"]))) as session:
        conversation = Conversation(id="web-1", channel="web")
        session.add(conversation)
        for author, text in rows:
            session.add(Message(conversation=conversation, author=author, text=text))
    first = subprocess.run(
        [str(COMMAND), "redact", "--all"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert first.returncode == 0, first.stderr
    assert "messages read: 3; redacted: 2" in first.stdout
    with sqlite3.connect(database) as connection:
        texts = [row[0] for row in connection.execute("select text from messages order by id")]
    assert texts == [
        "my card is [CARD] exp [CARD_DETAILS]",
        "I can pay 50 euros on the 28th, reference INV-2025-00871",
        "Here is your link: https://pay.example/pay/abc",
        "noted, her IBAN is [IBAN]",
    ]
    second = subprocess.run(
        [str(COMMAND), "redact", "--all"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert "messages read: 3; redacted: 0" in second.stdout
