"""Plans that collect themselves, and promises checked on their date.

Run regularly (`amicable collect`, or the scheduler process). Each run looks at every active
plan and pending promise, judged on the debtor's own calendar day, and moves each one step:

- a few days before an installment is due, a payment link for it is created and a reminder
  is recorded for outreach to send;
- an installment is paid once the money received since the plan began covers the schedule up
  to it, whichever way the money came (link, transfer, card on the phone);
- unpaid after its due date it is late, after the policy's grace days missed, and enough
  misses break the plan;
- a promise is kept when the promised amount has come in, and broken (with a kind follow-up
  due) when its date has passed without it.

Every step is a transition recorded in the contact log, so a second run on the same day
changes nothing and sends nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Installment, Plan, Promise
from amicable.policy import load_policy
from amicable.services import notices, payment_events
from amicable.services.accounts import balance, log_contact, received_since
from amicable.services.payments import create_payment_link
from amicable.settings import Settings

ZERO = Decimal("0.00")


@dataclass
class CollectionReport:
    reminders: list[str] = field(default_factory=list)
    charges: int = 0
    installments_paid: int = 0
    installments_late: int = 0
    installments_missed: int = 0
    plans_completed: int = 0
    plans_broken: int = 0
    promises_kept: int = 0
    promises_broken: int = 0


def local_day(account: Account, now: datetime) -> date:
    return now.astimezone(ZoneInfo(account.debtor.timezone)).date()


def run(session: Session, settings: Settings, now: datetime | None = None) -> CollectionReport:
    now = now or datetime.now(UTC)
    report = CollectionReport()
    for plan in session.scalars(select(Plan).where(Plan.status == "active").order_by(Plan.created_at)):
        _advance_plan(session, settings, plan, now, report)
    for promise in session.scalars(select(Promise).where(Promise.status == "pending").order_by(Promise.id)):
        _check_promise(session, promise, now, report)
    session.flush()
    return report


def _advance_plan(session: Session, settings: Settings, plan: Plan, now: datetime, report: CollectionReport) -> None:
    account = plan.account
    policy = load_policy(settings.policies_dir, account.creditor.name).plan
    today = local_day(account, now)
    paid = received_since(account, plan.created_at)
    owed_now = balance(account)
    scheduled = ZERO
    for installment in plan.installments:
        scheduled += installment.amount
        if installment.status == "paid":
            continue
        if paid >= scheduled or owed_now <= 0:
            installment.status = "paid"
            report.installments_paid += 1
            log_contact(
                session, account, "installment_paid", f"installment {installment.seq} of plan {plan.id}", "plan"
            )
            continue
        failed = (installment.charge_id or "").startswith("failed:")
        if installment.charge_id and not failed:
            continue  # charged; a bank debit takes days, and its event books it
        # A run that missed the due date (downtime) still charges, within the grace days.
        if (
            plan.autopay_payment_method
            and not failed
            and today <= installment.due_on + timedelta(days=policy.grace_days)
        ):
            _autopay_step(
                session,
                settings,
                plan,
                installment,
                min(scheduled - paid, installment.amount, owed_now),
                today,
                policy.remind_days_before,
                report,
            )
        elif today > installment.due_on + timedelta(days=policy.grace_days):
            if installment.status != "missed":
                installment.status = "missed"
                report.installments_missed += 1
                log_contact(
                    session, account, "installment_missed", f"installment {installment.seq} of plan {plan.id}", "plan"
                )
        elif today > installment.due_on:
            if installment.status != "late":
                installment.status = "late"
                report.installments_late += 1
                log_contact(
                    session, account, "installment_late", f"installment {installment.seq} of plan {plan.id}", "plan"
                )
        elif (
            today >= installment.due_on - timedelta(days=policy.remind_days_before)
            and not installment.payment_link_id
            and _may_remind(session, settings, account, installment, now)
        ):
            # No saved method, or its charge failed: a link with the reminder.
            due = min(scheduled - paid, installment.amount, owed_now)
            link = create_payment_link(session, settings, account, due, purpose="installment")
            installment.payment_link_id = link.id
            report.reminders.append(account.reference)
            text = notices.render("installment_reminder", account, installment.seq, due, installment.due_on, link.url)
            notices.send("installment_reminder", account, text)
            log_contact(
                session,
                account,
                "installment_reminder",
                f"installment {installment.seq} of {due} {account.currency} due {installment.due_on.isoformat()}; "
                f"link {link.id}; told: {text}",
                "plan",
            )
    if all(i.status == "paid" for i in plan.installments):
        plan.status = "completed"
        report.plans_completed += 1
        log_contact(session, account, "plan_completed", plan.id, "plan")
    elif sum(i.status == "missed" for i in plan.installments) >= policy.misses_to_break:
        plan.status = "broken"
        report.plans_broken += 1
        log_contact(
            session,
            account,
            "plan_broken",
            f"{plan.id}: {policy.misses_to_break} installments missed; a person should reach out before anything else",
            "plan",
        )


def _may_remind(
    session: Session, settings: Settings, account: Account, installment: Installment, now: datetime
) -> bool:
    """A reminder passes the same compliance rules as any outreach; held back (Sunday, night,
    a hold), it goes at the first run when it may, and the reason is logged once."""
    from amicable.outreach.permission import may_contact

    channel, decision = may_contact(session, settings, account.id, now)
    if channel is not None:
        return True
    marker = f"installment {installment.seq} of plan {installment.plan_id} held: {decision.rule}"
    if not any(c.kind == "send_held" and c.detail.startswith(marker) for c in account.contacts):
        log_contact(session, account, "send_held", f"{marker}: {decision.reason}", "plan")
    return False


def _autopay_step(
    session: Session,
    settings: Settings,
    plan: Plan,
    installment: Installment,
    due: Decimal,
    today: date,
    remind_days: int,
    report: CollectionReport,
) -> None:
    """Notice before the due date (a SEPA debit must be announced), the charge on it."""
    account = plan.account
    marker = f"installment {installment.seq} of plan {plan.id}:"
    noticed = any(c.kind == "installment_notice" and c.detail.startswith(marker) for c in account.contacts)
    if today >= installment.due_on - timedelta(days=remind_days) and not noticed:
        report.reminders.append(account.reference)
        text = notices.render("installment_notice", account, installment.seq, due, installment.due_on)
        notices.send("installment_notice", account, text)
        log_contact(
            session,
            account,
            "installment_notice",
            f"{marker} {due} {account.currency} will be collected by {plan.autopay_method} on "
            f"{installment.due_on.isoformat()}; told: {text}",
            "plan",
        )
    if today >= installment.due_on:
        report.charges += 1
        payment_events.charge_installment(session, settings, plan, installment, due)


def _check_promise(session: Session, promise: Promise, now: datetime, report: CollectionReport) -> None:
    account = promise.account
    if received_since(account, promise.created_at) >= promise.amount or balance(account) <= 0:
        promise.status = "kept"
        report.promises_kept += 1
        log_contact(
            session, account, "promise_kept", f"{promise.amount} {account.currency} by {promise.due_on}", "plan"
        )
    elif local_day(account, now) > promise.due_on:
        promise.status = "broken"
        report.promises_broken += 1
        # Outreach sends the kind follow-up (a new date, a plan, or a person); nothing harsher.
        log_contact(
            session,
            account,
            "promise_follow_up",
            f"{promise.amount} {account.currency} promised for {promise.due_on} has not arrived: follow up kindly",
            "plan",
        )
