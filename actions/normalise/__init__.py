"""Amounts and dates as debtors write them, in words or figures, in English, French and Dutch:
one place that turns "septante-cinq euros", "1.234,56 €", "over twee weken" or "le 5" into a
Decimal or a date, for the action server and its evaluation."""

from actions.normalise.amounts import Amount, amount_role, asks_for_everything, parse_amount
from actions.normalise.dates import birth_date_text, parse_date, parse_future_date

__all__ = [
    "Amount",
    "amount_role",
    "asks_for_everything",
    "parse_amount",
    "birth_date_text",
    "parse_date",
    "parse_future_date",
]
