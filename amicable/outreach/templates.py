"""The words of outreach messages: `policies/templates/<name>.yml`, each in English, French
and Dutch and in three tones (neutral, warm, direct). A template missing a language or a
tone, or using a field nobody fills, is refused at load with its line."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from amicable import yaml_source
from amicable.yaml_source import SourceError

LANGUAGES = ("en", "fr", "nl")
TONES = ("neutral", "warm", "direct")
# What the planner can fill in; every text greets the debtor by name.
FIELDS = frozenset(
    {
        "first_name",
        "creditor",
        "amount",
        "full_amount",
        "due_date",
        "pay_by",
        "link",
        "chat_link",
        "costs",
        "costs_from",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tones(_Strict):
    neutral: str = Field(min_length=1)
    warm: str = Field(min_length=1)
    direct: str = Field(min_length=1)

    @field_validator("neutral", "warm", "direct")
    @classmethod
    def _fields(cls, text: str) -> str:
        if "first_name" not in _known_fields(text):
            raise ValueError("every text greets the debtor: use {first_name}")
        return text


def _known_fields(text: str) -> set[str]:
    used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    unknown = used - FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(FIELDS))}")
    return used


class Subjects(_Strict):
    """Subject lines: one line each, saying what the email is without shaming."""

    neutral: str = Field(min_length=1, max_length=120)
    warm: str = Field(min_length=1, max_length=120)
    direct: str = Field(min_length=1, max_length=120)

    @field_validator("neutral", "warm", "direct")
    @classmethod
    def _one_line(cls, text: str) -> str:
        _known_fields(text)
        if "\n" in text:
            raise ValueError("a subject is one line")
        return text


def _every_language(value: dict) -> dict:
    missing = [lang for lang in LANGUAGES if lang not in value]
    if missing:
        raise ValueError(f"missing language(s): {', '.join(missing)}")
    extra = [lang for lang in value if lang not in LANGUAGES]
    if extra:
        raise ValueError(f"unsupported language(s): {', '.join(extra)}")
    return value


class EmailTexts(_Strict):
    """An email's own words in one language: the subject line and the short personal text
    above the amount, invoices and button (the layout adds those, so no {link} here)."""

    subject: Subjects
    body: Tones


class Template(_Strict):
    texts: dict[str, Tones]
    # The email version, by language (`email` steps need it for every language).
    email: dict[str, EmailTexts] | None = None

    @field_validator("texts")
    @classmethod
    def _languages(cls, value: dict) -> dict:
        return _every_language(value)

    @field_validator("email")
    @classmethod
    def _email_languages(cls, value: dict | None) -> dict | None:
        if value is not None:
            _every_language(value)
            for language, texts in value.items():
                for text in (texts.body.neutral, texts.body.warm, texts.body.direct):
                    if "{link}" in text or "{chat_link}" in text:
                        raise ValueError(f"{language}: an email's button carries the link; leave it out of the text")
        return value

    def fields(self) -> frozenset[str]:
        return _fields(
            tuple(text for tones in self.texts.values() for text in (tones.neutral, tones.warm, tones.direct))
        )

    def render(self, language: str, tone: str, values: dict[str, str]) -> str:
        text = getattr(self.texts[language if language in LANGUAGES else "en"], tone)
        return text.format(**{name: values.get(name, "") for name in FIELDS})

    def render_email(self, language: str, tone: str, values: dict[str, str]) -> tuple[str, str]:
        """The subject line and the personal text of the email version."""
        if self.email is None:
            raise KeyError("this template has no email version")
        texts = self.email[language if language in LANGUAGES else "en"]
        filled = {name: values.get(name, "") for name in FIELDS}
        return getattr(texts.subject, tone).format(**filled), getattr(texts.body, tone).format(**filled)


@lru_cache(maxsize=8)
def load_templates(policies_dir: Path) -> dict[str, Template]:
    directory = policies_dir / "templates"
    found = {}
    for path in sorted(directory.glob("*.yml")):
        data, lines = yaml_source.load(path)
        if not isinstance(data, dict):
            raise SourceError(f"{path} line 1: expected texts by language and tone")
        found[path.stem] = yaml_source.validate(Template, data, lines, path)
    if not found:
        raise SourceError(f"{directory}: no message templates")
    return found


@lru_cache(maxsize=256)
def _fields(texts: tuple[str, ...]) -> frozenset[str]:
    """The placeholders these texts use, read once per text: every contact sent asks."""
    return frozenset(name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name)
