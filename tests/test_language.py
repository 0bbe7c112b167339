"""Language detection says something only when the message makes it clear."""

from __future__ import annotations

import pytest

from amicable.language import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how much do I owe", "en"),
        ("I forgot, sorry", "en"),
        ("bonjour", "fr"),
        ("je peux payer vendredi prochain", "fr"),
        ("jsuis pas dispo ce mois ci", "fr"),
        ("hoeveel moet ik betalen", "nl"),
        ("allez ge moogt da nie doen", "nl"),
        ("ik betaal de 28ste", "nl"),
    ],
)
def test_clear_messages_are_recognised(text, language):
    assert detect(text) == language


@pytest.mark.parametrize("text", ["ok", "STOP", "12/03/1985", "DEMO-1001", "1000", "😀😀", "nee", "oui"])
def test_short_or_neutral_messages_say_nothing(text):
    assert detect(text) is None
