"""Late-payment risk: the chance that a customer's next invoice is paid late.

Outreach uses it to choose who gets a friendly nudge before the due date and in which tone.
The model is trained per creditor (or on every creditor's history together, "all") from the
`payment_history` table and measured on the most recent due dates it never saw, against the
rule collectors already use by instinct: whoever paid late last time will pay late again.

Features describe one invoice using only the same customer's invoices due before it, so a
figure measured here is one the model can reach on invoices that are not due yet. They are
computed with numpy over the whole history at once (cumulative sums per customer) rather than
customer by customer, so scoring a hundred thousand accounts is a matter of seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import joblib
import numpy as np
from sqlalchemy import Float, Integer, Select, case, cast, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session

from amicable.db.models import Creditor, PaymentHistory
from amicable.outreach.history import CHANNELS
from amicable.settings import Settings
from amicable.yaml_source import slug

# Days late are capped: beyond three months the exact figure says nothing more, and an
# invoice never paid counts as the cap.
MAX_DAYS_LATE = 90
MIN_ROWS = 200
# How many of a customer's most recent earlier invoices are checked for being still unpaid
# on an invoice's due date (see `features`).
AS_OF_LOOKBACK = 3
TEST_SHARE = 0.2
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

# Weekday stays a number 0-6: a tree separates Saturday and Sunday with one split. Month is
# a point on a circle (sine, cosine): as a number, December (12) and January (1) would be
# as far apart as they could be, though they are where the holiday squeeze falls together.
FEATURES = (
    "earlier_invoices",
    "late_share",
    "late_share_last3",
    "mean_days_late",
    "last_days_late",
    "last_late",
    "mean_reminders",
    "answer_share",
    "best_channel_answer_share",
    "log_amount",
    "amount_ratio",
    "due_weekday",
    "due_month_sin",
    "due_month_cos",
    "due_day_of_month",
    "tenure_days",
    "terms_days",
)
LAST_LATE = FEATURES.index("last_late")


class NoHistoryError(ValueError):
    """There is no payment history to learn from at all (as opposed to too little)."""


class Upcoming(NamedTuple):
    """An invoice not yet due, as `late_risk` scores it. A plain (amount, issued_on, due_on)
    tuple works too."""

    amount: Decimal
    issued_on: date
    due_on: date


@dataclass(frozen=True)
class History:
    """Payment history as columns, one entry per invoice. Dates are days since 1970-01-01;
    `paid` is -1 for an invoice never paid; `channel` indexes CHANNELS, -1 for no answer.
    `group` numbers the customers (creditor and account reference together)."""

    group: np.ndarray
    references: list[str]  # by group number
    due: np.ndarray
    issued: np.ndarray
    paid: np.ndarray
    amount: np.ndarray
    reminders: np.ndarray
    channel: np.ndarray

    def __len__(self) -> int:
        return len(self.due)

    @property
    def late(self) -> np.ndarray:
        return (self.paid < 0) | (self.paid > self.due)


@dataclass(frozen=True)
class RiskEstimate:
    """Probabilities by account reference and where they came from: `source` is "model"
    when a trained model gave them, "baseline" when none is trained and the last-payment
    rule stood in, "prior" when there is not even a history. Callers log `detail`."""

    probabilities: dict[str, float]
    source: str
    detail: str
    model_path: Path | None = None


def _days(value: date) -> int:
    return value.toordinal() - EPOCH_ORDINAL


def _group_numbers(rows: Sequence[Sequence[Any]]) -> tuple[np.ndarray, list[str]]:
    """Number the customers in order of first appearance. A customer is the pair of the
    rows' first two items (creditor and account reference): the same reference at two
    creditors is two customers."""
    numbers: dict[tuple[Any, str], int] = {}
    group = np.fromiter(
        (numbers.setdefault((row[0], row[1]), len(numbers)) for row in rows), dtype=np.int64, count=len(rows)
    )
    return group, [reference for _, reference in numbers]


def history_from_rows(rows: Sequence[Sequence[Any]]) -> History:
    """Columns from (customer key, account reference, amount, issued_on, due_on, paid_on,
    reminders, response_channel) rows as Python values, in any order."""
    channel_index = {name: i for i, name in enumerate(CHANNELS)}
    never = date(1969, 12, 31)  # becomes -1
    group, references = _group_numbers(rows)
    return History(
        group=group,
        references=references,
        amount=np.fromiter((float(r[2]) for r in rows), dtype=np.float64, count=len(rows)),
        issued=np.fromiter((_days(r[3]) for r in rows), dtype=np.int64, count=len(rows)),
        due=np.fromiter((_days(r[4]) for r in rows), dtype=np.int64, count=len(rows)),
        paid=np.fromiter((_days(r[5] or never) for r in rows), dtype=np.int64, count=len(rows)),
        reminders=np.fromiter((r[6] or 0 for r in rows), dtype=np.int64, count=len(rows)),
        channel=np.fromiter((channel_index.get(r[7], -1) for r in rows), dtype=np.int64, count=len(rows)),
    )


def _epoch_days(column: Any, dialect: str) -> Any:
    """A date column as days since 1970-01-01, computed by the database: turning millions
    of date strings into Python dates is what made loading slow."""
    if dialect == "sqlite":
        days = cast(func.round(func.julianday(column) - 2440587.5), Integer)
    else:  # PostgreSQL: date minus date is a number of days
        days = type_coerce(column - literal_column("DATE '1970-01-01'"), Integer)
    return func.coalesce(days, -1)


def _history_query(creditor: str | None, dialect: str) -> Select[Any]:
    if dialect in ("sqlite", "postgresql"):
        columns = [
            cast(PaymentHistory.amount, Float),
            _epoch_days(PaymentHistory.issued_on, dialect),
            _epoch_days(PaymentHistory.due_on, dialect),
            _epoch_days(PaymentHistory.paid_on, dialect),
            func.coalesce(PaymentHistory.reminders, 0),
            case({name: i for i, name in enumerate(CHANNELS)}, value=PaymentHistory.response_channel, else_=-1),
        ]
    else:
        columns = [
            PaymentHistory.amount,
            PaymentHistory.issued_on,
            PaymentHistory.due_on,
            PaymentHistory.paid_on,
            PaymentHistory.reminders,
            PaymentHistory.response_channel,
        ]
    query = select(PaymentHistory.creditor_id, PaymentHistory.account_reference, *columns)
    if creditor is not None:
        query = query.join(Creditor, Creditor.id == PaymentHistory.creditor_id).where(Creditor.name == creditor)
    return query


def load_history(session: Session, creditor: str | None = None, references: Sequence[str] | None = None) -> History:
    """One creditor's history (every creditor's with None), or only some of its accounts.

    On SQLite and PostgreSQL the database hands over plain numbers (days, floats, channel
    codes) and rows are read straight from the driver's cursor: building a Row and a Python
    date per value was most of the time it took to score a hundred thousand accounts."""
    connection = session.connection()
    dialect = connection.dialect.name
    query = _history_query(creditor, dialect)
    queries = [query]
    if references is not None:
        unique = list(dict.fromkeys(references))
        queries = [
            query.where(PaymentHistory.account_reference.in_(unique[start : start + 5_000]))
            for start in range(0, len(unique), 5_000)
        ]
    rows: list[Sequence[Any]] = []
    for each in queries:
        result = connection.execute(each)
        try:
            rows.extend(result.cursor.fetchall() if dialect in ("sqlite", "postgresql") else result.all())
        finally:
            result.close()
    if dialect not in ("sqlite", "postgresql"):
        return history_from_rows(rows)
    group, names = _group_numbers(rows)

    def column(k: int, dtype: type) -> np.ndarray:
        return np.fromiter(map(itemgetter(k), rows), dtype=dtype, count=len(rows))

    return History(
        group=group,
        references=names,
        amount=column(2, np.float64),
        issued=column(3, np.int64),
        due=column(4, np.int64),
        paid=column(5, np.int64),
        reminders=column(6, np.int64),
        channel=column(7, np.int64),
    )


def features(history: History, rows: np.ndarray | None = None) -> np.ndarray:
    """The FEATURES of every invoice (or of the invoices at `rows`), in the history's order,
    each from the same customer's invoices due strictly before it (invoices due the same day
    do not see each other).

    They describe what was known on the invoice's due date, not what the table says today:
    an earlier invoice still unpaid then counts as late (that was known) with the days late
    so far, and its reminders and answers, which may have come after, are left out. Only the
    AS_OF_LOOKBACK most recent earlier invoices are checked for this, which covers monthly
    and weekly bills. Undefined figures, such as the late share of a customer with no
    earlier invoice, are NaN: the gradient-boosted trees treat missing as a value of its own.

    Running sums are taken once over the whole history, sorted by customer and due date;
    everything else is computed only for the rows asked for, so scoring the next invoice of
    many accounts costs little more than sorting their history."""
    n = len(history)
    order = np.lexsort((history.issued, history.due, history.group))
    group, due, issued = history.group[order], history.due[order], history.issued[order]
    paid, amount = history.paid[order], history.amount[order]
    reminders, channel = history.reminders[order].astype(np.float64), history.channel[order]
    late = ((paid < 0) | (paid > due)).astype(np.float64)
    days_late = np.where(paid < 0, MAX_DAYS_LATE, np.clip(paid - due, 0, MAX_DAYS_LATE)).astype(np.float64)
    answered = (channel >= 0).astype(np.float64)
    reminded = ((reminders > 0) | (channel >= 0)).astype(np.float64)
    on_channel = [(channel == c).astype(np.float64) for c in range(len(CHANNELS))]

    index = np.arange(n)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = group[1:] != group[:-1]
    new_block = new_group.copy()
    new_block[1:] |= due[1:] != due[:-1]
    position = np.empty(n, dtype=np.int64)
    position[order] = index
    at = position if rows is None else position[np.asarray(rows, dtype=np.int64)]
    group_start = np.maximum.accumulate(np.where(new_group, index, 0))[at]
    block_start = np.maximum.accumulate(np.where(new_block, index, 0))[at]
    recent_start = np.maximum(group_start, block_start - 3)
    due_at = due[at]

    def before(values: np.ndarray, start: np.ndarray = group_start) -> np.ndarray:
        """Sum of `values` over the customer's rows from `start` up to the first invoice due
        on this one's due date."""
        totals = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
        return totals[block_start] - totals[start]

    def ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), np.nan)

    count = (block_start - group_start).astype(np.float64)
    has = count > 0
    settled = count.copy()
    days_sum, reminders_sum = before(days_late), before(reminders)
    answered_sum, reminded_sum = before(answered), before(reminded)
    channel_sums = [before(values) for values in on_channel]
    for back in range(1, AS_OF_LOOKBACK + 1):
        earlier = block_start - back
        valid = earlier >= group_start
        j = np.where(valid, earlier, 0)
        days_sum -= np.where(valid, days_late[j] - np.minimum(days_late[j], due_at - due[j]), 0.0)
        still_open = valid & ((paid[j] < 0) | (paid[j] > due_at))
        settled -= still_open
        reminders_sum -= np.where(still_open, reminders[j], 0.0)
        answered_sum -= np.where(still_open, answered[j], 0.0)
        reminded_sum -= np.where(still_open, reminded[j], 0.0)
        for sums, values in zip(channel_sums, on_channel, strict=True):
            sums -= np.where(still_open, values[j], 0.0)
    last = np.where(has, block_start - 1, 0)
    first_of_month = due_at.astype("datetime64[D]").astype("datetime64[M]")
    month = first_of_month.astype(np.int64) % 12 + 1
    day_of_month = due_at - first_of_month.astype("datetime64[D]").astype(np.int64) + 1
    amount_at, issued_at = amount[at], issued[at]
    columns = [
        count,
        ratio(before(late), count),
        ratio(before(late, recent_start), (block_start - recent_start).astype(np.float64)),
        ratio(days_sum, count),
        np.where(has, np.minimum(days_late[last], due_at - due[last]), np.nan),
        np.where(has, late[last], np.nan),
        ratio(reminders_sum, settled),
        ratio(answered_sum, reminded_sum),
        ratio(np.max(channel_sums, axis=0), reminded_sum),
        np.log(np.maximum(amount_at, 0.01)),
        ratio(amount_at * count, before(amount)),
        ((due_at + 3) % 7).astype(np.float64),  # 1970-01-01 was a Thursday (3)
        np.sin(2 * np.pi * (month - 1) / 12),
        np.cos(2 * np.pi * (month - 1) / 12),
        day_of_month.astype(np.float64),
        np.where(has, np.maximum(issued_at - issued[group_start], 0), 0).astype(np.float64),
        (due_at - issued_at).astype(np.float64),
    ]
    return np.column_stack(columns) if len(at) else np.empty((0, len(FEATURES)))


@dataclass(frozen=True)
class BaselineRates:
    """The last-payment rule as probabilities: late after a late invoice, late after one
    paid on time, and the base rate for a customer with no earlier invoice."""

    after_late: float
    after_on_time: float
    base_rate: float

    def apply(self, last_late: np.ndarray) -> np.ndarray:
        return np.where(
            np.isnan(last_late), self.base_rate, np.where(last_late > 0, self.after_late, self.after_on_time)
        )


def baseline_rates(matrix: np.ndarray, late: np.ndarray) -> BaselineRates:
    last_late = matrix[:, LAST_LATE]
    base = float(late.mean()) if len(late) else 0.5

    def share(mask: np.ndarray) -> float:
        return float(late[mask].mean()) if mask.any() else base

    return BaselineRates(after_late=share(last_late == 1), after_on_time=share(last_late == 0), base_rate=base)


def model_path(settings: Settings, creditor: str | None) -> Path:
    return Path(settings.risk_models_dir) / f"risk-{slug(creditor) if creditor else 'all'}.joblib"


@lru_cache(maxsize=8)
def _load_bundle(path: str, mtime_ns: int) -> dict[str, Any]:
    """A trained model, read once per process and per version of the file (the mtime is in
    the key so a retrained model is picked up without a restart)."""
    return joblib.load(path)


def load_model(path: Path) -> dict[str, Any]:
    return _load_bundle(str(path), path.stat().st_mtime_ns)


def late_risk(
    session: Session, settings: Settings, creditor: str, upcoming: Mapping[str, tuple[Decimal, date, date]]
) -> RiskEstimate:
    """The chance that each account's upcoming invoice, (amount, issued_on, due_on) keyed by
    account reference, is paid late. The references are the mapping's keys, so a reference
    can never lack its invoice. Uses the creditor's own model, else the "all" model; an
    account with no history is scored as a customer with no earlier invoice. With no model at
    all the last-payment rule answers, and `source` says so."""
    references = list(upcoming)
    if not references:
        return RiskEstimate({}, "model", "nothing to score")
    path = next((p for p in (model_path(settings, creditor), model_path(settings, None)) if p.exists()), None)
    history = load_history(session, creditor, references)
    known = {reference: number for number, reference in enumerate(history.references)}
    extra = len(history.references)
    group, references_all = [], list(history.references)
    for reference in references:
        if reference not in known:
            known[reference] = extra
            references_all.append(reference)
            extra += 1
        group.append(known[reference])
    invoices = [upcoming[r] for r in references]
    combined = History(
        group=np.concatenate((history.group, np.array(group, dtype=np.int64))),
        references=references_all,
        due=np.concatenate((history.due, [_days(i[2]) for i in invoices])).astype(np.int64),
        issued=np.concatenate((history.issued, [_days(i[1]) for i in invoices])).astype(np.int64),
        paid=np.concatenate((history.paid, np.full(len(invoices), -1))).astype(np.int64),
        amount=np.concatenate((history.amount, [float(i[0]) for i in invoices])),
        reminders=np.concatenate((history.reminders, np.zeros(len(invoices), dtype=np.int64))),
        channel=np.concatenate((history.channel, np.full(len(invoices), -1))).astype(np.int64),
    )
    matrix = features(combined, np.arange(len(history), len(combined)))

    if path is not None:
        bundle = load_model(path)
        probabilities = bundle["model"].predict_proba(matrix)[:, 1]
        detail = f"model {path.name} trained {bundle['meta']['trained_at']}"
        source = "model"
    else:
        whole = load_history(session, creditor)
        if len(whole) == 0:
            whole = load_history(session, None)
        if len(whole) == 0:
            return RiskEstimate(
                dict.fromkeys(references, 0.5), "prior", "no model and no payment history: every account scored 0.5"
            )
        rates = baseline_rates(features(whole), whole.late)
        probabilities = rates.apply(matrix[:, LAST_LATE])
        source = "baseline"
        detail = (
            "no trained model: last-payment rule (late after late "
            f"{rates.after_late:.1%}, after on time {rates.after_on_time:.1%}, no history {rates.base_rate:.1%})"
        )
    clipped = np.clip(probabilities, 1e-4, 1 - 1e-4)  # isotonic steps can reach 0 or 1 exactly
    return RiskEstimate(
        {r: float(p) for r, p in zip(references, clipped, strict=True)},
        source,
        detail,
        path if source == "model" else None,
    )
