"""What the bot may tell a debtor about their file once their identity is confirmed: the
balance, the open invoices, the plan running, how to pay by transfer, and the limits of
what it may offer (the latest promise date). The route checks the identity; this says what
is disclosed, in one place."""

from __future__ import annotations

from datetime import timedelta

from amicable.compliance import vulnerability_needs_consent
from amicable.db.models import Account
from amicable.money import fmt
from amicable.policy import load_policy
from amicable.services import accounts, outcomes, plans, references
from amicable.settings import Settings


def account_summary(settings: Settings, account: Account) -> dict:
    today = outcomes.debtor_today(account)
    state = accounts.account_state(account, today)
    policy = load_policy(settings.policies_dir, account.creditor.name)
    return {
        "reference": account.reference,
        "creditor": account.creditor.name,
        "name": account.debtor.name,
        "language": account.debtor.language,
        "country": account.debtor.country,
        "currency": account.currency,
        "balance": fmt(state["balance"]),
        "status": state["status"],
        "today": today.isoformat(),
        "timezone": account.debtor.timezone,
        "latest_promise_date": (today + timedelta(days=policy.promise.max_days)).isoformat(),
        "reason": account.reason,
        "vulnerability_consent_required": vulnerability_needs_consent(account.debtor.country),
        # Where a transfer can go, with the reference that matches it to this file.
        "bank_transfer": {
            "iban": references.display_iban(policy.bank_transfer.iban),
            "bic": policy.bank_transfer.bic,
            "beneficiary": policy.bank_transfer.beneficiary or account.creditor.name,
            "reference": account.payment_reference and references.display(account.payment_reference),
        }
        if policy.bank_transfer.offered and account.payment_reference
        else None,
        "invoices": [
            {
                "number": i["number"],
                "amount_due": fmt(i["amount_due"]),
                "due_on": i["due_on"].isoformat(),
                "status": i["status"],
            }
            for i in state["invoices"]
            if i["amount_due"] > 0
        ],
        # The plan running, if any: what the debtor hears before being offered to change it.
        "plan": _plan_summary(account),
    }


def _plan_summary(account: Account) -> dict | None:
    """The plan running, if any: what the debtor hears before being offered to change it."""
    upcoming = plans.next_installment(account)
    plan = plans.active_plan(account)
    if plan is None:
        return None
    left = [i for i in plan.installments if i.status not in ("paid", "cancelled")]
    return {
        "id": plan.id,
        "installments_left": len(left),
        "next_amount": fmt(upcoming[1]) if upcoming else None,
        "next_due_on": upcoming[0].due_on.isoformat() if upcoming else None,
    }
