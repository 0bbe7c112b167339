"""The shapes of answers (bot/answers.py) that fill the question just asked whatever the
intent classifier thinks: here a plain yes or no to an offer, and references read out in
groups of figures. Generated inputs, in the three languages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.answers import looks_like_reference, yes_or_no

YES_OPENINGS = ["yes", "Yes,", "ok", "OK!", "sure", "yep", "oui", "Oui,", "d'accord", "ja", "Ja,", "prima", "akkoord"]
NO_OPENINGS = ["no", "No,", "nope", "non", "Non,", "nee", "Nee,", "neen"]
AFTER = ["thank you so much", "merci beaucoup", "dank u wel", "please", "that's fine", "graag", "deal", "thanks", ""]
BUTS = ["but", "mais", "maar"]

tails = st.lists(st.sampled_from(AFTER), max_size=2).map(" ".join)


@given(st.sampled_from(YES_OPENINGS), tails)
def test_a_short_message_opening_with_yes_is_a_yes(opening, tail):
    assert yes_or_no(f"{opening} {tail}".strip()) == "affirm"


@given(st.sampled_from(NO_OPENINGS), tails)
def test_a_short_message_opening_with_no_is_a_no(opening, tail):
    assert yes_or_no(f"{opening} {tail}".strip()) == "deny"


@given(st.sampled_from(YES_OPENINGS + NO_OPENINGS), st.sampled_from(BUTS), tails)
def test_a_but_means_more_than_a_yes_or_a_no(opening, but, tail):
    assert yes_or_no(f"{opening} {but} {tail}") is None


@given(st.sampled_from(YES_OPENINGS), st.integers(1, 999))
def test_a_figure_means_more_than_a_yes(opening, figure):
    assert yes_or_no(f"{opening} {figure} a month") is None


@pytest.mark.parametrize(
    "text",
    ["I'm not sure", "what do you mean", "can I pay later", "pourquoi", "wat bedoelt u", "yes " + "word " * 12],
)
def test_other_messages_are_neither(text):
    assert yes_or_no(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("That works", "affirm"),
        ("ça marche", "affirm"),
        ("doe maar", "affirm"),
        ("jaa merci", "affirm"),
        ("yesss please", "affirm"),
        ("nee", "deny"),
    ],
)
def test_common_phrases_of_agreement(text, expected):
    assert yes_or_no(text) == expected


@given(st.lists(st.integers(0, 999).map(lambda n: f"{n:02d}"), min_size=2, max_size=8))
def test_a_reference_read_out_in_groups_of_figures_is_a_reference(groups):
    assert looks_like_reference(" ".join(groups))
