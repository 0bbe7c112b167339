"""One spaCy pipeline per language: spaCy's own tokenizer for English, French and Dutch and
a lookup lemmatizer from spacy-lookups-data ("died" -> "die", "overleden" stays as written
where the table has no entry, which is why care patterns may list forms as well).

A trained pipeline would add a parser and a named-entity model; the text layer needs neither
(its recognizers are patterns with checksums, its cues are phrases), and the tokenizer and
lookups keep the whole analysis of a message near a millisecond.
"""

from __future__ import annotations

import logging
from functools import cache

import spacy
from spacy.language import Language

LANGUAGES = ("en", "fr", "nl")
# Their start-up notes ("Created vocabulary", "Using device of type: cpu") are not for operators.
for _name in ("spacy", "presidio-analyzer", "presidio-anonymizer"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@cache
def pipeline(language: str) -> Language:
    """The pipeline for `language` (one of LANGUAGES; anything else gets English)."""
    code = language if language in LANGUAGES else "en"
    nlp = spacy.blank(code)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def warm_up() -> None:
    """Build the three pipelines now, so the first debtor does not wait for them."""
    for language in LANGUAGES:
        pipeline(language)
