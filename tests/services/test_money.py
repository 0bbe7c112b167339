"""Money: amounts are two-place Decimals from strings or integers, never floats; the wire
format round-trips; people read amounts in their own locale's format."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amicable.money import display, fmt, from_minor, parse_amount, to_minor

# Any amount the books can hold: 0.01 to 99 999 999.99.
amounts = st.integers(min_value=1, max_value=9_999_999_999).map(lambda cents: Decimal(cents).scaleb(-2))


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("120.50", Decimal("120.50")),
        (" 84.2 ", Decimal("84.20")),
        ("7", Decimal("7.00")),
        (12, Decimal("12.00")),
        (Decimal("0.5"), Decimal("0.50")),
        ("99999999.99", Decimal("99999999.99")),
    ],
)
def test_decimal_strings_integers_and_decimals_become_two_place_amounts(given_value, expected):
    parsed = parse_amount(given_value)
    assert parsed == expected
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("given_value", "message"),
    [
        (0.1, "decimal strings"),
        (120.5, "decimal strings"),
        (True, "decimal strings"),
        (None, "decimal strings"),
        ("12.345", "at most two decimal places"),
        ("0.001", "at most two decimal places"),
        ("-5.00", "greater than zero"),
        ("0", "greater than zero"),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("100000000", "too large"),
        ("12,50", "is not an amount"),
        ("ten euros", "is not an amount"),
    ],
)
def test_floats_booleans_extra_decimals_and_non_positive_amounts_are_refused(given_value, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(given_value)


def test_zero_is_an_amount_only_when_allowed():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(ValueError):
        parse_amount("-0.01", allow_zero=True)


def test_minor_units_are_cents_rounded_half_up():
    assert to_minor(Decimal("84.20")) == 8420
    assert to_minor(Decimal("0.005")) == 1  # half a cent goes up, never to zero
    assert to_minor(Decimal("1234.565")) == 123457
    assert from_minor(8420) == Decimal("84.20")
    assert from_minor(5) == Decimal("0.05")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("84.20", "EUR", "en_GB", "€84.20"),
        ("84.20", "EUR", "fr_BE", "84,20\xa0€"),  # a no-break space before the sign
        ("84.20", "EUR", "nl_BE", "€\xa084,20"),
        ("1234.56", "EUR", "en_GB", "€1,234.56"),
        ("1234.56", "EUR", "fr_BE", "1\u202f234,56\xa0€"),  # a narrow no-break space groups thousands
        ("1234.56", "EUR", "nl_BE", "€\xa01.234,56"),
        ("1234.56", "USD", "en_US", "$1,234.56"),
        ("1234.56", "USD", "en_GB", "US$1,234.56"),
    ],
)
def test_display_writes_amounts_the_way_the_debtors_locale_does(amount, currency, locale, shown):
    assert display(Decimal(amount), currency, locale) == shown


@given(amounts)
def test_the_wire_format_round_trips(amount):
    text = fmt(amount)
    assert parse_amount(text) == amount
    assert text == f"{amount:.2f}"


@given(amounts)
def test_cents_round_trip(amount):
    assert from_minor(to_minor(amount)) == amount
    assert to_minor(amount) == int(amount * 100)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_no_float_is_ever_taken_as_money(value):
    with pytest.raises(ValueError):
        parse_amount(value)
