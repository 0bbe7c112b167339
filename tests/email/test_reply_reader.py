"""The reply reader on raw replies written by others (tests/email_replies_blind*), and on
anything at all: it returns the debtor's new words, and never raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from amicable.runtime import email_eval
from amicable.services.email_replies import new_words, parse, read


def test_the_development_set_is_read_down_to_the_new_words():
    figures = email_eval.score(email_eval.ROOT / "tests" / "email_replies_blind")
    assert figures["same_words"] >= 0.95, figures["misses"]


def test_the_held_out_set_is_read_down_to_the_new_words():
    folder = email_eval.ROOT / "tests" / "email_replies_blind2"
    figures = email_eval.score(folder)
    assert figures["same_words"] >= 0.85, [m["file"] for m in figures["misses"]]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_read_without_error_and_keeps_only_its_own_words(text):
    words = new_words(text)
    assert set(words.split()) <= set(text.replace("\xa0", " ").split())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_are_read_as_an_email_without_error(raw):
    incoming = read(parse(raw))
    assert isinstance(incoming.text, str)
