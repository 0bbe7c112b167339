"""Signed link tokens: compact enough for a Telegram deep link, refused when forged or old."""

from __future__ import annotations

import re
from datetime import date, timedelta

from amicable.services import link_tokens


def test_a_token_names_its_account_and_fits_a_deep_link():
    token = link_tokens.sign(123456, "secret")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token)
    assert link_tokens.read(token, "secret") == 123456


def test_forged_tampered_or_expired_tokens_are_refused():
    today = date(2026, 11, 23)
    token = link_tokens.sign(7, "secret", today)
    assert link_tokens.read(token, "other-secret", today) is None
    assert link_tokens.read(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "secret", today) is None
    assert link_tokens.read("not a token!", "secret", today) is None
    assert link_tokens.read(token, "secret", today + timedelta(days=30)) == 7
    assert link_tokens.read(token, "secret", today + timedelta(days=31)) is None
    assert link_tokens.read(token, "", today) is None
