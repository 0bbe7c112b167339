"""Which language a message is written in, when that is clear, and which language to answer in.

Replies follow the language of the message when it is clearly one of ours, else the
conversation keeps the language it had (the account's preference once the debtor is known).
Short or neutral messages ("ok", "12/03/1985", "STOP", a file reference) say nothing.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import yaml
from babel.dates import format_date
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from amicable.paths import ROOT

CODES = {Language.ENGLISH: "en", Language.FRENCH: "fr", Language.DUTCH: "nl"}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CODES).with_preloaded_language_models().build()


def warm_up() -> None:
    """Load the language models now, so the first debtor does not wait for them."""
    _detector()


def detect(text: str) -> str | None:
    letters = sum(ch.isalpha() for ch in text)
    if letters < 4 or len({ch.lower() for ch in text if ch.isalpha()}) < 4:
        return None  # too little text, or "xxxxxx": no language in it
    best, second = _detector().compute_language_confidence_values(text)[:2]
    sure = best.value >= 0.8 or (letters >= 10 and best.value >= 0.65 and best.value - second.value >= 0.4)
    return CODES[best.language] if sure else None


# The language table, shared with the action server (which runs in Rasa's environment and
# reads the same file): which locale formats money, dates and plurals for each language.
_TABLE = yaml.safe_load((ROOT / "locales.yml").read_text(encoding="utf-8"))
LOCALES: dict[str, str] = _TABLE["languages"]
COUNTRY_LOCALES: dict[tuple[str, str], str] = {
    tuple(key.split("-")): locale  # type: ignore[misc]
    for key, locale in _TABLE["by_country"].items()
}


def locale_for(language: str, country: str | None) -> str:
    """The debtor's locale: their language, refined by their country where it differs."""
    return COUNTRY_LOCALES.get((language, (country or "").upper()), LOCALES.get(language, "en_GB"))


def long_date(day: date, locale: str) -> str:
    """ "3 May 2026", "3 mai 2026", "May 3, 2026": a date as the debtor writes it."""
    return format_date(day, format="long", locale=locale)
