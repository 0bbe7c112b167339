"""A demo payment history with real structure in it, for the late-payment model to learn.

The model (outreach/risk.py) must not be shown noise: otherwise the demo would show a model
that cannot beat a coin, or one that "learns" an artefact of the generator. Each synthetic
customer gets latent traits (a profile, a payday, a usual bill, a preferred channel and hour)
and invoices are drawn from them month after month, with the last invoice's outcome feeding
the next one. The traits are never stored: the model has to recover them from behaviour,
as it would from a real creditor's books.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from amicable.db.models import PaymentHistory
from amicable.outreach.history import CHANNELS, INSERT_CHUNK, _creditor_id

# Days after the due date on which the creditor's usual reminders go out: a debtor who pays
# on day 5 has had one reminder, one who pays on day 25 has had three.
REMINDER_DAYS = (3, 10, 20, 35)
BATCH_CUSTOMERS = 5_000

BRIGHTWATER = "Brightwater Energy"
POLDER = "Polder Telecom"

# Which channel people answer on differs by country: WhatsApp dominates in the Netherlands,
# text messages are still strong in France.
CHANNEL_SHARES = {
    "BE": (0.25, 0.35, 0.07, 0.08, 0.25),
    "FR": (0.35, 0.30, 0.03, 0.07, 0.25),
    "NL": (0.12, 0.55, 0.06, 0.07, 0.20),
}
COUNTRIES = ("BE", "FR", "NL")
COUNTRY_SHARES = {BRIGHTWATER: (0.55, 0.30, 0.15), POLDER: (0.25, 0.0, 0.75)}
# Hours people answer at: lunch, evening, or first thing in the morning.
HOUR_CHOICES = ((12, 13), (18, 19, 20), (8, 9))
HOUR_SHARES = (0.35, 0.40, 0.25)

RELIABLE, FORGETFUL, CASH_STRAPPED, STRUGGLING = range(4)
PROFILE_SHARES = (0.58, 0.20, 0.17, 0.05)
# Log-odds of paying late before anything about the invoice is known.
BASE_LOGIT = (-3.0, -0.2, -1.2, 0.8)
# How much a late last invoice raises the odds for the next one.
PERSISTENCE = (0.9, 0.6, 1.3, 1.0)
# Chance of answering a reminder at all.
RESPONSIVENESS = (0.7, 0.85, 0.45, 0.15)
# Chance that a late invoice is never paid.
NEVER_PAID = (0.003, 0.002, 0.03, 0.2)


@dataclass(frozen=True)
class _Customer:
    creditor: str
    reference: str
    country: str
    profile: int
    effect: float
    start: int  # first month (index into the window) with an invoice
    end: int  # month after the last one
    due_day: int
    usual_bill: float
    channel: str
    hour: int
    terms: int  # days between issue and due


@dataclass(frozen=True)
class _Draws:
    """The random numbers one customer's invoices consume, drawn in bulk for speed."""

    uniform: list[list[float]]  # per month: late, kind of lateness, days, answered, channel, hour, extra
    normal: list[float]  # per month: amount noise
    gamma: list[float]  # per month: length of a long delay


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _month_start(today: date, months: int) -> int:
    """The first month of the window as year*12 + month-1. The last due date falls two
    months before today, so nearly every outcome in the history is known."""
    return today.year * 12 + today.month - 1 - months - 1


def _due_date(month_index: int, due_day: int) -> date:
    year, month0 = divmod(month_index, 12)
    return date(year, month0 + 1, min(due_day, calendar.monthrange(year, month0 + 1)[1]))


def _season(creditor: str, month: int) -> float:
    """Energy bills peak in January and bottom out in July; a phone bill barely moves."""
    swing = 0.4 if creditor == BRIGHTWATER else 0.03
    return 1.0 + swing * math.cos(2 * math.pi * (month - 1) / 12)


def _simulate(customer: _Customer, draws: _Draws, first_month: int, today: date, creditor_id: int) -> list[dict]:
    """One customer's invoices, oldest first. Lateness is a logistic function of the
    customer's profile and of the invoice (amount against the usual bill, payday, weekend,
    winter holidays, newness), and the last outcome carries over to the next."""
    rows: list[dict] = []
    previous_late = 0.0
    profile = customer.profile
    for k, m in enumerate(range(customer.start, customer.end)):
        u = draws.uniform[m]
        due = _due_date(first_month + m, customer.due_day)
        issued = due - timedelta(days=customer.terms)
        month = due.month
        expected = customer.usual_bill * _season(customer.creditor, month)
        amount = expected * math.exp(0.12 * draws.normal[m])
        if u[6] < (0.04 if customer.creditor == BRIGHTWATER else 0.06):
            amount *= 1.5 + 1.5 * u[2]  # a yearly settlement or a roaming bill
        ratio = amount / customer.usual_bill
        winter = month in (12, 1)
        weekend = due.weekday() >= 5

        logit = BASE_LOGIT[profile] + customer.effect + PERSISTENCE[profile] * previous_late
        logit += 0.35 * weekend + 1.0 * math.exp(-k / 3) * (customer.start > 0)
        if profile == CASH_STRAPPED:
            payday = 0.9 if customer.due_day >= 20 else -0.7 if customer.due_day <= 5 else 0.0
            logit += 1.8 * math.log(ratio) + 0.9 * winter + payday
        elif profile == RELIABLE:
            logit += 0.6 * max(math.log(ratio), 0.0) + 0.3 * winter + 0.2 * (customer.due_day >= 20)
        elif profile == FORGETFUL:
            logit += 0.3 * weekend + 0.3 * winter
        else:
            logit += 1.0 * math.log(ratio)
        late = u[0] < _sigmoid(logit)

        paid: date | None
        if not late:
            early = int(u[2] * (3 if profile == FORGETFUL else 10))
            paid = max(due - timedelta(days=early), issued)
            reminders = 0
        elif u[1] < NEVER_PAID[profile] * (ratio if profile == CASH_STRAPPED else 1.0):
            paid, reminders = None, len(REMINDER_DAYS)
        else:
            if profile == FORGETFUL:
                # Forgets, and pays within a few days of the first reminder.
                days = REMINDER_DAYS[0] + 1 + int(u[2] * 3) if u[1] < 0.88 else 1 + int(u[2] * 2)
            elif profile == RELIABLE:
                days = 1 + int(draws.gamma[m] * 1.6)
            elif profile == CASH_STRAPPED:
                days = 2 + int(draws.gamma[m] * 5 * ratio * (1.3 if winter else 1.0))
            else:
                days = 8 + int(draws.gamma[m] * 12)
            paid = due + timedelta(days=days)
            reminders = sum(1 for d in REMINDER_DAYS if d < days)
        if paid is not None and paid > today:
            paid = None  # still open when the history was taken
        if paid is None:
            reminders = sum(1 for d in REMINDER_DAYS if due + timedelta(days=d) <= today)

        channel: str | None = None
        hour: int | None = None
        if reminders and u[3] < RESPONSIVENESS[profile]:
            channel = customer.channel if u[4] < 0.85 else CHANNELS[int(u[4] * 100) % len(CHANNELS)]
            hour = customer.hour if u[5] < 0.8 else 8 + int(u[5] * 1000) % 14
        rows.append(
            {
                "creditor_id": creditor_id,
                "account_reference": customer.reference,
                "invoice_number": f"{customer.reference}-{due:%Y%m}",
                "amount": Decimal(f"{amount:.2f}"),
                "currency": "EUR",
                "issued_on": issued,
                "due_on": due,
                "paid_on": paid,
                "reminders": reminders,
                "response_channel": channel,
                "response_hour": hour,
            }
        )
        previous_late = float(late)
    return rows


def _synthetic_customers(rng: np.random.Generator, count: int, offset: int, months: int) -> Iterator[_Customer]:
    """`count` customers' traits, drawn together (one call per trait, not per customer)."""
    at_brightwater = rng.random(count) < 0.6
    country_u = rng.random(count)
    profile = rng.choice(4, size=count, p=PROFILE_SHARES)
    effect = rng.normal(0.0, 0.6, count)
    long_standing = rng.random(count) < 0.45
    start = rng.integers(1, max(months - 3, 2), count)
    churned = rng.random(count) < 0.1
    end = rng.integers(months // 2, months + 1, count)
    due_day = rng.integers(1, 29, count)
    bill = rng.lognormal(0.0, 0.4, count)
    channel_u = rng.random(count)
    hour_group = rng.choice(3, size=count, p=HOUR_SHARES)
    hour_u = rng.random(count)
    terms = rng.choice((14, 14, 14, 10, 21), size=count)
    for i in range(count):
        creditor = BRIGHTWATER if at_brightwater[i] else POLDER
        country = COUNTRIES[int(np.searchsorted(np.cumsum(COUNTRY_SHARES[creditor]), country_u[i], side="right"))]
        channel = CHANNELS[int(np.searchsorted(np.cumsum(CHANNEL_SHARES[country]), channel_u[i], side="right"))]
        first = 0 if long_standing[i] else int(start[i])
        last = max(int(end[i]), first + 2) if churned[i] else months
        hours = HOUR_CHOICES[int(hour_group[i])]
        prefix = "BW" if creditor == BRIGHTWATER else "PT"
        yield _Customer(
            creditor=creditor,
            reference=f"HIST-{prefix}-{offset + i + 1:05d}",
            country=country,
            profile=int(profile[i]),
            effect=float(effect[i]),
            start=first,
            end=min(last, months),
            due_day=int(due_day[i]),
            usual_bill=float(bill[i]) * (110.0 if creditor == BRIGHTWATER else 45.0),
            channel=channel,
            hour=hours[int(hour_u[i] * len(hours))],
            terms=int(terms[i]),
        )


def _demo_customers(months: int) -> list[_Customer]:
    """The three demo accounts' own pasts, so the assistant's suggestions about them make
    sense in a demo: Sam forgets and pays after one reminder, Camille struggles with big
    winter bills, Daan pays his phone bill on time."""
    common = {"start": 0, "end": months, "effect": 0.0}
    return [
        _Customer(
            creditor=BRIGHTWATER,
            reference="DEMO-1001",
            country="BE",
            profile=FORGETFUL,
            due_day=15,
            usual_bill=70.0,
            channel="whatsapp",
            hour=12,
            terms=14,
            **common,
        ),
        _Customer(
            creditor=BRIGHTWATER,
            reference="DEMO-1002",
            country="FR",
            profile=CASH_STRAPPED,
            due_day=25,
            usual_bill=190.0,
            channel="sms",
            hour=19,
            terms=14,
            **common,
        ),
        _Customer(
            creditor=POLDER,
            reference="DEMO-1003",
            country="NL",
            profile=RELIABLE,
            due_day=5,
            usual_bill=59.99,
            channel="email",
            hour=8,
            terms=14,
            **common,
        ),
    ]


def _draws(rng: np.random.Generator, count: int, months: int) -> list[_Draws]:
    uniform = rng.random((count, months, 7)).tolist()
    normal = rng.standard_normal((count, months)).tolist()
    gamma = rng.gamma(2.0, 1.0, (count, months)).tolist()
    return [_Draws(uniform[i], normal[i], gamma[i]) for i in range(count)]


def _insert_new(session: Session, rows: list[dict], existing: set[tuple[int, str, str]]) -> int:
    fresh = [r for r in rows if (r["creditor_id"], r["account_reference"], r["invoice_number"]) not in existing]
    for start in range(0, len(fresh), INSERT_CHUNK):
        session.execute(insert(PaymentHistory), fresh[start : start + INSERT_CHUNK])
    return len(fresh)


def generate_demo_history(
    session: Session, *, accounts: int = 3000, months: int = 24, seed: int = 7, today: date
) -> int:
    """Write a synthetic payment history for both demo creditors and return how many rows
    were added. Rows already there (same creditor, account and invoice number) are left
    alone, so a second run on the same day adds nothing; on a later month it adds only the
    months that are new to the window."""
    if accounts < 0 or months < 3:
        raise ValueError("the demo history needs at least three months")
    ids = {name: _creditor_id(session, name) for name in (BRIGHTWATER, POLDER)}
    existing = {
        (c, a, n)
        for c, a, n in session.execute(
            select(PaymentHistory.creditor_id, PaymentHistory.account_reference, PaymentHistory.invoice_number).where(
                PaymentHistory.creditor_id.in_(ids.values())
            )
        )
    }
    first_month = _month_start(today, months)
    rng = np.random.default_rng(seed)
    added = 0
    for offset in range(0, accounts, BATCH_CUSTOMERS):
        count = min(BATCH_CUSTOMERS, accounts - offset)
        customers = list(_synthetic_customers(rng, count, offset, months))
        draws = _draws(rng, count, months)
        rows = [
            row
            for customer, drawn in zip(customers, draws, strict=True)
            for row in _simulate(customer, drawn, first_month, today, ids[customer.creditor])
        ]
        added += _insert_new(session, rows, existing)
    demo_rng = np.random.default_rng([seed, 1001])
    demo = _demo_customers(months)
    rows = [
        row
        for customer, drawn in zip(demo, _draws(demo_rng, len(demo), months), strict=True)
        for row in _simulate(customer, drawn, first_month, today, ids[customer.creditor])
    ]
    added += _insert_new(session, rows, existing)
    session.flush()
    return added
