"""What a debtor may be charged for being collected from, by country.

Belgium (BE-02, BE-03, BE-05): the first reminder is free; damages only from the 15th day
after an electronic reminder (the day after sending is day 1 of 14), or after the 3rd working
day plus 14 for a letter; capped by the principal. The Netherlands (NL-01, NL-02): costs only
after the 14-day letter's term, which starts the day after delivery, on the statutory scale.
France (FR-03): collection costs fall on the creditor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import holidays

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Costs:
    amount: Decimal
    reason: str


def be_damages_cap(principal: Decimal) -> Decimal:
    """BE-05: at most €20 up to €150; €30 + 10% above €150 up to €500; €65 + 5% above €500,
    never more than €2,000."""
    if principal <= Decimal("150"):
        cap = Decimal("20")
    elif principal <= Decimal("500"):
        cap = Decimal("30") + (principal - Decimal("150")) * Decimal("0.10")
    else:
        cap = min(Decimal("65") + (principal - Decimal("500")) * Decimal("0.05"), Decimal("2000"))
    return cap.quantize(CENT, ROUND_HALF_UP)


_BIK_BANDS = (
    (Decimal("2500"), Decimal("0.15")),
    (Decimal("2500"), Decimal("0.10")),
    (Decimal("5000"), Decimal("0.05")),
    (Decimal("190000"), Decimal("0.01")),
)


def nl_bik(principal: Decimal) -> Decimal:
    """NL-02: 15% of the first €2,500 (at least €40), 10% of the next €2,500, 5% of the next
    €5,000, 1% of the next €190,000, 0.5% above; at most €6,775. On the principal only."""
    rest, total = principal, Decimal("0")
    for size, rate in _BIK_BANDS:
        part = min(rest, size)
        total += part * rate
        rest -= part
        if rest <= 0:
            break
    total += max(rest, Decimal("0")) * Decimal("0.005")
    return min(max(total, Decimal("40")), Decimal("6775")).quantize(CENT, ROUND_HALF_UP)


def be_costs_from(first_reminder_sent: date, by_post: bool = False) -> date:
    """BE-03: the first day damages may apply after the first (free) reminder."""
    if by_post:
        start, working = first_reminder_sent, 0
        calendar = holidays.country_holidays("BE", years=range(start.year, start.year + 2))
        while working < 3:
            start += timedelta(days=1)
            if start.weekday() < 5 and start not in calendar:
                working += 1
    else:
        start = first_reminder_sent + timedelta(days=1)
    return start + timedelta(days=14)


def nl_costs_from(letter_delivered: date) -> date:
    """NL-01: fourteen days from the day after delivery; costs from the day after."""
    return letter_delivered + timedelta(days=15)


def collection_costs(scheme: str, principal: Decimal, first_reminder_sent: date | None, today: date) -> Costs:
    """The most that may be added to `principal` today, and why."""
    if scheme == "be_book_xix":
        if first_reminder_sent is None:
            return Costs(Decimal("0.00"), "the first reminder is free (BE-02)")
        start = be_costs_from(first_reminder_sent)
        if today < start:
            return Costs(Decimal("0.00"), f"damages may apply only from {start.isoformat()} (BE-03)")
        return Costs(be_damages_cap(principal), "capped lump-sum damages (BE-05)")
    if scheme == "nl_bik":
        if first_reminder_sent is None:
            return Costs(Decimal("0.00"), "no costs before the 14-day letter (NL-01)")
        start = nl_costs_from(first_reminder_sent)
        if today < start:
            return Costs(Decimal("0.00"), f"costs may apply only from {start.isoformat()} (NL-01)")
        return Costs(nl_bik(principal), "statutory scale of collection costs (NL-02)")
    return Costs(Decimal("0.00"), "collection costs may not be charged to the debtor here")


def announced_costs(scheme: str, principal: Decimal, sent_on: date) -> Costs | None:
    """What a message sent electronically on `sent_on` may announce: the costs the law allows
    on this principal, and (in `reason`) the ISO day from which they may apply. None where
    costs may not be charged to the debtor at all."""
    if scheme == "be_book_xix":
        return Costs(be_damages_cap(principal), be_costs_from(sent_on).isoformat())
    if scheme == "nl_bik":
        return Costs(nl_bik(principal), nl_costs_from(sent_on).isoformat())
    return None
