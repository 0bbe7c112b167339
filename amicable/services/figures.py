"""The figures of the results dashboard (`/dashboard`), every one of them, computed here and
nowhere else, so the page, its JSON, its CSV downloads and the tests read the same numbers.

Creditors compare these figures with their own books, so each function's docstring says
exactly what is counted, over which denominator, and on which date. The rules shared by all:

- **Scope.** `Scope.creditor_id` limits every figure to that creditor's accounts (None: the
  agency, every creditor). `language` and `country` are the debtor's. A figure about
  messages (reply rate, paid after the first message, compliance, A/B) keeps the messages
  whose channel, strategy step and A/B variant match the filters; a figure about accounts,
  money or conversations keeps the accounts that were *sent* at least one message matching
  them (the conversation figures read `channel` as the conversation's own channel, and
  self-cure applies them to the nudge: see each docstring).
- **Period.** `start` and `end` are whole days, both included, in UTC. Each figure says which
  date of its records falls in the period (a payment's receipt, a promise's creation, ...).
- **Money** is `Decimal` and never added across currencies: every money figure is split by
  currency. A refund is a payment of kind "refund" with a negative amount.
- **Days past due, due dates** are judged in the debtor's own time zone, like the rest of
  Amicable (a payment at 23:30 in Brussels on the due date is on time).
- Windows that have not closed yet are left out and counted as `waiting` (an account first
  messaged yesterday cannot have paid within 14 days yet; counting it would bias the rate down).

Plain SQL only (comparisons, `IN` subqueries), so every query runs the same on SQLite and
PostgreSQL; grouping by week or month is done here in Python, for the same reason.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, and_, event, func, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from amicable.db.models import (
    Account,
    Adjustment,
    Allocation,
    ContactEvent,
    Conversation,
    Creditor,
    Debtor,
    Installment,
    Invoice,
    Message,
    OutreachContact,
    Payment,
    Plan,
    Promise,
)

ZERO = Decimal("0.00")
DAY = timedelta(days=1)
# How long after a message a reply still counts as its answer: the same 7 days as the A/B
# results (amicable.outreach.experiments.REPLY_WINDOW; a test keeps the two equal).
REPLY_DAYS = 7
# "Paid within N days after the first message": N by default, the A/B results' payment window
# (experiments.PAY_WINDOW); the page lets the operator choose another N.
PAY_DAYS = 14
# The days past due at which the recovery curves are read.
RECOVERY_DAYS = (0, 7, 14, 30, 45, 60, 90, 120, 180, 270, 365)
# What a conversation may end in, in the order the page shows them.
OUTCOMES = ("paid", "plan", "promise", "dispute", "handoff", "opt_out")
# The contact-log kinds that record an outcome, named as the outcome (services/outcomes.py,
# plans.py, conversations.py); `paid` is read from the payment links instead.
_OUTCOME_KINDS = ("plan", "promise", "dispute", "handoff", "opt_out")
PROMISE_STATUSES = ("kept", "broken", "pending", "replaced")
PLAN_STATES = ("on_track", "behind", "completed", "broken", "cancelled")
# Outreach contacts the compliance rules held back: not sent at all, or not yet.
HELD = ("blocked", "deferred")
ALL = "all"


@dataclass(frozen=True)
class Scope:
    """Whose figures, over which days, for which segment (see the module's docstring)."""

    creditor_id: int | None = None
    start: date | None = None
    end: date | None = None
    channel: str | None = None
    language: str | None = None
    step: str | None = None
    variant: str | None = None  # "experiment:variant", as stored on the contact
    country: str | None = None

    @cached_property  # read once per record in the loops below
    def since(self) -> datetime | None:
        """The first instant of the period (midnight UTC at the start of `start`)."""
        return datetime.combine(self.start, time(0), UTC) if self.start else None

    @cached_property
    def until(self) -> datetime | None:
        """The first instant after the period (midnight UTC at the end of `end`), excluded."""
        return datetime.combine(self.end + DAY, time(0), UTC) if self.end else None

    @property
    def by_outreach(self) -> bool:
        return bool(self.channel or self.step or self.variant)


@dataclass(frozen=True)
class Share:
    """`count` of `base`: the building block of most figures."""

    key: str
    base: int
    count: int

    @property
    def rate(self) -> float | None:
        return self.count / self.base if self.base else None


@dataclass(frozen=True)
class Rates:
    """Shares by group (the last row is `all`), and the records left out because their window
    has not closed yet."""

    rows: list[Share]
    waiting: int = 0


# --- the scope as SQL -----------------------------------------------------------------------


def _in_period(column: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """A timestamp column inside the period."""
    conditions: list[ColumnElement[bool]] = []
    if scope.since is not None:
        conditions.append(column >= scope.since)
    if scope.until is not None:
        conditions.append(column < scope.until)
    return conditions


def _contact_filters(scope: Scope) -> list[ColumnElement[bool]]:
    """An outreach contact of the chosen channel, step and A/B variant."""
    conditions: list[ColumnElement[bool]] = []
    if scope.channel:
        conditions.append(OutreachContact.channel == scope.channel)
    if scope.step:
        conditions.append(OutreachContact.step == scope.step)
    if scope.variant:
        conditions.append(OutreachContact.variant == scope.variant)
    return conditions


def accounts(scope: Scope, *, outreach: bool = True) -> Select[tuple[int]]:
    """The ids of the accounts in scope: the creditor's, of a debtor with that language and
    country, and (with `outreach`) sent at least one message of that channel, step and variant."""
    query = select(Account.id).join(Debtor, Debtor.id == Account.debtor_id)
    if scope.creditor_id is not None:
        query = query.where(Account.creditor_id == scope.creditor_id)
    if scope.language:
        query = query.where(Debtor.language == scope.language)
    if scope.country:
        query = query.where(Debtor.country == scope.country)
    if outreach and scope.by_outreach:
        sent = select(OutreachContact.account_id).where(OutreachContact.status == "sent", *_contact_filters(scope))
        query = query.where(Account.id.in_(sent))
    return query


def _account_filter(column: Any, scope: Scope, *, outreach: bool = True) -> list[ColumnElement[bool]]:
    """`column` (an account id) in scope; nothing at all when the scope is every account, so
    the agency's unfiltered view costs no subquery."""
    narrowed = scope.creditor_id is not None or scope.language or scope.country or (outreach and scope.by_outreach)
    return [column.in_(accounts(scope, outreach=outreach))] if narrowed else []


@lru_cache(maxsize=512)
def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_day(at: datetime, zone: str | None) -> date:
    return at.astimezone(_zone(zone)).date()


def _today(today: date | None) -> date:
    return today or datetime.now(UTC).date()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _with_total(counts: dict[str, list[int]]) -> list[Share]:
    """Rows by key (sorted) from {key: [base, count]}, then the `all` row."""
    rows = [Share(key, base, count) for key, (base, count) in sorted(counts.items())]
    rows.append(Share(ALL, sum(r.base for r in rows), sum(r.count for r in rows)))
    return rows


# --- money ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    period: date  # the Monday of the week, or the first of the month (UTC)
    currency: str
    received: Decimal  # payments
    refunded: Decimal  # refunds, as a positive amount

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


def _bucket(day: date, by: Literal["week", "month"]) -> date:
    return day - timedelta(days=day.weekday()) if by == "week" else day.replace(day=1)


def collected(session: Session, scope: Scope, by: Literal["week", "month"] = "month") -> list[Collected]:
    """**Amount collected over time**: money received (payments) less money given back
    (refunds), by the UTC week (from Monday) or month of its receipt (`Payment.received_at`),
    by currency; weeks or months with no money are absent. A payment above what was owed
    counts in full here (it was received); its refund, when made, counts when it is made.
    Discounts are not money and do not count."""
    query = select(Payment.received_at, Payment.currency, Payment.kind, Payment.amount).where(
        *_in_period(Payment.received_at, scope), *_account_filter(Payment.account_id, scope)
    )
    sums: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for received_at, currency, kind, amount in session.execute(query):
        pair = sums[(_bucket(received_at.astimezone(UTC).date(), by), currency)]
        if kind == "refund":
            pair[1] -= amount  # stored negative
        else:
            pair[0] += amount
    return [Collected(period, currency, *pair) for (period, currency), pair in sorted(sums.items())]


@dataclass(frozen=True)
class RecoveryPoint:
    cohort: str  # the month the accounts were placed, "2026-01"
    currency: str
    accounts: int
    placed: Decimal
    days: int  # days past due
    recovered: Decimal

    @property
    def rate(self) -> float | None:
        return float(self.recovered / self.placed) if self.placed else None


def recovery(session: Session, scope: Scope, today: date | None = None) -> list[RecoveryPoint]:
    """**Recovery rate by days past due, a curve per month of placement.**

    A cohort is the accounts placed (`Account.created_at`, UTC month) in the period, per
    currency. *Placed* is the sum of all their invoices. An account's due date is its oldest
    invoice's `due_on`. *Recovered by d days past due* is what payments settled on the
    cohort's invoices (payment allocations, less what refunds reopened) from money received on
    or before its due date plus d days, in the debtor's time zone; money paid early counts at
    day 0, money beyond the debt (flagged for refund) and discounts never count, so the rate
    stays between 0 and 1. The rate at d is recovered / placed over the whole cohort, read at
    `RECOVERY_DAYS`, and only where every account of the cohort is at least d days past due
    today: the curve never mixes accounts that have had more time with those that had less.
    The period chooses the cohorts; their curves run up to today."""
    today = _today(today)
    placed = (
        select(Account.id, Account.created_at, Account.currency, Debtor.timezone)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(*_in_period(Account.created_at, scope), *_account_filter(Account.id, scope))
    )
    ids = select(placed.subquery().c.id)
    info = {row.id: row for row in session.execute(placed)}
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    due: dict[int, date] = {}
    for account_id, amount, due_on in session.execute(
        select(Invoice.account_id, Invoice.amount, Invoice.due_on).where(Invoice.account_id.in_(ids))
    ):
        amounts[account_id] += amount
        due[account_id] = min(due.get(account_id, due_on), due_on)
    settled: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for account_id, received_at, amount in session.execute(
        select(Payment.account_id, Payment.received_at, Allocation.amount)
        .join(Allocation, Allocation.payment_id == Payment.id)
        .where(Payment.account_id.in_(ids))
    ):
        settled[account_id].append((_local_day(received_at, info[account_id].timezone), amount))
    cohorts: dict[tuple[str, str], list[int]] = defaultdict(list)
    for account_id, row in info.items():
        if amounts[account_id] > 0:
            cohorts[(row.created_at.astimezone(UTC).strftime("%Y-%m"), row.currency)].append(account_id)
    points = []
    for (cohort, currency), members in sorted(cohorts.items()):
        total = sum((amounts[a] for a in members), ZERO)
        reached = (today - max(due[a] for a in members)).days
        for days in RECOVERY_DAYS:
            if days > reached:
                break
            recovered = sum(
                (amount for a in members for day, amount in settled[a] if day <= due[a] + timedelta(days=days)), ZERO
            )
            points.append(RecoveryPoint(cohort, currency, len(members), total, days, recovered))
    return points


# --- outreach -------------------------------------------------------------------------------


def _sent_contacts(scope: Scope) -> Select[Any]:
    """Sent contacts of accounts in scope (language, country, creditor), oldest first."""
    return (
        select(
            OutreachContact.account_id,
            OutreachContact.sent_at,
            OutreachContact.channel,
            OutreachContact.step,
            OutreachContact.variant,
        )
        .where(
            OutreachContact.status == "sent",
            OutreachContact.sent_at.is_not(None),
            *_account_filter(OutreachContact.account_id, scope, outreach=False),
        )
        .order_by(OutreachContact.sent_at, OutreachContact.id)
    )


def _matches(scope: Scope, channel: str | None, step: str | None, variant: str | None) -> bool:
    return (
        (not scope.channel or channel == scope.channel)
        and (not scope.step or step == scope.step)
        and (not scope.variant or variant == scope.variant)
    )


def _within(at: datetime, scope: Scope) -> bool:
    return (scope.since is None or at >= scope.since) and (scope.until is None or at < scope.until)


@dataclass(frozen=True)
class FirstMessage:
    channel: str  # of the first message; `all` for the total
    accounts: int
    paid_any: int
    paid_in_full: int

    @property
    def paid_any_rate(self) -> float | None:
        return self.paid_any / self.accounts if self.accounts else None

    @property
    def paid_in_full_rate(self) -> float | None:
        return self.paid_in_full / self.accounts if self.accounts else None


@dataclass(frozen=True)
class FirstMessages:
    days: int
    rows: list[FirstMessage]
    waiting: int = 0


def paid_after_first_message(
    session: Session, scope: Scope, days: int = PAY_DAYS, now: datetime | None = None
) -> FirstMessages:
    """**Paid after the first message.**

    The accounts whose *first* outreach message ever (the earliest sent `OutreachContact`) was
    sent in the period, and whose channel, step and variant match the filters, by the channel
    of that message. Of these:

    - *paid anything*: money came in within `days` days after that message (payments less
      refunds received from the message's sending to `days` × 24 hours later add up to more
      than zero);
    - *paid in full*: every invoice issued on or before the day of that message was settled
      (by payments, net of refunds, or a discount the creditor granted) by the end of that
      window, and something was owed when the message went.

    Accounts first messaged less than `days` days ago are `waiting`, not counted."""
    now = _now(now)
    window = timedelta(days=days)
    first: dict[int, tuple[datetime, str | None, str | None, str | None]] = {}
    for account_id, sent_at, channel, step, variant in session.execute(_sent_contacts(scope)):
        first.setdefault(account_id, (sent_at, channel, step, variant))
    chosen = {a: f for a, f in first.items() if _within(f[0], scope) and _matches(scope, *f[1:])}
    waiting = {a for a, f in chosen.items() if f[0] + window > now}
    counted = {a: f for a, f in chosen.items() if a not in waiting}
    pool = select(OutreachContact.account_id).where(
        OutreachContact.status == "sent", *_account_filter(OutreachContact.account_id, scope, outreach=False)
    )
    money: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for account_id, received_at, amount in session.execute(
        select(Payment.account_id, Payment.received_at, Payment.amount).where(Payment.account_id.in_(pool))
    ):
        money[account_id].append((received_at, amount))
    zones = dict(
        session.execute(
            select(Account.id, Debtor.timezone).join(Debtor, Debtor.id == Account.debtor_id).where(Account.id.in_(pool))
        ).all()
    )
    invoices: dict[int, list[tuple[int, Decimal, date]]] = defaultdict(list)
    for invoice_id, account_id, amount, issued_on in session.execute(
        select(Invoice.id, Invoice.account_id, Invoice.amount, Invoice.issued_on).where(Invoice.account_id.in_(pool))
    ):
        invoices[account_id].append((invoice_id, amount, issued_on))
    settlements = _settlements(session, pool)

    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for account_id, (sent_at, channel, _step, _variant) in counted.items():
        end = sent_at + window
        row = counts[channel or "unknown"]
        row[0] += 1
        if sum((amount for at, amount in money[account_id] if sent_at <= at <= end), ZERO) > 0:
            row[1] += 1
        issued_by = _local_day(sent_at, zones.get(account_id))
        debt = [(i, amount) for i, amount, issued_on in invoices[account_id] if issued_on <= issued_by]
        owed_then = sum((amount - _settled(settlements, i, sent_at) for i, amount in debt), ZERO)
        owed_after = sum((amount - _settled(settlements, i, end) for i, amount in debt), ZERO)
        if owed_then > 0 and owed_after <= 0:
            row[2] += 1
    rows = [FirstMessage(channel, *values) for channel, values in sorted(counts.items())]
    rows.append(
        FirstMessage(
            ALL, sum(r.accounts for r in rows), sum(r.paid_any for r in rows), sum(r.paid_in_full for r in rows)
        )
    )
    return FirstMessages(days, rows, len(waiting))


def _settlements(session: Session, pool: Select[Any]) -> dict[int, list[tuple[datetime, Decimal]]]:
    """Per invoice, each amount that settled (or, negative, reopened) it and when: payments and
    refunds at their receipt, discounts and their reversal when granted."""
    found: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    by_payment = (
        select(Allocation.invoice_id, Payment.received_at, Allocation.amount)
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(Payment.account_id.in_(pool))
    )
    by_adjustment = (
        select(Allocation.invoice_id, Adjustment.created_at, Allocation.amount)
        .join(Adjustment, Adjustment.id == Allocation.adjustment_id)
        .where(Adjustment.account_id.in_(pool))
    )
    for query in (by_payment, by_adjustment):
        for invoice_id, at, amount in session.execute(query):
            found[invoice_id].append((at, amount))
    return found


def _settled(settlements: dict[int, list[tuple[datetime, Decimal]]], invoice_id: int, by: datetime) -> Decimal:
    return sum((amount for at, amount in settlements.get(invoice_id, []) if at <= by), ZERO)


def reply_rate(session: Session, scope: Scope, now: datetime | None = None) -> Rates:
    """**Reply rate**: of the accounts sent an outreach message in the period (of the chosen
    channel, step and variant), those whose debtor wrote in any conversation of the account
    within `REPLY_DAYS` days after the first such message, by that message's channel. Accounts
    whose first message in the period is less than `REPLY_DAYS` days old are `waiting`."""
    now = _now(now)
    window = timedelta(days=REPLY_DAYS)
    first: dict[int, tuple[datetime, str | None]] = {}
    for account_id, sent_at, channel, _step, _variant in session.execute(
        _sent_contacts(scope).where(*_in_period(OutreachContact.sent_at, scope), *_contact_filters(scope))
    ):
        first.setdefault(account_id, (sent_at, channel))
    pool = select(OutreachContact.account_id).where(
        OutreachContact.status == "sent",
        *_in_period(OutreachContact.sent_at, scope),
        *_contact_filters(scope),
        *_account_filter(OutreachContact.account_id, scope, outreach=False),
    )
    replies: dict[int, list[datetime]] = defaultdict(list)
    for account_id, at in session.execute(
        select(Conversation.account_id, Message.created_at)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.author == "debtor", Conversation.account_id.in_(pool))
    ):
        replies[account_id].append(at)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    waiting = 0
    for account_id, (sent_at, channel) in first.items():
        if sent_at + window > now:
            waiting += 1
            continue
        row = counts[channel or "unknown"]
        row[0] += 1
        row[1] += any(sent_at <= at <= sent_at + window for at in replies[account_id])
    return Rates(_with_total(counts), waiting)


# --- conversations --------------------------------------------------------------------------


def _conversations(session: Session, scope: Scope) -> dict[str, str]:
    """The conversations in scope, with their channel: those in which the debtor wrote at least
    once in the period, on the chosen channel. With a creditor or any segment chosen, only
    those tied to an account in scope, by the conversation's own file (bound or verified) or
    by any contact-log line of the conversation naming such an account (a reference the debtor
    gave during a failed check): a conversation that never named a file belongs to no
    creditor, and is counted only in the agency's unfiltered view."""
    wrote = select(Message.conversation_id).where(Message.author == "debtor", *_in_period(Message.created_at, scope))
    query = select(Conversation.id, Conversation.channel).where(Conversation.id.in_(wrote))
    if scope.channel:
        query = query.where(Conversation.channel == scope.channel)
    narrowed = scope.creditor_id is not None or scope.language or scope.country or scope.step or scope.variant
    if narrowed:
        # The conversation's channel is its own: the outreach filters here are step and variant.
        in_scope = accounts(replace(scope, channel=None))
        named = select(ContactEvent.conversation_id).where(
            ContactEvent.conversation_id.is_not(None), ContactEvent.account_id.in_(in_scope)
        )
        query = query.where(or_(Conversation.account_id.in_(in_scope), Conversation.id.in_(named)))
    return dict(session.execute(query).all())


def verified_rate(session: Session, scope: Scope) -> Rates:
    """**Verified-conversation rate**: of the conversations in scope (the debtor wrote in the
    period; see `_conversations`), those in which the identity check passed in the period (a
    contact-log line "identity confirmed"), by the conversation's channel."""
    found = _conversations(session, scope)
    # Checks passed in the period, matched here: a literal list of every conversation id in
    # the query could exceed what a database takes in one statement.
    verified = set(
        session.scalars(
            select(ContactEvent.conversation_id).where(
                ContactEvent.kind == "verification",
                ContactEvent.detail == "identity confirmed",
                *_in_period(ContactEvent.created_at, scope),
            )
        )
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for conversation_id, channel in found.items():
        counts[channel][0] += 1
        counts[channel][1] += conversation_id in verified
    return Rates(_with_total(counts))


@dataclass(frozen=True)
class Outcomes:
    conversations: int
    rows: list[Share]  # one per outcome in OUTCOMES, then `none`


def conversation_outcomes(session: Session, scope: Scope) -> Outcomes:
    """**Outcomes of conversations**: of the conversations in scope (the debtor wrote in the
    period), how many reached each outcome in the period, by the contact log of the
    conversation: `plan`, `promise`, `dispute`, `handoff` (to a person), `opt_out`; and `paid`
    when a payment link made in the conversation in the period was paid (any time since).
    One conversation may reach several outcomes (a promise, then a hand-over), so the rows do
    not add up to the total; `none` counts those that reached none."""
    found = _conversations(session, scope)
    reached: dict[str, set[str]] = defaultdict(set)
    links: dict[str, str] = {}
    kinds = [*_OUTCOME_KINDS, "payment_link"]
    for conversation_id, kind, detail in session.execute(
        select(ContactEvent.conversation_id, ContactEvent.kind, ContactEvent.detail).where(
            ContactEvent.kind.in_(kinds),
            ContactEvent.conversation_id.is_not(None),
            *_in_period(ContactEvent.created_at, scope),
        )
    ):
        if conversation_id not in found:
            continue
        if kind == "payment_link":
            # services/payments.create_payment_link logs "<link id> for <amount> ...".
            links[detail.split(" ", 1)[0]] = conversation_id
        else:
            reached[conversation_id].add(kind)
    if links:
        # Paid through one of those links: paid after it was made, so in or after the period.
        for link_id in session.scalars(
            select(Payment.payment_link_id).where(
                Payment.kind == "payment",
                Payment.payment_link_id.is_not(None),
                *_in_period(Payment.received_at, replace(scope, end=None)),
            )
        ):
            if link_id in links:
                reached[links[link_id]].add("paid")
    total = len(found)
    rows = [Share(outcome, total, sum(outcome in r for r in reached.values())) for outcome in OUTCOMES]
    rows.append(Share("none", total, sum(1 for c in found if not reached.get(c))))
    return Outcomes(total, rows)


# --- promises and plans ---------------------------------------------------------------------


@dataclass(frozen=True)
class Promises:
    rows: list[Share]  # by status, in PROMISE_STATUSES order

    @property
    def kept_rate(self) -> float | None:
        """Kept of those decided (kept or broken): pending and replaced ones are not yet, or
        never, due."""
        counts = {r.key: r.count for r in self.rows}
        decided = counts["kept"] + counts["broken"]
        return counts["kept"] / decided if decided else None


def promises(session: Session, scope: Scope) -> Promises:
    """**Promises kept and broken**: the promises to pay made in the period (`created_at`), by
    their status now: `kept` (the amount arrived or nothing is owed), `broken` (the date passed
    without it), `pending`, `replaced` (by a newer promise or a plan)."""
    counts = Counter(
        session.scalars(
            select(Promise.status).where(
                *_in_period(Promise.created_at, scope), *_account_filter(Promise.account_id, scope)
            )
        )
    )
    total = sum(counts.values())
    return Promises([Share(status, total, counts.get(status, 0)) for status in PROMISE_STATUSES])


def plans(session: Session, scope: Scope) -> list[Share]:
    """**Plans on track, completed and broken**: the installment plans made in the period
    (`created_at`), by their state now: `on_track` (active, no installment late or missed),
    `behind` (active, an installment late or missed), `completed`, `broken` (too many missed,
    by the creditor's policy), `cancelled` (replaced by another plan)."""
    behind = select(Installment.plan_id).where(Installment.status.in_(("late", "missed")))
    counts: Counter[str] = Counter()
    for status, late in session.execute(
        select(Plan.status, Plan.id.in_(behind)).where(
            *_in_period(Plan.created_at, scope), *_account_filter(Plan.account_id, scope)
        )
    ):
        counts[("behind" if late else "on_track") if status == "active" else status] += 1
    total = sum(counts.values())
    return [Share(state, total, counts.get(state, 0)) for state in PLAN_STATES]


# --- before the due date --------------------------------------------------------------------


def self_cure(session: Session, scope: Scope, today: date | None = None) -> list[Share]:
    """**Self-cure before the due date, nudged vs. not nudged.**

    The invoices of accounts in scope falling due in the period and before today. An invoice
    is *nudged* when a message was sent to its account before its due date for the debt that
    invoice opened (a sent contact whose cycle, the due date of the oldest open invoice, is
    that invoice's due date, sent on or before that day in the debtor's time: the strategy's
    pre-due steps, the late-payment model's nudge). With a channel, step or variant chosen,
    *nudged* means by such a message, and invoices nudged only by other messages are in
    neither group. It *self-cured* when it was settled in full (payments net of
    refunds, and discounts) by the end of its due date in the debtor's time zone.

    The nudge goes to those the model predicts likely to pay late, so the two groups differ
    before any message: the gap is not the nudge's effect alone."""
    last = _today(today) - DAY
    if scope.end is not None:
        last = min(last, scope.end)
    conditions = [Invoice.due_on <= last]
    if scope.start is not None:
        conditions.append(Invoice.due_on >= scope.start)
    rows = session.execute(
        select(Invoice.id, Invoice.account_id, Invoice.amount, Invoice.due_on, Debtor.timezone)
        .join(Account, Account.id == Invoice.account_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(*conditions, *_account_filter(Account.id, scope, outreach=False))
    ).all()
    pool = select(Invoice.account_id).where(*conditions, *_account_filter(Invoice.account_id, scope, outreach=False))
    nudged: set[tuple[int, date]] = set()  # by a message of the chosen channel, step, variant
    other: set[tuple[int, date]] = set()  # only by other messages: in neither group
    for account_id, cycle, sent_at, timezone, channel, step, variant in session.execute(
        select(
            OutreachContact.account_id,
            OutreachContact.cycle,
            OutreachContact.sent_at,
            Debtor.timezone,
            OutreachContact.channel,
            OutreachContact.step,
            OutreachContact.variant,
        )
        .join(Account, Account.id == OutreachContact.account_id)
        .join(Debtor, Debtor.id == Account.debtor_id)
        .where(
            OutreachContact.status == "sent", OutreachContact.sent_at.is_not(None), OutreachContact.account_id.in_(pool)
        )
    ):
        if _local_day(sent_at, timezone) <= cycle:
            (nudged if _matches(scope, channel, step, variant) else other).add((account_id, cycle))
    settlements = _settlements(session, pool)
    counts: dict[str, list[int]] = {"nudged": [0, 0], "not_nudged": [0, 0]}
    for invoice_id, account_id, amount, due_on, timezone in rows:
        deadline = datetime.combine(due_on + DAY, time(0), _zone(timezone))
        settled = sum((a for at, a in settlements.get(invoice_id, []) if at < deadline), ZERO)
        key = (account_id, due_on)
        if key in other and key not in nudged:
            continue
        row = counts["nudged" if key in nudged else "not_nudged"]
        row[0] += 1
        row[1] += settled >= amount
    return [Share(group, base, count) for group, (base, count) in counts.items()]


# --- what debtors said, what the rules held back --------------------------------------------


def reasons(session: Session, scope: Scope) -> list[Share]:
    """**Reasons debtors gave** for not paying (the bot's or an agent's `reason` outcome, as
    codes: forgot, cash_flow, income_loss, ...): the accounts that gave each reason in the
    period (`ContactEvent` "reason"), an account counted once per reason however often it gave
    it; the base is the accounts that gave any. Most frequent first."""
    pairs = set(
        session.execute(
            select(ContactEvent.account_id, ContactEvent.detail).where(
                ContactEvent.kind == "reason",
                ContactEvent.account_id.is_not(None),
                *_in_period(ContactEvent.created_at, scope),
                *_account_filter(ContactEvent.account_id, scope),
            )
        ).all()
    )
    base = len({account_id for account_id, _ in pairs})
    counts = Counter(reason for _, reason in pairs)
    return [Share(reason, base, count) for reason, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class Held:
    rule: str
    status: str  # blocked, deferred
    contacts: int


def compliance(session: Session, scope: Scope) -> list[Held]:
    """**Compliance: blocked and deferred sends by rule.** The outreach contacts planned in the
    period (`OutreachContact.created_at`) that the compliance rules hold back now: `blocked`
    (may not go at all: no consent, an opt-out, a cap, no address, ...) or `deferred` (waiting
    for the first allowed moment: night, a Sunday, a holiday, a quiet period), by the rule that
    decided (`OutreachContact.rule`). A contact keeps only its latest state, so one deferred
    and sent later counts as sent, not here. Most frequent first."""
    counts = {
        (rule, status): n
        for rule, status, n in session.execute(
            select(OutreachContact.rule, OutreachContact.status, func.count())
            .where(
                OutreachContact.status.in_(HELD),
                *_in_period(OutreachContact.created_at, scope),
                *_contact_filters(scope),
                *_account_filter(OutreachContact.account_id, scope, outreach=False),
            )
            .group_by(OutreachContact.rule, OutreachContact.status)
        )
    }
    return [
        Held(rule or "unknown", status, n)
        for (rule, status), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0] or "", kv[0][1]))
    ]


# --- A/B tests ------------------------------------------------------------------------------


class VariantCounts(Protocol):
    """What amicable.outreach.experiments.results gives per variant."""

    experiment: str
    variant: str
    accounts: int
    replied: int
    paid: int
    reply_rate: float
    payment_rate: float
    median_days_to_pay: float | None


@dataclass(frozen=True)
class VariantFigure:
    experiment: str
    variant: str
    accounts: int
    replied: int
    paid: int
    median_days_to_pay: float | None
    reply_ci: tuple[float, float] | None
    payment_ci: tuple[float, float] | None
    # The experiment's two-sided p-value of the payment-rate difference (two variants only).
    p_value: float | None = None
    reply_rate: float | None = field(init=False)
    payment_rate: float | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reply_rate", self.replied / self.accounts if self.accounts else None)
        object.__setattr__(self, "payment_rate", self.paid / self.accounts if self.accounts else None)


def wilson(count: int, base: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (scipy's), which stays inside 0..1 and is
    honest for the small groups of a young test, where the normal approximation is not."""
    if base <= 0:
        return None
    from scipy.stats import binomtest

    interval = binomtest(count, base).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low), float(interval.high)


@contextmanager
def _only(session: Session, scope: Scope) -> Iterator[None]:
    """Every ORM query on `session` inside the block sees only the outreach contacts in scope:
    sent to an account in scope, on the chosen channel, step and variant, sent in the period.
    SQLAlchemy's own tenancy recipe (`with_loader_criteria` on `do_orm_execute`), so a query
    written elsewhere (the A/B counts) is scoped without being copied here."""
    conditions = [
        *_account_filter(OutreachContact.account_id, scope, outreach=False),
        *_contact_filters(scope),
        *_in_period(OutreachContact.sent_at, scope),
    ]
    if not conditions:
        yield
        return
    criteria = and_(*conditions)

    def restrict(state: ORMExecuteState) -> None:
        if state.is_select:
            state.statement = state.statement.options(
                with_loader_criteria(OutreachContact, criteria, include_aliases=True)
            )

    event.listen(session, "do_orm_execute", restrict)
    try:
        yield
    finally:
        event.remove(session, "do_orm_execute", restrict)


def ab_tests(
    session: Session,
    scope: Scope,
    results: Callable[[Session], Sequence[VariantCounts]],
    p_value: Callable[[Any, Any], float | None],
) -> list[VariantFigure]:
    """**A/B results with confidence intervals**, counted as `amicable campaign report` counts
    them: `results` and `p_value` are amicable.outreach.experiments.results and
    .payment_rate_p_value, passed in by the caller because the outreach layer sits above this
    one (import contracts in pyproject.toml). Per variant: the accounts whose first contact in
    the test was sent (in the period, in scope), those that replied within 7 days and paid
    within 14 days of it, the median days to pay; added here, the 95% Wilson interval of each
    rate, and the test's p-value of the payment-rate difference when it has two variants."""
    with _only(session, scope):
        found = list(results(session))
    by_test: dict[str, list[VariantCounts]] = defaultdict(list)
    for row in found:
        by_test[row.experiment].append(row)
    p_values = {name: p_value(*rows) if len(rows) == 2 else None for name, rows in by_test.items()}
    return [
        VariantFigure(
            r.experiment,
            r.variant,
            r.accounts,
            r.replied,
            r.paid,
            r.median_days_to_pay,
            wilson(r.replied, r.accounts),
            wilson(r.paid, r.accounts),
            p_values[r.experiment],
        )
        for r in found
    ]


# --- what the filters can be ----------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """The values the page's filters offer, from the data in the creditor's scope."""

    creditors: list[tuple[int, str]]
    channels: list[str]
    languages: list[str]
    countries: list[str]
    steps: list[str]
    variants: list[str]


def options(session: Session, creditor_id: int | None) -> Options:
    """The filters' choices: for a creditor's operator only their own creditor and what their
    own accounts have (another creditor's step names or A/B tests are not shown)."""
    scope = Scope(creditor_id=creditor_id)
    mine = _account_filter(Account.id, scope, outreach=False)
    contacts = _account_filter(OutreachContact.account_id, scope, outreach=False)
    creditors = select(Creditor.id, Creditor.name).order_by(Creditor.name)
    if creditor_id is not None:
        creditors = creditors.where(Creditor.id == creditor_id)

    def distinct(column: Any, *where: ColumnElement[bool]) -> list[str]:
        return sorted({v for v in session.scalars(select(column).where(*where).distinct()) if v})

    debtors = Debtor.id.in_(select(Account.debtor_id).where(*mine))
    channels = set(distinct(OutreachContact.channel, *contacts))
    channels |= set(distinct(Conversation.channel, *_account_filter(Conversation.account_id, scope, outreach=False)))
    return Options(
        creditors=[(row.id, row.name) for row in session.execute(creditors)],
        channels=sorted(channels),
        languages=distinct(Debtor.language, debtors),
        countries=distinct(Debtor.country, debtors),
        steps=distinct(OutreachContact.step, *contacts),
        variants=distinct(OutreachContact.variant, *contacts),
    )
