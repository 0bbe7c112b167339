"""Dates as people say them ("next Friday", "on the 28th", "end of the month"), resolved in
the debtor's time zone and towards the future."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time

import dateparser
from dateparser.search import search_dates

END_OF_MONTH = re.compile(r"\b(end of (the )?month|fin du mois|eind van de maand|einde van de maand)\b", re.I)
DAY_OF_MONTH = re.compile(r"\b(?:the\s+|le\s+|de\s+)?(\d{1,2})(?:st|nd|rd|th|er|e|ste|de)?\b(?!\s*[/.:-]?\d)", re.I)


def _settings(today: date, timezone: str) -> dict:
    return {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime.combine(today, time(12)),
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
    }


def parse_future_date(text: str, today: date, language: str = "en", timezone: str = "UTC") -> date | None:
    """The first date in `text` that is today or later, or None when it names no date."""
    text = text.strip()
    if not text:
        return None
    if END_OF_MONTH.search(text):
        return today.replace(day=calendar.monthrange(today.year, today.month)[1])
    languages = [language, "en"] if language != "en" else ["en"]
    settings = _settings(today, timezone)
    parsed = dateparser.parse(text, languages=languages, settings=settings)
    if parsed is None:
        found = search_dates(text, languages=languages, settings=settings) or []
        parsed = next((value for _, value in found if value.date() >= today), None)
    if parsed is None:
        match = DAY_OF_MONTH.fullmatch(text.strip(" .!?")) or DAY_OF_MONTH.search(text)
        if match and 1 <= int(match.group(1)) <= 31:
            return _next_day_of_month(today, int(match.group(1)))
        return None
    result = parsed.date()
    if result < today:
        # "the 5th" on the 23rd means next month's 5th, not one already gone.
        match = DAY_OF_MONTH.fullmatch(text.strip(" .!?"))
        if match:
            return _next_day_of_month(today, int(match.group(1)))
    return result


def _next_day_of_month(today: date, day_number: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(3):
        last = calendar.monthrange(year, month)[1]
        if day_number <= last and date(year, month, day_number) >= today:
            return date(year, month, day_number)
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None
