"""The care-cue examples (policies/care/examples: what the model learns from, and the phrases
were tuned on, unlike the held-out tests/care/): they load, have the documented shape and
hold enough messages of each cue in each language."""

from __future__ import annotations

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
