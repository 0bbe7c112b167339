"""Redaction: what a debtor typed that we must not keep, replaced by a typed placeholder
before anything is stored, forwarded to the bot or logged.

"can I just give you my card 4111 1111 1111 1111 exp 04/28 cvc 123" is kept as "can I just
give you my card [CARD] exp [CARD_DETAILS] cvc [CARD_DETAILS]". Presidio's analyzer runs the
recognizers of `recognizers.py` on the spaCy pipeline of the message's language; its
anonymizer writes the placeholders, resolving overlaps. The debtor's own phone number and
e-mail address stay (they may tell us to use them); what the identity check needs stays too:
references, dates, postcodes and amounts are none of the recognised kinds, and a one-time code
is kept when it is the answer to our own question for it (`keep`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import SpacyNlpEngine
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from amicable.text.pipelines import LANGUAGES, pipeline
from amicable.text.recognizers import RECOGNIZERS

PLACEHOLDERS = {
    "CARD": "[CARD]",
    "CARD_DETAILS": "[CARD_DETAILS]",
    "IBAN": "[IBAN]",
    "NATIONAL_ID": "[NATIONAL_ID]",
    "EMAIL": "[EMAIL]",
    "PHONE": "[PHONE]",
    "PASSWORD": "[PASSWORD]",
    "CODE": "[CODE]",
}
# What, once seen, makes the bot say: never share this in a chat, use the secure pay page.
PAYMENT_SECRETS = frozenset({"CARD", "CARD_DETAILS"})


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[str, ...]
    """The kinds taken out, in order of appearance (CARD, IBAN, …): what the reply may mention."""

    @property
    def payment_secret(self) -> bool:
        return any(kind in PAYMENT_SECRETS for kind in self.found)


class _Pipelines(SpacyNlpEngine):
    """Presidio's spaCy engine on our own pipelines (no model is loaded by name)."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": code, "model_name": f"blank-{code}"} for code in LANGUAGES])
        self.nlp = {code: pipeline(code) for code in LANGUAGES}

    def load(self) -> None:
        pass

    def is_loaded(self) -> bool:
        return True


@lru_cache(maxsize=1)
def _engines() -> tuple[AnalyzerEngine, AnonymizerEngine]:
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    for language in LANGUAGES:
        for recognizer in RECOGNIZERS:
            registry.add_recognizer(recognizer(language))
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=_Pipelines(), supported_languages=list(LANGUAGES))
    return analyzer, AnonymizerEngine()


def warm_up() -> None:
    """Build the analyzer now (a few seconds), so the first message does not wait."""
    _engines()


def _own(kind: str, value: str, numbers: set[str], emails: set[str]) -> bool:
    if kind == "EMAIL":
        return value.lower().replace(" ", "") in emails
    if kind == "PHONE":
        for region in ("BE", "NL", "FR", "GB", "US"):
            try:
                parsed = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) in numbers:
                return True
    return False


def redact(
    text: str,
    language: str | None = None,
    own_numbers: Iterable[str | None] = (),
    own_emails: Iterable[str | None] = (),
    keep: frozenset[str] = frozenset(),
) -> Redacted:
    """`text` with every recognised secret replaced by its placeholder. `own_numbers` (E.164)
    and `own_emails` are the debtor's own, kept; `keep` names kinds kept this time (a code,
    a number, when the text answers our own question for a reference or a code)."""
    if not _worth_analysing(text):
        return Redacted(text, ())
    analyzer, anonymizer = _engines()
    code = language if language in LANGUAGES else "en"
    results = analyzer.analyze(text=text, language=code, score_threshold=0.5)
    numbers = {n for n in own_numbers if n}
    emails = {e.lower() for e in own_emails if e}
    kept: list[RecognizerResult] = []
    for result in results:
        value = text[result.start : result.end]
        if result.entity_type in keep:
            continue
        if _own(result.entity_type, value, numbers, emails):
            continue
        kept.append(result)
    if not kept:
        return Redacted(text, ())
    operators = {kind: OperatorConfig("replace", {"new_value": mark}) for kind, mark in PLACEHOLDERS.items()}
    anonymized = anonymizer.anonymize(text=text, analyzer_results=kept, operators=operators)
    found = tuple(item.entity_type for item in sorted(anonymized.items, key=lambda item: item.start))
    return Redacted(anonymized.text, found)


_PASSWORD_WORDS = ("pass", "pwd", "mdp", "mot de passe", "wachtwoord", "paswoord", "login")


def _worth_analysing(text: str) -> bool:
    """Whether a message could hold anything recognised at all: every kind has figures, an
    address sign, or a word for password. Most messages ("yes", "I lost my job") have none."""
    if any(ch.isdigit() for ch in text) or "@" in text:
        return True
    lowered = text.lower()
    return "(at)" in lowered or "[at]" in lowered or any(word in lowered for word in _PASSWORD_WORDS)
