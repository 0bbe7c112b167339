"""Dates as debtors say them ("next Friday", "le 5", "over twee weken", "fin du mois",
"vorige week maandag", "Jan the 19th"), resolved against the debtor's today.

Numbers in words become digits first (text2num; "one"/"twee"/"premier", which its threshold
leaves as words, where a unit or an article makes them numbers, so "over twee weken" and "le
premier" count), amounts with a currency and phone numbers are blanked out, accents are
folded, and then a short list of rules is tried from the most to the least specific: numeric
dates, day and month names, month edges ("mi-décembre"), offsets ("in 3 days", "il y a 3
jours"), calendar weeks, months and years ("end of next month", "volgende week vrijdag"),
today/tomorrow words, weekdays, day numbers, month names, years. What none of them reads is no
date: a general parser (dateparser) found more false dates ("40", "my pin is 1234") than
real ones that the rules miss.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from text_to_num import alpha2digit

from actions.normalise.amounts import (
    MONTH_WORDS,
    answer_too_long,
    clean,
    ends_at,
    language_of,
    mask_money,
    words_to_digits,
)

WEEKDAY_NAMES = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
}
WEEKDAYS = {name: day for names in WEEKDAY_NAMES.values() for day, name in enumerate(names)}
MONTH_NAMES = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"],
    "fr": ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
           "novembre", "decembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
}  # fmt: skip
FULL_MONTHS = {name: month for names in MONTH_NAMES.values() for month, name in enumerate(names, start=1)}
# Abbreviations count only next to a day or a year ("Jan the 19th", "1st Dec"): alone, "jan"
# is a name and "mar" a fragment.
MONTHS = FULL_MONTHS | {
    "jan": 1, "janv": 1, "feb": 2, "fev": 2, "fevr": 2, "mar": 3, "mrt": 3, "apr": 4, "avr": 4, "jun": 6,
    "jul": 7, "juil": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
}  # fmt: skip


def _alternation(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


WD = rf"(?:{_alternation(WEEKDAYS)})s?"
MON = _alternation(MONTHS)
FULL_MON = _alternation(FULL_MONTHS)
ORD = r"(?:st|nd|rd|th|er|re|eme|ieme|ste|de|me|e)"
WEEKDAY = re.compile(rf"\b(?P<wd>{WD})\b")

# "3rd Jan 2027", "le 1er décembre", "5th of May", "15 januari"
DAY_MONTH = re.compile(
    rf"\b(?P<d>\d{{1,2}}){ORD}?\.?\s*(?:of\s+|de\s+|van\s+)?(?P<m>{MON})\b\.?(?:,?\s*(?P<y>\d{{4}}|'\d{{2}})\b)?"
)
# "May 25", "Apr the 28th", "October the 15th 2013"
MONTH_DAY = re.compile(rf"\b(?P<m>{MON})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}}){ORD}?\b(?:,?\s*(?P<y>\d{{4}})\b)?")
ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
# Day first, as in Europe: "12/12", "11/04/23", "12-01-2027", "3.1.2027" (a dot or a dash only
# with a year, so that "12.50" and "3-4 days" stay what they are).
NUMERIC_DATE = re.compile(
    r"(?<![\d/.,-])(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d/-]|[.,]\d)"
)
EDGES = {
    "start": r"start|beginning|begin|early|first day|debut|premier jour|1er jour|eerste dag",
    "mid": r"middle|mid|half|midden|milieu|medio|mi",
    "end": r"end|ending|last day|fin|dernier jour|eind|einde|laatste dag",
}
EDGE = "|".join(f"(?P<{name}>{words})" for name, words in EDGES.items())
MONTH_EDGE = re.compile(
    rf"\b(?:{EDGE})(?:[\s-]+(?:of|de|d'|du mois de|van))?[\s-]*(?P<m>{FULL_MON})\b(?:\s+(?P<y>\d{{4}})\b)?"
)
EDGE_BEFORE = re.compile(
    rf"\b(?:the\s+|at the\s+|a la\s+|au\s+|in de\s+|aan het\s+|het\s+)?(?:{EDGE})"
    r"(?:[\s-]+(?:of|de|du|d'|van|in))?(?:[\s-]+(?:the|this|la|le|de|het|deze|dit|ce|cette))?[\s-]*$"
)

UNITS = {
    "day": r"days?|jours?|dagen|dag",
    "week": r"weeks?|semaines?|weken",
    "fortnight": r"fortnights?|quinzaines?",
    "month": r"months?|mois|maanden|maand",
    "year": r"years?|ans?|annees?|jaren|jaar",
}
UNIT = "|".join(f"(?P<{name}>{words})" for name, words in UNITS.items())
COUNT = r"(?P<n>\d+|an?|one)"
AHEAD = {
    "en": re.compile(
        rf"\b(?:in|within)\s+(?:the\s+)?(?:next\s+|coming\s+)?(?:about\s+|around\s+)?{COUNT}\s+(?:{UNIT})\b"
    ),
    "fr": re.compile(rf"\b(?:dans|d'ici|sous)\s+(?:les\s+)?(?:environ\s+)?{COUNT}\s+(?:prochaine?s\s+)?(?:{UNIT})\b"),
    "nl": re.compile(
        rf"\b(?:over|binnen|na|in)\s+(?:de\s+)?(?:komende\s+|volgende\s+)?(?:ongeveer\s+)?{COUNT}\s+(?:{UNIT})\b"
    ),
}
AHEAD_AFTER = re.compile(
    rf"\b{COUNT}\s+(?:{UNIT})(?:'s)?\s+(?:from now|from today|away|later|hence|time|plus tard|vanaf nu|vanaf vandaag|van nu)\b"
)
AGO = [
    re.compile(rf"\b{COUNT}\s+(?:{UNIT})\s+(?:ago|back|earlier|geleden|terug|plus tot)\b"),
    re.compile(rf"\bil y a\s+{COUNT}\s+(?:{UNIT})\b"),
]
WEEKDAY_EN_HUIT = re.compile(rf"\b(?P<wd>{WD})\s+en\s+(?P<n>8|15)\b")

# Calendar periods: (offset, explicit) per wording. A bare "the month" counts only with an edge
# or a day ("end of the month", "le 25 du mois").
PERIODS = {
    "month": [
        (1, True, r"next month|the following month|the month after|(?:le |du )?mois (?:prochain|suivant)|(?:de )?volgende maand|komende maand"),
        (-1, True, r"last month|previous month|the month before|(?:le |du )?mois (?:dernier|passe|precedent)|vorige maand|afgelopen maand|verleden maand"),
        (0, True, r"this month|current month|ce mois(?:-ci| ci)?|(?:du |le )?mois en cours|deze maand|dit maand|lopende maand"),
        (0, False, r"the month|du mois|le mois|de mois|de maand|month"),
    ],
    "week": [
        (1, True, r"next week|the following week|the week after|(?:la |de la )?semaine (?:prochaine|suivante|d'apres)|volgende week|komende week|de week (?:erna|daarop|nadien)"),
        (-1, True, r"last week|previous week|the week before|(?:la |de la )?semaine (?:derniere|passee|precedente)|vorige week|afgelopen week|verleden week"),
        (0, True, r"this week|current week|cette semaine|deze week"),
        (0, False, r"the week|la semaine|de la semaine|de week|week"),
    ],
    "year": [
        (1, True, r"next year|the following year|(?:l'|de l')?annee prochaine|(?:l')?an prochain|volgend jaar|komend jaar"),
        (-1, True, r"last year|previous year|(?:l'|de l')?annee (?:derniere|passee)|(?:l')?an (?:dernier|passe)|vorig jaar|verleden jaar|afgelopen jaar"),
        (0, True, r"this year|current year|cette annee|(?:l'|de l')?annee en cours|dit jaar|lopend jaar"),
        (0, False, r"the year|(?:de )?l'annee|d'annee|het jaar|year"),
    ],
}  # fmt: skip
PERIOD_PATTERNS = [
    (kind, offset, explicit, re.compile(rf"\b(?:{words})\b"))
    for kind, wordings in PERIODS.items()
    for offset, explicit, words in wordings
]
# "the 5th of next month", "le 25 de ce mois", "de 25ste van deze maand", "25th this month"
DAY_BEFORE_PERIOD = re.compile(
    rf"(?:\b(?:the|le|de|op de|on the)\s+(?P<d>\d{{1,2}}){ORD}?|\b(?P<d2>\d{{1,2}}){ORD})\s*(?:of|de|du|van|in)?\s*(?:the\s+)?$"
)
WEEKEND = re.compile(
    r"\b(?P<next>next weekend|(?:le )?week-?end prochain|volgend weekend|komend weekend)\b"
    r"|\b(?P<last>last weekend|(?:le )?week-?end dernier|vorig weekend|afgelopen weekend)\b"
    r"|\b(?:this weekend|ce week-?end|dit weekend|deze weekend|(?:the|le|het) ?week-?end)\b"
)

AFTER_BEFORE = re.compile(r"\b(?:after|apres|na)\s+(?:the\s+|le\s+|het\s+)?$")
# "Friday the 4th", "vendredi 4": a weekday that only qualifies the day number after it
WEEKDAY_WITH_DAY = re.compile(rf"\s+(?:the\s+|le\s+|de\s+)?\d{{1,2}}{ORD}?\b(?!\s*(?:[:h.,/-]\d|h\b|u\b))")

# Words for today and the days around it, per language (French "hier" is Dutch "here").
RELATIVE_DAYS = {
    "en": [
        (2, r"(?:the )?day after tomorrow"),
        (-2, r"(?:the )?day before yesterday"),
        (1, r"tomorrow|tmrw|tmr"),
        (-1, r"yesterday|last night"),
        (0, r"today|tonight|this (?:morning|afternoon|evening)"),
    ],
    "fr": [
        (2, r"apres[- ]demain"),
        (-2, r"avant[- ]hier"),
        (1, r"demain"),
        (-1, r"hier"),
        (0, r"aujourd'? ?hui|ce soir|ce matin|cet apres[- ]midi|cette nuit"),
    ],
    "nl": [
        (2, r"overmorgen"),
        (-2, r"eergisteren"),
        (1, r"morgen(?:ochtend|vroeg|middag|namiddag|avond)?"),
        (-1, r"gister(?:en|avond|nacht|ochtend|middag|namiddag)"),
        (0, r"vandaag|vanavond|vanochtend|vanmorgen|vanmiddag|vannamiddag|vannacht"),
    ],
}
LAST_BEFORE = re.compile(r"\b(?:last|past|previous|vorige|afgelopen|voorbije|verleden)\s+$")
LAST_AFTER = re.compile(r"\s+(?:derniere?|passee?|precedente?)\b")
THIS_BEFORE = re.compile(r"\b(?:this|ce|deze)\s+$")

DAY_ARTICLES = {
    "en": r"on the|by the|until the|till the|before the|from the|the",
    "fr": r"avant le|jusqu'au|des le|pour le|le|au",
    "nl": r"voor de|tegen de|tot de|vanaf de|op de|de",
}
DAY_ARTICLE_BEFORE = {
    language: re.compile(rf"\b(?:{DAY_ARTICLES['en']}|{articles})\s+$") for language, articles in DAY_ARTICLES.items()
}
WEEKDAY_BEFORE = re.compile(rf"\b{WD},?\s+$")
DAY_NUMBER = re.compile(
    r"(?P<mod>\b(?:next|last|coming|prochain|dernier|volgende|vorige|komende)\s+)?"
    r"(?P<art>\b(?:" + "|".join(DAY_ARTICLES.values()) + r")\s+)?"
    rf"\b(?P<d>\d{{1,2}})(?P<suf>{ORD})?\b"
)
NOT_A_DAY_AFTER = re.compile(
    rf"\s*(?:%|:|h\d|h\b|u\b|x\b|/|-\d|[.,]\d|am\b|pm\b)|\s+(?:{UNIT}|hours?|heures?|uur|minutes?|minuten"
    r"|times?|fois|keer|maal|payments?|paiements?|betalingen|betaling|installments?|instalments?|versements?"
    r"|mensualites?|echeances?|termijnen|termijn|reminders?|rappels?|herinneringen|herinnering|attempts?|ones?|cards?"
    r"|tries|try|tentatives?|pogingen|poging|o'clock|percent|procent|pour ?cent)\b"
)
SMALL_VALUES = {
    **dict.fromkeys(["one", "un", "une", "een", "één", "eén", "first", "premier", "premiere", "première", "eerste"], 1),
    **dict.fromkeys(["two", "deux", "twee", "second", "deuxieme", "deuxième", "tweede"], 2),
}
ORDINAL_SUFFIX = {word: "st" if value == 1 else "nd" for word, value in SMALL_VALUES.items()}
_SMALL_CARDINALS = "one|two|une|un|deux|een|één|eén|twee"
_SMALL_ORDINALS = "first|second|premiere|première|premier|deuxieme|deuxième|eerste|tweede"
_UNIT_WORDS = "|".join(UNITS.values())
SMALL_COUNT = re.compile(rf"\b({_SMALL_CARDINALS})\s+(?=(?:{_UNIT_WORDS})\b)")
SMALL_ORDINAL_AFTER_ARTICLE = re.compile(rf"\b(the|le|la|de|op de)\s+({_SMALL_ORDINALS})\b")
SMALL_ORDINAL_BEFORE_MONTH = re.compile(
    rf"\b({_SMALL_ORDINALS})\s+(?=(?:of\s+|de\s+|van\s+)?(?:{FULL_MON}|janv|fév|févr|déc|décembre|février|août)\b)"
)
TIME_BEFORE = re.compile(r"\b(?:at|a|om|vers|rond|around|in|dans|over|binnen|within)\s+$")
BARE_MONTH = re.compile(
    r"\b(?:in|en|au mois de|au mois d'|in de maand|during|durant|pendant|since|depuis|sinds|from|vanaf|until|till"
    rf"|jusqu'en|tot|by|before|avant|voor|for|pour|of)\s+(?P<m>{FULL_MON})\b(?:\s+(?P<y>\d{{4}})\b)?"
    rf"|\b(?P<m2>{FULL_MON})\s+(?P<y2>\d{{4}})\b"
)
YEAR = re.compile(r"(?<![\d/.,-])(?P<y>19\d\d|20\d\d)(?![\d/,-]|\.\d)")


def _fold(text: str) -> str:
    """Accents off ("décembre" -> "decembre"), so one pattern serves every spelling."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def prepare(text: str, language: str) -> str:
    """The sentence as the rules read it: cleaned, numbers as digits, money and phone numbers
    blanked, accents folded."""
    lang = language_of(language)
    text = clean(text)
    if lang == "fr":  # "dans huit jours" is a week, "dans quinze jours" two
        text = re.sub(r"\bhuit jours\b", "7 jours", text)
        text = re.sub(r"\bquinze jours\b", "14 jours", text)
    text = words_to_digits(_small_numbers(text), lang)
    return _fold(mask_money(text, lang))


def _small_numbers(text: str) -> str:
    """One and two, and first and second, as digits where they count days or name one:
    "over twee weken", "une semaine", "the first of May", "op de eerste". Elsewhere ("my
    first payment", "un peu", "een deel") they stay words, which text2num's threshold leaves."""
    text = SMALL_COUNT.sub(lambda m: f"{SMALL_VALUES[m.group(1)]} ", text)
    text = SMALL_ORDINAL_AFTER_ARTICLE.sub(
        lambda m: f"{m.group(1)} {SMALL_VALUES[m.group(2)]}{ORDINAL_SUFFIX[m.group(2)]}", text
    )
    return SMALL_ORDINAL_BEFORE_MONTH.sub(lambda m: f"{SMALL_VALUES[m.group(1)]}{ORDINAL_SUFFIX[m.group(1)]} ", text)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _next_weekday(today: date, weekday: int, *, strict: bool = True) -> date:
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or (7 if strict else 0))


def _last_weekday(today: date, weekday: int) -> date:
    return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)


def _weekday_in(text: str) -> int | None:
    match = WEEKDAY.search(text)
    return WEEKDAYS[match.group("wd").rstrip("s")] if match else None


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    digits = int(raw.lstrip("'"))
    return digits if digits >= 100 else 2000 + digits


def _day_and_month(
    today: date, day: int, month: int, *, year: int | None, future: bool, weekday: int | None = None
) -> date | None:
    """A day of a named month. With a year, that day. Without, this month's when the month is
    the current one (people speak of this month's days, past or coming), else its next
    occurrence; in the future reading always the next occurrence. A weekday said with it
    ("Saturday, 26 Oct") picks the first such year in which that day falls on that weekday."""
    if year is not None:
        return _safe(year, month, day)
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    years = range(today.year, today.year + 12)
    if not future and month == today.month:
        found = [d for y in years if (d := _safe(y, month, day))]
    else:
        found = [d for y in range(today.year, today.year + 13) if (d := _safe(y, month, day)) and d >= today]
    if not found:
        return None
    if weekday is not None:
        return next((d for d in found if d.weekday() == weekday), found[0])
    return found[0]


def _next_day_number(
    today: date, day: int, *, after: bool = False, before: bool = False, weekday: int | None = None
) -> date | None:
    """The `day`th of the month: the next one from today on (strictly after with "next",
    strictly before with "last"), skipping months too short for it."""
    first = today.replace(day=1)
    months = range(0, -13, -1) if before else range(0, 13)
    found = []
    for shift in months:
        month_start = first + relativedelta(months=shift)
        candidate = _safe(month_start.year, month_start.month, day)
        if candidate is None:
            continue
        if (
            (before and candidate < today)
            or (after and candidate > today)
            or (not before and not after and candidate >= today)
        ):
            found.append(candidate)
    if weekday is not None:
        return next((d for d in found if d.weekday() == weekday), found[0] if found else None)
    return found[0] if found else None


# A rule reads a prepared sentence: (text, today, language, future reading) -> date or None.
Rule = Callable[[str, date, str, bool], date | None]


def _numeric(text: str, today: date, language: str, future: bool) -> date | None:
    """ "12/12/2026", "11/04/23", "2027-01-03": day first; month first only when the first
    number cannot be a month."""
    match = ISO_DATE.search(text)
    if match:
        return _safe(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    # The weekday said with a date is searched once, not again for every number that fails to be
    # a date: that made "31/02 " * n cost n times the length of the text.
    weekday = _weekday_in(text)
    for match in NUMERIC_DATE.finditer(text):
        if match.group("sep") != "/" and not match.group("y"):
            continue
        day, month = int(match.group("d")), int(match.group("m"))
        if month > 12 and day <= 12:
            day, month = month, day
        if not 1 <= month <= 12:
            continue
        found = _day_and_month(today, day, month, year=_year(match.group("y")), future=future, weekday=weekday)
        if found:
            return found
    return None


def _named(text: str, today: date, language: str, future: bool) -> date | None:
    """ "3rd Jan 2027", "le 1er décembre", "Apr the 28th", "Thursday, 16th November"."""
    matches = sorted(
        (m for pattern in (DAY_MONTH, MONTH_DAY) for m in pattern.finditer(text)),
        key=lambda m: (m.start(), -len(m.group(0))),
    )
    weekday = _weekday_in(text) if matches else None  # once, as in _numeric
    for match in matches:
        found = _day_and_month(
            today,
            int(match.group("d")),
            MONTHS[match.group("m")],
            year=_year(match.group("y")),
            future=future,
            weekday=weekday,
        )
        if found:
            return found
    return None


def _month_edge(text: str, today: date, language: str, future: bool) -> date | None:
    """ "mid December", "début décembre", "eind januari": the 1st, 15th or last day."""
    match = MONTH_EDGE.search(text)
    if not match:
        return None
    month = MONTHS[match.group("m")]
    start = _day_and_month(today, 1, month, year=_year(match.group("y")), future=False)
    if start is None:
        return None
    if match.group("mid"):
        return start.replace(day=15)
    if match.group("end"):
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def _offset(text: str, today: date, language: str, future: bool) -> date | None:
    """ "in 3 days", "20 days from now", "il y a 3 jours", "over twee weken", "Thursday in two
    weeks" (that weekday, two weeks on), "vendredi en huit"."""
    match = WEEKDAY_EN_HUIT.search(text)
    if match:
        weeks = 1 if match.group("n") == "8" else 2
        return _next_weekday(today, WEEKDAYS[match.group("wd").rstrip("s")]) + timedelta(weeks=weeks)
    ahead = AHEAD[language].search(text) or AHEAD["en"].search(text) or AHEAD_AFTER.search(text)
    ago = next((m for m in (pattern.search(text) for pattern in AGO) if m), None)
    match = min((m for m in (ahead, ago) if m), key=lambda m: m.start(), default=None)
    if match is None:
        return None
    count = 1 if match.group("n") in ("a", "an", "one") else int(match.group("n"))
    if count > 5000:
        return None  # no date people mean; the calendar ends before such offsets do
    sign = -1 if match is ago else 1
    if match.group("day"):
        step = relativedelta(days=count)
    elif match.group("week") or match.group("fortnight"):
        weeks = count * (2 if match.group("fortnight") else 1)
        weekday = _weekday_in(text)
        if weekday is not None and sign == 1:
            return _next_weekday(today, weekday) + timedelta(weeks=weeks)
        step = relativedelta(weeks=weeks)
    elif match.group("month"):
        step = relativedelta(months=count)
    else:
        step = relativedelta(years=count)
    return today + step if sign == 1 else today - step


def _period(text: str, today: date, language: str, future: bool) -> date | None:
    """Calendar weeks, months and years: "next month" (its 1st), "end of the month",
    "begin volgende maand", "le 5 du mois prochain", "friday next week", "vorige week maandag",
    "end of this year". A period that has begun reads as today in the future reading."""
    weekend = WEEKEND.search(text)
    if weekend:
        offset = 1 if weekend.group("next") else -1 if weekend.group("last") else 0
        saturday = _monday(today) + timedelta(weeks=offset, days=5)
        if AFTER_BEFORE.search(text[: weekend.start()]):
            return saturday + timedelta(days=2)  # "after the weekend": the Monday
        return max(saturday, today) if future and offset == 0 else saturday
    found = []
    for kind, offset, explicit, pattern in PERIOD_PATTERNS:
        for match in pattern.finditer(text):
            found.append((match.start(), -len(match.group(0)), kind, offset, explicit, match))
    for _, _, kind, offset, explicit, match in sorted(found, key=lambda f: f[:2]):
        edge_match = ends_at(EDGE_BEFORE, text, match.start())
        edge = next((name for name in EDGES if edge_match and edge_match.group(name)), None)
        if not explicit and edge is None and not (kind == "month" and _day_before(text, match)):
            continue  # "the month" alone is no date
        result = _in_period(text, match, today, kind, offset, edge, future)
        if result is not None:
            return result
    return None


def _day_before(text: str, period: re.Match[str]) -> re.Match[str] | None:
    """The day number said with a month ("the 5th of next month", "le 25 de ce mois",
    "de 25ste van deze maand", "25th this month")."""
    return ends_at(DAY_BEFORE_PERIOD, text, period.start())


def _in_period(
    text: str, match: re.Match[str], today: date, kind: str, offset: int, edge: str | None, future: bool
) -> date | None:
    if kind == "week":
        monday = _monday(today) + timedelta(weeks=offset)
        weekday = _weekday_in(text)
        if weekday is not None:
            return monday + timedelta(days=weekday)
        if edge is not None:
            return monday + timedelta(days={"start": 0, "mid": 2, "end": 4}[edge])
        return max(monday, today) if future and offset == 0 else monday
    if kind == "month":
        first = today.replace(day=1) + relativedelta(months=offset)
        day = _day_before(text, match)
        if day is not None:
            return _safe(first.year, first.month, int(day.group("d") or day.group("d2")))
        if edge == "end":
            return first.replace(day=calendar.monthrange(first.year, first.month)[1])
        if edge == "mid":
            return first.replace(day=15)
        return max(first, today) if future and offset == 0 and edge is None else first
    first = date(today.year + offset, 1, 1)
    if edge == "end":
        return first.replace(month=12, day=31)
    if edge == "mid":
        return first.replace(month=7)
    return max(first, today) if future and offset == 0 and edge is None else first


def _relative_day(text: str, today: date, language: str, future: bool) -> date | None:
    """today, tomorrow, après-demain, eergisteren, tonight, last night..."""
    wordings = RELATIVE_DAYS["en"] + (RELATIVE_DAYS[language] if language != "en" else [])
    for offset, words in sorted(wordings, key=lambda w: -abs(w[0])):
        if re.search(rf"\b(?:{words})\b", text):
            return today + timedelta(days=offset)
    return None


def _weekday(text: str, today: date, language: str, future: bool) -> date | None:
    """ "Friday", "this Thursday", "next Friday", "vendredi prochain", "afgelopen dinsdag":
    the coming one (after today) unless the text says it is past or this week's."""
    match = WEEKDAY.search(text)
    if not match:
        return None
    weekday = WEEKDAYS[match.group("wd").rstrip("s")]
    before, after = text[: match.start()], text[match.end() :]
    if WEEKDAY_WITH_DAY.match(after):
        found = _day_number(text, today, language, future)  # the weekday picks the month
        if found is not None:
            return found
    if LAST_BEFORE.search(before) or LAST_AFTER.match(after):
        return _last_weekday(today, weekday)
    if THIS_BEFORE.search(before):
        return _next_weekday(today, weekday, strict=False)
    return _next_weekday(today, weekday)


def _day_number(text: str, today: date, language: str, future: bool) -> date | None:
    """ "the 28th", "le 5", "de 28ste", "op de 1e", "next 30th", "last 13th": the next such
    day of a month (the last one gone with "last")."""
    whole = text.strip(" .!?,")
    for match in DAY_NUMBER.finditer(text):
        day = int(match.group("d"))
        if not 1 <= day <= 31:
            continue
        start = match.start("art") if match.group("art") else match.start("d")
        article = bool(match.group("art")) and bool(ends_at(DAY_ARTICLE_BEFORE[language], text, match.start("d")))
        article = article or bool(ends_at(WEEKDAY_BEFORE, text, match.start("d")))
        if not (match.group("suf") or article or whole == match.group(0).strip()):
            continue
        if NOT_A_DAY_AFTER.match(text, match.end()) or ends_at(TIME_BEFORE, text, start):
            continue
        modifier = (match.group("mod") or "").strip()
        return _next_day_number(
            today,
            day,
            after=modifier in ("next", "coming", "prochain", "volgende", "komende"),
            before=modifier in ("last", "dernier", "vorige"),
            weekday=_weekday_in(text),
        )
    return None


def _bare_month(text: str, today: date, language: str, future: bool) -> date | None:
    """ "in January", "March", "december 2026": the 1st of that month."""
    match = BARE_MONTH.search(text)
    whole = re.fullmatch(rf"(?P<m>{MON})\.?(?:\s+(?P<y>\d{{4}}))?", text.strip(" .!?,"))
    if match:
        name, year = match.group("m") or match.group("m2"), match.group("y") or match.group("y2")
    elif whole:
        name, year = whole.group("m"), whole.group("y")
    else:
        return None
    found = _day_and_month(today, 1, MONTHS[name], year=_year(year), future=False)
    if found and future and year is None and found.month == today.month and found.year == today.year:
        return today
    return found


def _bare_year(text: str, today: date, language: str, future: bool) -> date | None:
    """ "2019", "en 2025": the 1st of January (today in the future reading of this year)."""
    match = YEAR.search(text)
    if not match:
        return None
    year = int(match.group("y"))
    return today if future and year == today.year else date(year, 1, 1)


RULES: list[Rule] = [
    _numeric,
    _named,
    _month_edge,
    _offset,
    _period,
    _relative_day,
    _weekday,
    _day_number,
    _bare_month,
    _bare_year,
]


def _read(text: str, today: date, language: str, timezone: str, future: bool) -> date | None:
    if not text or not text.strip() or answer_too_long(text):
        return None
    lang = language_of(language)
    prepared = prepare(text, lang)
    if not prepared.strip():
        return None
    for rule in RULES:
        try:
            found = rule(prepared, today, lang, future)
        except (OverflowError, ValueError):  # "in 9999 years", "3000 years ago": off the calendar
            continue
        if found is not None:
            return found
    return None


def parse_date(text: str, today: date, language: str = "en", timezone: str = "UTC") -> date | None:
    """The date `text` names, read as people mean it: bare weekdays and day numbers are the
    coming ones, a day and month without a year its next occurrence (this month's when the
    month is the current one), past when the text says so ("last Friday", "il y a 3 jours",
    "eergisteren"); a bare month is its 1st, a bare year its 1 January. None when no date is
    named. `today` is the debtor's date, already taken in `timezone`: the rules work on whole
    days, so the zone only names where that today is."""
    return _read(text, today, language, timezone, future=False)


def parse_future_date(text: str, today: date, language: str = "en", timezone: str = "UTC") -> date | None:
    """The date `text` names when it is today or later, or None: a promise to pay can only be
    for a day to come, so "le 12 novembre" said on the 23rd is next year's and a period that
    has begun ("this week") is today."""
    found = _read(text, today, language, timezone, future=True)
    return found if found is not None and found >= today else None


# "May, 19 49" (as text2num gives "nineteen forty-nine"): the two halves of a year said aloud.
_SPOKEN_YEAR = re.compile(rf"\b((?:{MONTH_WORDS})\.?,?\s+)(1[89]|20)\s+(\d{{2}})\b", re.I)


def birth_date_text(text: str, language: str) -> str:
    """A date of birth said in words ("the third of May, nineteen forty-nine", "le premier avril
    soixante-huit") with its figures as digits, for the API to read as one date. Every number
    is converted, even a lone "third"."""
    try:
        text = alpha2digit(text, language_of(language), 0)
    except Exception:  # text2num raises bare Exceptions on odd input; the text stays as typed
        return text
    return _SPOKEN_YEAR.sub(r"\1\2\3", text)
