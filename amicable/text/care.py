"""Care cues: the words that mean a person needs a person, whatever the intent classifier
made of the message ("I really can't deal with this right now" was answered with a payday
script).

The phrases are data (`policies/care/<language>.yml`), so people who know the field can extend
them without touching code. Each phrase becomes spaCy Matcher patterns on the pipeline of its
language (`pipelines.py`): once on the words as written (case and accents aside), once on
their dictionary forms from the lookup lemmatizer, so "died" finds "die" and "overleden"
stays itself. A word written in its dictionary form finds its other forms too; a word written
inflected finds only itself. "…" in a phrase allows up to three words between.

One message may carry several cues; the most urgent is the one acted on: suicidal intent,
then abuse, bereavement, serious illness, a mental-health crisis, gambling.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.matcher import Matcher

from amicable.text.pipelines import LANGUAGES, pipeline

CUES = ("suicidal", "abuse", "bereavement", "illness", "mental_health", "gambling")
GAP = "…"


@dataclass(frozen=True)
class CrisisLine:
    name: str
    number: str
    languages: tuple[str, ...]
    source: str


def _fold(text: str) -> str:
    """Lower case without accents: "Décédée" -> "decedee"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def load_phrases(path: Path) -> dict[str, list[str]]:
    """A care file, checked: known cues only, each a list of phrases."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of cue: [phrases]")
    unknown = set(data) - set(CUES)
    if unknown:
        raise ValueError(f"{path}: unknown cue(s) {', '.join(sorted(unknown))}; known: {', '.join(CUES)}")
    for cue, phrases in data.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip(GAP + " ") for p in phrases):
            raise ValueError(f"{path}: {cue} must be a list of phrases")
    return {cue: [str(p) for p in phrases] for cue, phrases in data.items()}


def load_crisis_lines(path: Path) -> dict[str, tuple[CrisisLine, ...]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    lines: dict[str, tuple[CrisisLine, ...]] = {}
    for country, entries in data.items():
        try:
            lines[str(country).upper()] = tuple(
                CrisisLine(e["name"], str(e["number"]), tuple(e.get("languages", ())), e["source"]) for e in entries
            )
        except (KeyError, TypeError):
            raise ValueError(f"{path}: {country}: each line needs name, number and source") from None
    return lines


class CareMatcher:
    """The cues of one language."""

    def __init__(self, language: str, phrases: dict[str, list[str]]) -> None:
        self.language = language
        self.nlp = pipeline(language)
        self.written = Matcher(self.nlp.vocab)
        self.lemmas = Matcher(self.nlp.vocab)
        for cue, items in phrases.items():
            patterns = [self._patterns(phrase) for phrase in items]
            self.written.add(cue, [w for w, _ in patterns])
            self.lemmas.add(cue, [lemma for _, lemma in patterns])

    def _patterns(self, phrase: str) -> tuple[list[dict], list[dict]]:
        written: list[dict] = []
        lemmas: list[dict] = []
        for part in phrase.replace(GAP, f" {GAP} ").split():
            if part == GAP:
                written.append({"IS_PUNCT": False, "OP": "{0,3}"})
                lemmas.append({"IS_PUNCT": False, "OP": "{0,3}"})
                continue
            for token in self.nlp.make_doc(_fold(part)):
                written.append({"LOWER": token.text})
            for token in self.nlp(part.lower()):
                # A word written in its dictionary form also finds its other forms ("gamble":
                # "gambled", "gambling"); a form written as such finds only itself ("betting"
                # must not find "I bet").
                base = token.lemma_ or token.text
                lemmas.append({"LEMMA": base} if base == token.text else {"LOWER": token.text})
        return written, lemmas

    def cues(self, text: str) -> list[str]:
        """The cues in `text`, most urgent first."""
        found = {self.nlp.vocab.strings[m] for m, _, _ in self.written(self.nlp.make_doc(_fold(text)))}
        found |= {self.nlp.vocab.strings[m] for m, _, _ in self.lemmas(self.nlp(text.lower()))}
        return [cue for cue in CUES if cue in found]


@lru_cache(maxsize=8)
def _matchers(care_dir: Path) -> dict[str, CareMatcher]:
    return {lang: CareMatcher(lang, load_phrases(care_dir / f"{lang}.yml")) for lang in LANGUAGES}


def warm_up(care_dir: Path) -> None:
    """Build the matchers now (about a third of a second), not at the first message."""
    _matchers(care_dir)


def cues(text: str, language: str | None, care_dir: Path) -> list[str]:
    """The care cues in a message, most urgent first. A message in an unknown language is read
    with each language's phrases."""
    matchers = _matchers(care_dir)
    if language in matchers:
        return matchers[language].cues(text)
    found: set[str] = set()
    for matcher in matchers.values():
        found.update(matcher.cues(text))
    return [cue for cue in CUES if cue in found]


def crisis_lines(care_dir: Path, country: str | None, language: str | None) -> list[CrisisLine]:
    """The lines to give: the debtor's country's, in their language first; without a known
    country, those of the countries that speak their language."""
    table = load_crisis_lines(care_dir / "crisis_lines.yml")
    if country and country.upper() in table:
        lines = list(table[country.upper()])
    else:
        lines = [line for entries in table.values() for line in entries if language in line.languages]
    return sorted(lines, key=lambda line: language not in line.languages)


def check(care_dir: Path) -> None:
    """Every care file loads (unknown cues and empty phrases are named); `amicable validate`."""
    _matchers.cache_clear()
    _matchers(care_dir)
    load_crisis_lines(care_dir / "crisis_lines.yml")
