"""Languages: which locale formats a debtor's money and dates, and when a message is clearly
written in one of our languages."""

from __future__ import annotations

from datetime import date

import pytest

from amicable.language import detect, locale_for, long_date


@pytest.mark.parametrize(
    ("language", "country", "locale"),
    [
        ("en", "BE", "en_GB"),
        ("fr", "BE", "fr_BE"),
        ("nl", "BE", "nl_BE"),
        ("fr", "FR", "fr_FR"),
        ("fr", "fr", "fr_FR"),  # the country is matched whatever its case
        ("nl", "NL", "nl_NL"),
        ("en", "US", "en_US"),
        ("nl", None, "nl_BE"),
        ("de", "DE", "en_GB"),  # a language we do not speak falls back to British English
    ],
)
def test_the_country_refines_the_language_where_customs_differ(language, country, locale):
    assert locale_for(language, country) == locale


@pytest.mark.parametrize(
    ("locale", "written"),
    [("en_GB", "3 May 2026"), ("fr_BE", "3 mai 2026"), ("nl_BE", "3 mei 2026"), ("en_US", "May 3, 2026")],
)
def test_long_dates_follow_the_locale(locale, written):
    assert long_date(date(2026, 5, 3), locale) == written


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I will pay the rest next month", "en"),
        ("je ne peux pas payer avant la fin du mois", "fr"),
        ("ik kan volgende week betalen", "nl"),
    ],
)
def test_clear_sentences_are_recognised(text, language):
    assert detect(text) == language


@pytest.mark.parametrize("text", ["ok", "+++090/9337/55493+++", "12/03/1985", "aaaaaaaaaa", "1180"])
def test_too_little_text_says_nothing(text):
    assert detect(text) is None
