"""Signed tokens and web-chat ids: what a debtor carries, refused when forged, tampered or old."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from amicable.services import link_tokens

SECRET = "services-link-secret"


def test_a_token_lasts_thirty_days_from_its_day():
    day = date(2027, 1, 4)
    token = link_tokens.sign(4_000_000_000, SECRET, day)  # ids up to 2^32 fit
    assert len(token) == 24  # 18 bytes in base64url, well within Telegram's 64 characters
    assert link_tokens.read(token, SECRET, day + timedelta(days=30)) == 4_000_000_000
    assert link_tokens.read(token, SECRET, day + timedelta(days=31)) is None
    assert link_tokens.read(link_tokens.sign(5, SECRET, day, days=1), SECRET, day + timedelta(days=2)) is None


def test_every_flipped_character_of_a_token_is_refused():
    day = date(2027, 1, 4)
    token = link_tokens.sign(42, SECRET, day)
    for position in range(len(token)):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]
        assert link_tokens.read(changed, SECRET, day) is None


def test_web_chat_ids_are_issued_by_the_server_only():
    issued = link_tokens.issue_web_id(SECRET)
    assert issued.startswith("web-") and len(issued) == 49
    assert link_tokens.web_id_valid(issued, SECRET)
    assert not link_tokens.web_id_valid(issued, "another-secret")
    assert not link_tokens.web_id_valid(issued[:-1] + ("A" if issued[-1] != "A" else "B"), SECRET)
    assert not link_tokens.web_id_valid("sms:+32470123456", SECRET)
    assert link_tokens.issue_web_id(SECRET) != issued
    with pytest.raises(ValueError):
        link_tokens.issue_web_id("")


@pytest.mark.parametrize(
    ("language", "url"),
    [
        ("fr", "https://chat.example/?token=T&lang=fr"),
        ("de", "https://chat.example/?token=T"),
        (None, "https://chat.example/?token=T"),
    ],
)
def test_the_chat_link_carries_the_language_we_speak(language, url):
    assert link_tokens.chat_url("https://chat.example/", "T", language) == url
