"""Outcomes a conversation ends in: promise to pay, dispute, the reason given, hold."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from amicable.compliance import vulnerability_needs_consent
from amicable.db.models import Account, Dispute, Promise
from amicable.policy import load_policy
from amicable.services import ServiceError
from amicable.services.accounts import balance, log_contact
from amicable.settings import Settings

# Illness, grief and being overwhelmed pause collection at once (care, not a payment script).
VULNERABLE_REASONS = {"illness", "bereavement", "overwhelmed"}


def debtor_today(account: Account) -> date:
    """Dates are judged in the debtor's time zone: "tomorrow" is their tomorrow."""
    return datetime.now(ZoneInfo(account.debtor.timezone)).date()


def record_promise(
    session: Session,
    settings: Settings,
    account: Account,
    due_on: date,
    amount: Decimal | None,
    conversation_id: str | None,
) -> Promise:
    policy = load_policy(settings.policies_dir, account.creditor.name)
    today = debtor_today(account)
    latest = today + timedelta(days=policy.promise.max_days)
    owed = balance(account)
    if owed <= 0:
        raise ServiceError("this account has nothing left to pay", 409)
    if due_on < today:
        raise ServiceError(f"the date {due_on.isoformat()} is in the past")
    if due_on > latest:
        raise ServiceError(f"the date must be on or before {latest.isoformat()}", 422)
    amount = owed if amount is None else amount
    if amount > owed:
        raise ServiceError(f"the amount {amount} is more than the balance {owed}")
    for earlier in account.promises:
        if earlier.status == "pending":
            earlier.status = "replaced"
    promise = Promise(amount=amount, due_on=due_on)
    account.promises.append(promise)
    session.flush()
    log_contact(
        session,
        account,
        "promise",
        f"{amount} {account.currency} on {due_on.isoformat()}",
        conversation_id=conversation_id,
    )
    return promise


def record_dispute(
    session: Session, account: Account, reason: str, details: str, conversation_id: str | None
) -> Dispute:
    """A dispute pauses collection (the account's status becomes `disputed`) until resolved."""
    dispute = Dispute(reason=reason, details=details)
    account.disputes.append(dispute)
    session.flush()
    if account.reason is None:
        account.reason = "dispute"
    log_contact(session, account, "dispute", f"{reason}: {details}"[:500], conversation_id=conversation_id)
    return dispute


def record_reason(
    session: Session, account: Account, reason: str, conversation_id: str | None, consent: bool | None = None
) -> None:
    """Illness and bereavement pause collection at once. The debtor is marked vulnerable only
    with their explicit consent where their country requires it (`consent` True), or where it
    does not and they did not refuse."""
    account.reason = reason
    log_contact(session, account, "reason", reason, conversation_id=conversation_id)
    if reason not in VULNERABLE_REASONS:
        return
    account.on_hold = True
    if consent is True or (consent is None and not vulnerability_needs_consent(account.debtor.country)):
        account.vulnerable = True
        note = "vulnerability recorded" + (" with the debtor's consent" if consent else "")
        log_contact(session, account, "vulnerability", note, conversation_id=conversation_id)
    elif consent is False:
        log_contact(
            session, account, "vulnerability", "not recorded: the debtor declined", conversation_id=conversation_id
        )
