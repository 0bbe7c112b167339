"""Money parsing and formatting. Amounts are Decimal with two places, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

CENT = Decimal("0.01")
_MAX = Decimal("100000000")


def parse_amount(value: object, *, allow_zero: bool = False) -> Decimal:
    """A positive amount from a decimal string ("120.50") or an integer; refuse floats.

    Floats are refused because 0.1 + 0.2 is not 0.3: a client that sends JSON numbers with
    decimals would get silently rounded money.
    """
    if isinstance(value, (bool, float)):
        raise ValueError('amounts are decimal strings, like "120.50"')
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f'"{value[:40]}" is not an amount; use a decimal string like "120.50"') from None
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise ValueError('amounts are decimal strings, like "120.50"')
    if not amount.is_finite():
        raise ValueError("amount must be a finite number")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValueError("amount must be greater than zero")
    # The size first: quantizing 1e26 to cents exceeds the decimal context and would raise.
    if amount >= _MAX:
        raise ValueError("amount is too large")
    if amount != amount.quantize(CENT):
        raise ValueError("amount may have at most two decimal places")
    return amount.quantize(CENT)


def to_minor(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(CENT)


def fmt(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def display(amount: Decimal, currency: str, locale: str) -> str:
    """An amount as the debtor reads it: "€1,234.56", "1 234,56 €", "€ 1.234,56". `fmt` is
    the wire format of the API; this is for people (messages, pages, notices)."""
    return format_currency(amount, currency, locale=locale)
