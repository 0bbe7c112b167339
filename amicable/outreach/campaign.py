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
from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from amicable.compliance.rules import rulebook
from amicable.db.models import Handoff, OutreachContact
from amicable.db.session import transaction
from amicable.outreach import dispatch
from amicable.outreach.planner import Planned, plan
from amicable.outreach.snapshot import AccountState, iter_states
from amicable.outreach.strategy import load_strategy
from amicable.settings import Settings

log = structlog.get_logger()
STORED = {"send": "queued", "defer": "deferred", "blocked": "blocked"}
WRITE_CHUNK = 5_000


@dataclass
class RunReport:
    planned: list[Planned]
    notes: list[str] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    queued_on_workers: int = 0
    interrupted: int = 0  # contacts a stopped sender had left claimed, now shown as failed
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
    """Decide every account (of one creditor, if given) for `now`. The accounts are read,
    scored and decided a chunk at a time (`snapshot.iter_states`): only the decisions stay
    in memory, so a run's footprint follows the number of accounts only through them."""
    import time

    started = time.perf_counter()
    notes: list[str] = []
    book = rulebook(settings.policies_dir)
    planned: list[Planned] = []
    for states in iter_states(session, now, creditor):
        planned += plan(
            states,
            lambda name: load_strategy(settings.policies_dir, name),
            book,
            now,
            risks(session, settings, states, notes),
            notes,
        )
    # A creditor without a model is noted once per chunk: once is enough.
    return RunReport(planned, list(dict.fromkeys(notes)), seconds_planning=time.perf_counter() - started)


# Rows written by one run after which PostgreSQL's statistics of the table are refreshed.
ANALYZE_AFTER = 5_000


def store(session: Session, planned: list[Planned], now: datetime | None = None) -> list[int]:
    """Write the plan; return the ids of contacts to send now. A step already stored keeps
    its row: only a deferred one is decided again, and cancelled when its account no longer
    needs it (paid, promised, disputed, moved on). Rows are written with bulk statements, a
    few thousand at a time: a run over a million accounts stores as many decisions."""
    now = now or datetime.now(UTC)
    contact = OutreachContact
    deferred = {
        (account_id, cycle, step): row_id
        for row_id, account_id, cycle, step in session.execute(
            select(contact.id, contact.account_id, contact.cycle, contact.step).where(contact.status == "deferred")
        )
    }
    by_account = {item.account_id: item for item in planned}
    changes: dict[int, dict[str, object]] = {}
    for (account_id, cycle, step), row_id in deferred.items():
        item = by_account.get(account_id)
        if item is not None and (item.action not in STORED or (item.cycle, item.step) != (cycle, step)):
            changes[row_id] = {
                "id": row_id,
                "status": "cancelled",
                "rule": item.rule or "plan_changed",
                "reason": item.reason or "no longer due",
            }
    added: list[dict[str, object]] = []
    for item in planned:
        if item.action not in STORED or item.step is None:
            continue
        values = {
            "status": STORED[item.action],
            "channel": item.channel,
            "template": item.template or "",
            "tone": item.tone or "",
            "variant": item.variant,
            "send_at": item.send_at or now,
            "rule": item.rule,
            "reason": item.reason,
        }
        row_id = deferred.get((item.account_id, item.cycle, item.step))
        if row_id is None:
            added.append({"account_id": item.account_id, "cycle": item.cycle, "step": item.step, **values})
        else:
            changes[row_id] = {"id": row_id, **values}
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
    updates = list(changes.values())
    for start in range(0, len(updates), WRITE_CHUNK):
        session.execute(update(contact), updates[start : start + WRITE_CHUNK])
    for start in range(0, len(added), WRITE_CHUNK):
        session.execute(insert(contact), added[start : start + WRITE_CHUNK])
    session.flush()
    if len(added) >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # The workers read these rows at once, by file: with statistics from before the run
        # the planner would scan the whole table for each batch until autovacuum caught up.
        session.execute(text("ANALYZE outreach_contacts"))
    return list(session.scalars(select(contact.id).where(contact.status == "queued").order_by(contact.send_at)))


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
    left = dispatch.interrupted(factory, datetime.now(UTC))
    with transaction(factory) as session:
        report = make_plan(session, settings, now, creditor)
        to_send = store(session, report.planned, now)
    report.interrupted = left
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
