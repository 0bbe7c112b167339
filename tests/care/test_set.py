"""Checks on the blind care-cue test set itself (the YAML files), not on any detector.

The set lives next to this file: cues_en.yml, cues_fr.yml, cues_nl.yml and a second French set, cues_fr_2.yml. See README.md.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).parent
LANGUAGES = ("en", "fr", "nl", "fr_2")  # fr_2: a second French set, by other authors
CUES = ("suicidal", "bereavement", "illness", "mental_health", "abuse", "gambling")
LABELS = frozenset((*CUES, "none"))

MIN_TOTAL = 320
MIN_SUICIDAL = 40
MIN_OTHER_CUE = 25
MIN_NONE = 140
MIN_HARD_NONE = 80

# "# section: <name>" comments group the messages; every section but the two `none` ones is named after its label.
SECTIONS = {**{cue: cue for cue in CUES}, "none-hard": "none", "none-ordinary": "none"}
SECTION_RE = re.compile(r"^\s*#\s*section:\s*(\S+)\s*$")
ITEM_RE = re.compile(r"^\s*-\s+text:")

# Near-duplicates are only looked for between messages of at least this many words:
# below that, two different short replies ("ok thanks" / "ok merci") would count as one word apart.
NEAR_DUP_MIN_WORDS = 4


def path(lang: str) -> Path:
    return HERE / f"cues_{lang}.yml"


@cache
def raw(lang: str) -> str:
    return path(lang).read_text(encoding="utf-8")


@cache
def messages(lang: str) -> tuple[dict, ...]:
    data = yaml.safe_load(raw(lang))
    assert isinstance(data, dict), f"{path(lang).name}: top level must be a mapping"
    assert set(data) == {"messages"}, f"{path(lang).name}: only a `messages` key is expected, got {sorted(data)}"
    assert isinstance(data["messages"], list), f"{path(lang).name}: `messages` must be a list"
    return tuple(data["messages"])


@cache
def sections(lang: str) -> tuple[str, ...]:
    """The section each message sits in, in file order, read from the comments."""
    current = None
    found = []
    for number, line in enumerate(raw(lang).splitlines(), 1):
        if match := SECTION_RE.match(line):
            current = match.group(1)
            assert current in SECTIONS, f"{path(lang).name}:{number}: unknown section {current!r}"
        elif ITEM_RE.match(line):
            assert current is not None, f"{path(lang).name}:{number}: message before any section comment"
            found.append(current)
    return tuple(found)


def normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def all_texts() -> list[tuple[str, str]]:
    return [(lang, item["text"]) for lang in LANGUAGES for item in messages(lang)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_file_is_valid_yaml_with_the_expected_shape(lang):
    items = messages(lang)
    assert items, f"{path(lang).name} has no messages"
    for index, item in enumerate(items):
        assert isinstance(item, dict), f"{path(lang).name} #{index}: not a mapping"
        assert set(item) == {"text", "cue"}, f"{path(lang).name} #{index}: keys {sorted(item)}"
        assert isinstance(item["text"], str), f"{path(lang).name} #{index}: text is not a string"
        assert item["text"].strip(), f"{path(lang).name} #{index}: empty text"
        assert item["text"] == item["text"].strip(), f"{path(lang).name} #{index}: stray spaces around the text"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_file_says_how_it_was_written(lang):
    first = raw(lang).splitlines()[0]
    assert first.startswith("# written blind: ") and len(first) > len("# written blind: ") + 10


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labels_are_known(lang):
    unknown = {item["cue"] for item in messages(lang)} - LABELS
    assert not unknown, f"{path(lang).name}: unknown labels {sorted(map(str, unknown))}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_minimum_counts(lang):
    counts = Counter(item["cue"] for item in messages(lang))
    assert sum(counts.values()) >= MIN_TOTAL, counts
    assert counts["suicidal"] >= MIN_SUICIDAL, counts
    for cue in CUES:
        if cue != "suicidal":
            assert counts[cue] >= MIN_OTHER_CUE, (cue, counts)
    assert counts["none"] >= MIN_NONE, counts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sections_match_labels_and_hold_enough_hard_negatives(lang):
    items, found = messages(lang), sections(lang)
    assert len(found) == len(items), "every message must be written as a one-line `- text:` item under a section"
    for item, section in zip(items, found, strict=True):
        assert item["cue"] == SECTIONS[section], f"{item['text']!r} is labelled {item['cue']} in section {section}"
    assert Counter(found)["none-hard"] >= MIN_HARD_NONE


def test_no_duplicate_texts_within_or_across_files():
    seen: dict[str, str] = {}
    duplicates = []
    for lang, text in all_texts():
        key = normalise(text)
        if key in seen:
            duplicates.append((seen[key], f"{lang}: {text}"))
        else:
            seen[key] = f"{lang}: {text}"
    assert not duplicates, duplicates


def test_no_two_messages_differ_by_only_one_word():
    tokens = [(f"{lang}: {text}", words(text)) for lang, text in all_texts()]
    tokens = [(label, toks) for label, toks in tokens if len(toks) >= NEAR_DUP_MIN_WORDS]

    # Same words, or one word swapped: identical once one position is masked.
    masked: dict[tuple, set[int]] = defaultdict(set)
    # One word added or dropped: the shorter equals the longer minus one word.
    whole = defaultdict(set)
    for index, (_, toks) in enumerate(tokens):
        whole[toks].add(index)
        for position in range(len(toks)):
            masked[(*toks[:position], None, *toks[position + 1 :])].add(index)

    pairs = set()
    for group in masked.values():
        if len(group) > 1:
            pairs.update((a, b) for a in group for b in group if a < b)
    for index, (_, toks) in enumerate(tokens):
        for position in range(len(toks)):
            for other in whole.get(toks[:position] + toks[position + 1 :], ()):
                pairs.add((min(index, other), max(index, other)))
    pairs = {(a, b) for a, b in pairs if a != b}
    assert not pairs, sorted((tokens[a][0], tokens[b][0]) for a, b in pairs)
