"""A campaign run: plan every account for an instant, store the plan, send what is due.

Stored contacts carry a unique (account, cycle, step) key, so planning again after a crash
finds what was already decided, and `dispatch.claim` makes each send happen once. Dispatch
runs in this process on the embedded default, or on Celery workers when REDIS_URL is set.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from amicable.compliance.rules import rulebook
from amicable.db.models import Handoff, OutreachContact
from amicable.db.session import transaction
from amicable.outreach import dispatch
from amicable.outreach.planner import Planned, plan
from amicable.outreach.snapshot import AccountState, load_states
from amicable.outreach.strategy import load_strategy
from amicable.settings import Settings

log = structlog.get_logger()
STORED = {"send": "queued", "defer": "deferred", "blocked": "blocked"}


@dataclass
class RunReport:
    planned: list[Planned]
    notes: list[str] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    queued_on_workers: int = 0
    seconds_planning: float = 0.0

    def counts(self) -> dict[str, int]:
        return dict(Counter(p.action for p in self.planned))


def risks(session: Session, settings: Settings, states: list[AccountState], notes: list[str]) -> dict[int, float]:
    """The chance each account's oldest open invoice is paid late, per creditor's model."""
    from amicable.outreach import risk

    found: dict[int, float] = {}
    by_creditor: dict[str, list[AccountState]] = {}
    for state in states:
        if state.open_invoices:
            by_creditor.setdefault(state.creditor, []).append(state)
    for creditor, group in by_creditor.items():
        upcoming = {}
        for state in group:
            oldest = min(state.open_invoices, key=lambda i: i.due_on)
            upcoming[state.reference] = risk.Upcoming(oldest.amount_due, oldest.issued_on, oldest.due_on)
        estimate = risk.late_risk(session, settings, creditor, upcoming)
        if estimate.source != "model":
            notes.append(f"{creditor}: no trained late-payment model; {estimate.source} used (amicable model train)")
        index = {state.reference: state.id for state in group}
        found.update({index[ref]: p for ref, p in estimate.probabilities.items() if ref in index})
    return found


def make_plan(session: Session, settings: Settings, now: datetime, creditor: str | None = None) -> RunReport:
    import time

    started = time.perf_counter()
    notes: list[str] = []
    states = load_states(session, now, creditor)
    book = rulebook(settings.policies_dir)
    planned = plan(
        states,
        lambda name: load_strategy(settings.policies_dir, name),
        book,
        now,
        risks(session, settings, states, notes),
        notes,
    )
    return RunReport(planned, notes, seconds_planning=time.perf_counter() - started)


def store(session: Session, planned: list[Planned], now: datetime | None = None) -> list[int]:
    """Write the plan; return the ids of contacts to send now. A step already stored keeps
    its row: only a deferred one is decided again, and cancelled when its account no longer
    needs it (paid, promised, disputed, moved on)."""
    now = now or datetime.now(UTC)
    deferred = {
        (c.account_id, c.cycle, c.step): c
        for c in session.scalars(select(OutreachContact).where(OutreachContact.status == "deferred"))
    }
    by_account = {item.account_id: item for item in planned}
    for key, row in deferred.items():
        item = by_account.get(row.account_id)
        if item is not None and (item.action not in STORED or (item.cycle, item.step) != key[1:]):
            row.status, row.rule, row.reason = "cancelled", item.rule or "plan_changed", item.reason or "no longer due"
    for item in planned:
        if item.action not in STORED or item.step is None:
            continue
        row = deferred.get((item.account_id, item.cycle, item.step))
        if row is None:
            row = OutreachContact(account_id=item.account_id, cycle=item.cycle, step=item.step)
            session.add(row)
        row.status = STORED[item.action]
        row.channel, row.template, row.tone, row.variant = (
            item.channel,
            item.template or "",
            item.tone or "",
            item.variant,
        )
        row.send_at = item.send_at or now
        row.rule, row.reason = item.rule, item.reason
        if item.action == "blocked" and item.handover:
            # Nobody could be reached where the strategy hands over to a person: a person
            # looks at the file all the same.
            session.add(
                Handoff(
                    account_id=item.account_id,
                    reason="strategy",
                    summary=f"The outreach strategy reached '{item.step}' but no message could go ({item.reason}).",
                )
            )
    session.flush()
    return list(
        session.scalars(
            select(OutreachContact.id).where(OutreachContact.status == "queued").order_by(OutreachContact.send_at)
        )
    )


def run(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    creditor: str | None = None,
    sending_at: datetime | None = None,
) -> RunReport:
    """Plan as of `now`, store the plan, and send what is due. Each send checks the rules again
    at `sending_at` (default `now`): a run planned for another instant than the present still
    sends only what the rules allow at the present, and records when it really went."""
    sending_at = sending_at or now
    with transaction(factory) as session:
        report = make_plan(session, settings, now, creditor)
        to_send = store(session, report.planned, now)
    if settings.redis_url:
        from amicable.outreach.tasks import enqueue

        enqueue(settings, to_send, sending_at)
        report.queued_on_workers = len(to_send)
        return report
    for contact_id in to_send:
        outcome = dispatch.send_contact(factory, settings, contact_id, sending_at)
        report.sent += outcome == "sent"
        report.failed += outcome == "failed"
    return report
