"""Dates as people say them ("next Friday", "on the 28th", "end of the month"), resolved in
the debtor's time zone and towards the future."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta

import dateparser
from dateparser.search import search_dates

WEEKDAYS = {
    **dict.fromkeys(["monday", "lundi", "maandag"], 0),
    **dict.fromkeys(["tuesday", "mardi", "dinsdag"], 1),
    **dict.fromkeys(["wednesday", "mercredi", "woensdag"], 2),
    **dict.fromkeys(["thursday", "jeudi", "donderdag"], 3),
    **dict.fromkeys(["friday", "vendredi", "vrijdag"], 4),
    **dict.fromkeys(["saturday", "samedi", "zaterdag"], 5),
    **dict.fromkeys(["sunday", "dimanche", "zondag"], 6),
}
NEXT_WEEK = re.compile(r"\b(next week|la semaine prochaine|semaine prochaine|volgende week)\b", re.I)
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
    weekday = _weekday_next_week(text, today)
    if weekday is not None:
        return weekday
    languages = [language, "en"] if language != "en" else ["en"]
    settings = _settings(today, timezone)
    parsed = dateparser.parse(text, languages=languages, settings=settings)
    if parsed is None:
        found = search_dates(text, languages=languages, settings=settings) or []
        parsed = next((value for match, value in found if _plausible(match) and value.date() >= today), None)
    if parsed is None:
        parsed = _scan_windows(text, languages, settings, today)
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


def _plausible(match: str) -> bool:
    """The search also reads "je" as jeudi and "ma" as maandag: a date needs a digit or a word
    of four letters or more."""
    return any(ch.isdigit() for ch in match) or any(len(word) >= 4 for word in re.findall(r"[^\W\d_]+", match))


def _weekday_next_week(text: str, today: date) -> date | None:
    """ "Friday next week", "vendredi de la semaine prochaine", "volgende week vrijdag": the
    weekday in next calendar week, which is not always the same as "next Friday"."""
    if not NEXT_WEEK.search(text):
        return None
    days = [WEEKDAYS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in WEEKDAYS]
    if len(days) != 1:
        return None
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return monday + timedelta(days=days[0])


def _scan_windows(text: str, languages: list[str], settings: dict, today: date) -> datetime | None:
    """The first run of one to four words that reads as a date from today on ("je peux payer
    vendredi" -> vendredi), for sentences the parser does not take whole."""
    words = re.findall(r"[\w'/.-]+", text)
    for size in (4, 3, 2, 1):
        for start in range(len(words) - size + 1):
            window = " ".join(words[start : start + size])
            if not any(ch.isdigit() for ch in window) and window.lower() not in WEEKDAYS and size == 1:
                continue  # a lone word other than a weekday ("payer", "kan") is no date
            parsed = dateparser.parse(window, languages=languages, settings=settings)
            if parsed is not None and parsed.date() >= today:
                return parsed
    return None
