"""The training data and the held-out test sets stay apart, and every intent has examples
in every language: an evaluation on sentences the model was trained on would measure
nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "fr", "nl")


def _examples(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for block in yaml.safe_load(path.read_text())["nlu"]:
        if "intent" in block:
            lines = [
                line.strip()[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")
            ]
            found.setdefault(block["intent"], []).extend(lines)
    return found


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip(" .!?")


def _training(language: str) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "nlu" / language).glob("*.yml")):
        for intent, lines in _examples(path).items():
            merged.setdefault(intent, []).extend(lines)
    return merged


@pytest.mark.parametrize("held_out_set", ["", "fresh/"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_test_sentence_is_in_the_training_data(language, held_out_set):
    trained = {_normal(text) for lines in _training(language).values() for text in lines}
    held_out = _examples(ROOT / "tests" / "nlu" / f"{held_out_set}{language}.yml")
    shared = sorted({_normal(t) for lines in held_out.values() for t in lines} & trained)
    # One-word replies ("yes", "stop") cannot be written two ways; anything longer must differ.
    assert [s for s in shared if len(s.split()) > 1] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_examples_in_every_language(language):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    # nlu_fallback and inform are set by components (the fallback, an answer of the asked shape),
    # never learnt from examples.
    intents = set(domain["intents"]) - {"nlu_fallback", "inform"}
    counts = {intent: len(lines) for intent, lines in _training(language).items()}
    assert {i: counts.get(i, 0) for i in intents if counts.get(i, 0) < 60} == {}


def test_no_sentence_is_labelled_with_two_intents():
    for language in LANGUAGES:
        seen: dict[str, str] = {}
        clashes = []
        for intent, lines in _training(language).items():
            for text in lines:
                key = _normal(text)
                if seen.setdefault(key, intent) != intent:
                    clashes.append((text, seen[key], intent))
        assert clashes == [], language
