"""Each country's collection rules as data: `policies/compliance/<CC>.yml` over `default.yml`.

A file with an unknown key, an impossible time or a notice without words is refused at load,
with the line at fault, so a mistake stops the start instead of a message.
"""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from amicable import yaml_source
from amicable.yaml_source import SourceError, describe

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("whatsapp", "sms", "telegram", "email", "voice")
_WINDOW = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)")


def parse_window(spec: str) -> tuple[time, time] | None:
    """ "08:00-20:00" as (08:00, 20:00); "" as no window; "24:00" closes at midnight."""
    if not spec:
        return None
    match = _WINDOW.fullmatch(spec)
    if not match or spec.split("-")[0] >= spec.split("-")[1]:
        raise ValueError(f"{spec!r} is not a window like 08:00-20:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return time(h1, m1), (time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Caps(_Strict):
    # At least one message: a country where none may go is configured by its hours instead.
    messages_per_day: int = Field(1, ge=1, le=10)
    messages_per_week: int = Field(3, ge=1, le=30)
    per_channel_per_week: int = Field(2, ge=1, le=30)
    calls_per_week: int = Field(3, ge=0, le=7)
    quiet_days_after_conversation: int = Field(2, ge=0, le=30)
    calls_after_conversation_days: int = Field(0, ge=0, le=30)


class Notices(_Strict):
    # In the first message on each channel, and in every text message.
    first: list[str] = []
    every_text: list[str] = []
    # Notices that themselves reveal a debt: left out until the debtor has confirmed who they
    # are (US-07 with US-17), and then given in full the first time.
    needs_identity: list[str] = []


class CountryRules(_Strict):
    country: str = ""
    timezone: str = "Europe/Brussels"
    contact_hours: dict[Weekday, str]
    public_holidays: bool = False
    holiday_calendar: str = ""
    # Days the calendar misses that the law counts ("05-05" for the Dutch Liberation Day).
    extra_holidays: list[str] = []
    caps: Caps = Caps()
    consent_required: list[Literal["whatsapp", "sms", "telegram", "email", "voice"]] = []
    disclose_before_verification: bool = False
    notices: Notices = Notices()
    fees: Literal["none", "be_book_xix", "nl_bik"] = "none"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value} is not a time zone (e.g. Europe/Brussels)") from None
        return value

    @field_validator("contact_hours")
    @classmethod
    def _hours(cls, value: dict) -> dict:
        for day, spec in value.items():
            try:
                parse_window(spec)
            except ValueError as error:
                raise ValueError(f"{day}: {error}") from None
        return value

    @field_validator("holiday_calendar")
    @classmethod
    def _calendar(cls, value: str) -> str:
        if value and value not in holidays.list_supported_countries():
            raise ValueError(f"no public-holiday calendar for {value!r}")
        return value

    def window(self, day: Weekday) -> tuple[time, time] | None:
        return parse_window(self.contact_hours.get(day, ""))

    @field_validator("extra_holidays")
    @classmethod
    def _month_days(cls, value: list[str]) -> list[str]:
        for item in value:
            if not re.fullmatch(r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", item):
                raise ValueError(f"{item!r} is not a month and day like 05-05")
        return value

    def is_holiday(self, on) -> bool:  # type: ignore[no-untyped-def]
        if f"{on:%m-%d}" in self.extra_holidays:
            return True
        return bool(self.holiday_calendar) and on in _calendar(self.holiday_calendar, on.year)


@lru_cache(maxsize=64)
def _calendar(code: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(code, years=year)


class Notice(_Strict):
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    nl: str = Field(min_length=1)


class Rulebook:
    """Every country's rules and the notices' words, loaded once and checked together."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        default_path = directory / "default.yml"
        if not default_path.exists():
            raise SourceError(f"{default_path}: the default compliance rules are missing")
        default, default_lines = yaml_source.load(default_path)
        self._default = self._build("", default, [(default_path, default_lines)])
        self._countries: dict[str, CountryRules] = {}
        for path in sorted(directory.glob("[A-Z][A-Z].yml")):
            own, own_lines = yaml_source.load(path)
            merged = yaml_source.overlay(default, own or {})
            self._countries[path.stem] = self._build(
                path.stem, merged, [(path, own_lines), (default_path, default_lines)]
            )
        notices_path = directory / "notices.yml"
        data, lines = yaml_source.load(notices_path) if notices_path.exists() else ({}, {})
        self.notices = {
            name: yaml_source.validate(Notice, words, lines, notices_path, (name,))
            for name, words in (data or {}).items()
        }
        for rules in [self._default, *self._countries.values()]:
            for name in [*rules.notices.first, *rules.notices.every_text, *rules.notices.needs_identity]:
                if name not in self.notices:
                    raise SourceError(
                        f"{directory / ((rules.country or 'default') + '.yml')}: notice {name!r} has no words in "
                        f"{notices_path.name}"
                    )

    @staticmethod
    def _build(country: str, data: dict, sources: list) -> CountryRules:
        try:
            return CountryRules.model_validate({**data, "country": country})
        except ValidationError as error:
            raise SourceError(describe(error, sources)) from None

    def for_country(self, country: str | None) -> CountryRules:
        return self._countries.get((country or "").upper(), self._default)

    @property
    def countries(self) -> list[str]:
        return sorted(self._countries)

    def notice(self, name: str, language: str) -> str:
        return getattr(self.notices[name], language if language in ("en", "fr", "nl") else "en")


@lru_cache(maxsize=8)
def rulebook(policies_dir: Path) -> Rulebook:
    return Rulebook(policies_dir / "compliance")
