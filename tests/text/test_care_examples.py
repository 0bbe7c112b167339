"""The care-cue examples (policies/care/examples: what the model learns from, and the phrases
were tuned on, unlike the held-out tests/care/): they load, have the documented shape and
hold enough messages of each cue in each language."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from amicable.paths import ROOT
from amicable.text.care import CUES

HERE = ROOT / "policies" / "care" / "examples"
LABELS = (*CUES, "none")
MINIMUM = {"suicidal": 35, "none": 100} | {cue: 20 for cue in CUES if cue != "suicidal"}


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_examples_load_and_meet_the_counts(language):
    messages = yaml.safe_load((HERE / f"{language}.yml").read_text(encoding="utf-8"))["messages"]
    assert all(set(m) == {"text", "cue"} and isinstance(m["text"], str) and m["text"].strip() for m in messages)
    assert {m["cue"] for m in messages} <= set(LABELS)
    assert len({m["text"] for m in messages}) == len(messages), "a message is listed twice"
    assert len(messages) >= 250
    counts = Counter(m["cue"] for m in messages)
    for cue, minimum in MINIMUM.items():
        assert counts[cue] >= minimum, f"{language}: {counts[cue]} {cue} messages, {minimum} wanted"


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def _near(words: tuple[str, ...]) -> set[tuple]:
    """The word sequence with any one word masked or dropped: two messages that share one of
    these differ by at most one word."""
    keys = {words}
    for position in range(len(words)):
        keys.add((*words[:position], None, *words[position + 1 :]))
        keys.add(words[:position] + words[position + 1 :])
    return keys


def test_no_example_is_a_copy_of_a_blind_message():
    """The model learns from the examples and is measured on tests/care: a blind message in the
    examples, whole or but one word apart, would make its figures a test of memory. Short
    messages (under four words) must differ in more than case and spacing."""
    blind: dict[tuple, str] = {}
    for path in sorted((ROOT / "tests" / "care").glob("cues_*.yml")):
        for message in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]:
            words = _words(message["text"])
            for key in _near(words) if len(words) >= 4 else {words}:
                blind[key] = message["text"]
    copies = []
    for language in ("en", "fr", "nl"):
        for message in yaml.safe_load((HERE / f"{language}.yml").read_text(encoding="utf-8"))["messages"]:
            words = _words(message["text"])
            keys = _near(words) if len(words) >= 4 else {words}
            copies += [(message["text"], blind[key]) for key in keys if key in blind][:1]
    assert not copies, "\n".join(f"{a!r} ~ {b!r}" for a, b in copies)
