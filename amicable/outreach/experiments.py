"""A/B test results per variant, counted from what happened: the contacts sent, the debtor's
messages after them, and the money that came in. Nothing is modelled or estimated."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Conversation, Message, OutreachContact, Payment

# How long after a message a reply or a payment still counts as its effect.
REPLY_WINDOW = timedelta(days=7)
PAY_WINDOW = timedelta(days=14)


@dataclass
class VariantResult:
    experiment: str
    variant: str
    accounts: int
    replied: int
    paid: int
    reply_rate: float
    payment_rate: float
    median_days_to_pay: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def results(session: Session, experiment: str | None = None) -> list[VariantResult]:
    query = select(OutreachContact.account_id, OutreachContact.variant, OutreachContact.sent_at).where(
        OutreachContact.status == "sent", OutreachContact.variant.is_not(None)
    )
    if experiment:
        query = query.where(OutreachContact.variant.like(f"{experiment}:%"))
    # An account's first contact in the experiment starts its clock.
    first: dict[tuple[str, int], tuple[str, object]] = {}
    for account_id, variant, sent_at in session.execute(query.order_by(OutreachContact.sent_at)):
        name, chosen = variant.split(":", 1)
        first.setdefault((name, account_id), (chosen, sent_at))
    # The accounts in any test, as a subquery: a literal list of 100,000 ids would exceed what
    # a database accepts in one statement.
    accounts = select(OutreachContact.account_id).where(
        OutreachContact.status == "sent", OutreachContact.variant.is_not(None)
    )
    replies: dict[int, list] = defaultdict(list)
    for account_id, at in session.execute(
        select(Conversation.account_id, Message.created_at)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.author == "debtor", Conversation.account_id.in_(accounts))
    ):
        replies[account_id].append(at)
    payments: dict[int, list] = defaultdict(list)
    for account_id, at in session.execute(
        select(Payment.account_id, Payment.received_at).where(
            Payment.kind == "payment", Payment.account_id.in_(accounts)
        )
    ):
        payments[account_id].append(at)

    tally: dict[tuple[str, str], dict] = defaultdict(lambda: {"accounts": 0, "replied": 0, "paid": 0, "days": []})
    for (name, account_id), (chosen, sent_at) in first.items():
        row = tally[(name, chosen)]
        row["accounts"] += 1
        if any(sent_at <= at <= sent_at + REPLY_WINDOW for at in replies[account_id]):
            row["replied"] += 1
        paid = sorted(at for at in payments[account_id] if sent_at <= at <= sent_at + PAY_WINDOW)
        if paid:
            row["paid"] += 1
            row["days"].append((paid[0] - sent_at).total_seconds() / 86400)
    return [
        VariantResult(
            experiment=name,
            variant=chosen,
            accounts=row["accounts"],
            replied=row["replied"],
            paid=row["paid"],
            reply_rate=row["replied"] / row["accounts"],
            payment_rate=row["paid"] / row["accounts"],
            median_days_to_pay=round(median(row["days"]), 2) if row["days"] else None,
        )
        for (name, chosen), row in sorted(tally.items())
    ]


def payment_rate_p_value(a: VariantResult, b: VariantResult) -> float | None:
    """Two-sided p-value of the difference in payment rates (a two-proportion z-test): how
    surprising the gap would be if the variants made no difference."""
    pooled_n = a.accounts + b.accounts
    if not a.accounts or not b.accounts:
        return None
    pooled = (a.paid + b.paid) / pooled_n
    spread = math.sqrt(pooled * (1 - pooled) * (1 / a.accounts + 1 / b.accounts))
    if spread == 0:
        return None
    z = (a.payment_rate - b.payment_rate) / spread
    return math.erfc(abs(z) / math.sqrt(2))
