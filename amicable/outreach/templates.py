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
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        unknown = used - FIELDS
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(FIELDS))}")
        if "first_name" not in used:
            raise ValueError("every text greets the debtor: use {first_name}")
        return text


class Template(_Strict):
    texts: dict[str, Tones]

    @field_validator("texts")
    @classmethod
    def _languages(cls, value: dict) -> dict:
        missing = [lang for lang in LANGUAGES if lang not in value]
        if missing:
            raise ValueError(f"missing language(s): {', '.join(missing)}")
        extra = [lang for lang in value if lang not in LANGUAGES]
        if extra:
            raise ValueError(f"unsupported language(s): {', '.join(extra)}")
        return value

    def fields(self) -> set[str]:
        return {
            name
            for tones in self.texts.values()
            for text in (tones.neutral, tones.warm, tones.direct)
            for _, name, _, _ in string.Formatter().parse(text)
            if name
        }

    def render(self, language: str, tone: str, values: dict[str, str]) -> str:
        text = getattr(self.texts[language if language in LANGUAGES else "en"], tone)
        return text.format(**{name: values.get(name, "") for name in FIELDS})


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
