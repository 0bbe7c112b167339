"""Installment plans: what a debtor's proposal becomes under the creditor's policy.

The schedule is always computed here, from the balance and the policy, never taken from the
client: the bot, an agent and the API see the same plan for the same proposal. A proposal
that does not fit is answered with the nearest plan that does (a counter-offer), so a debtor
who says "I can do 10 a month" hears what is possible instead of a bare no.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal

from sqlalchemy.orm import Session

from amicable.db.models import Account, Installment, PaymentLink, Plan
from amicable.money import CENT
from amicable.policy import PlanPolicy, load_policy
from amicable.services import ServiceError
from amicable.services.accounts import balance, log_contact, received_since
from amicable.services.outcomes import debtor_today
from amicable.services.payments import close_links, create_payment_link
from amicable.settings import Settings


@dataclass(frozen=True)
class Quote:
    """A schedule for the balance. `fits` says whether it is what the debtor proposed;
    when not, `why` names the rule that moved it ("below_minimum", "too_long")."""

    proposed: Decimal
    monthly: Decimal
    fits: bool
    why: str | None
    total: Decimal
    installments: list[tuple[date, Decimal]] = field(default_factory=list)


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan +1
    month is 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule(owed: Decimal, monthly: Decimal, first_due: date) -> list[tuple[date, Decimal]]:
    """Equal monthly amounts with a smaller last one for what remains. A remainder of at most
    a tenth of the monthly amount joins the installment before it: nobody wants a whole extra
    month for 50 cents."""
    amounts: list[Decimal] = []
    left = owed
    while left > 0:
        amounts.append(min(monthly, left))
        left -= amounts[-1]
    if len(amounts) > 1 and amounts[-1] <= monthly / 10:
        remainder = amounts.pop()
        amounts[-1] += remainder
    return [(add_months(first_due, number), amount) for number, amount in enumerate(amounts)]


def quote(owed: Decimal, proposed: Decimal, policy: PlanPolicy, today: date) -> Quote:
    """The plan for a proposed monthly amount, or the nearest one the policy allows."""
    if owed <= 0:
        raise ServiceError("this account has nothing left to pay", 409)
    if proposed <= 0:
        raise ServiceError("the monthly amount must be more than zero")
    proposed = proposed.quantize(CENT)
    # The smallest monthly amount that still ends within the longest plan allowed.
    shortest_allowed = (owed / policy.max_installments).quantize(CENT, rounding=ROUND_UP)
    floor = max(policy.min_installment, shortest_allowed)
    monthly, why = proposed, None
    if proposed >= owed:
        pass  # the whole balance at once is always allowed, even below the smallest installment
    elif owed <= policy.min_installment:
        monthly, why = owed, "below_minimum"  # too little owed to split: the counter-offer is all of it
    elif proposed < policy.min_installment:
        monthly, why = floor, "below_minimum"
    elif proposed < shortest_allowed:
        monthly, why = floor, "too_long"
    monthly = min(monthly, owed)
    installments = schedule(owed, monthly, today + timedelta(days=policy.first_due_days))
    return Quote(
        proposed=proposed,
        monthly=monthly,
        fits=why is None,
        why=why,
        total=sum((amount for _, amount in installments), Decimal("0")),
        installments=installments,
    )


def quote_for(settings: Settings, account: Account, proposed: Decimal) -> Quote:
    policy = load_policy(settings.policies_dir, account.creditor.name)
    return quote(balance(account), proposed, policy.plan, debtor_today(account))


def record_plan(
    session: Session, settings: Settings, account: Account, monthly: Decimal, conversation_id: str | None
) -> Plan:
    """Records a plan the debtor agreed to. Only a monthly amount that fits the policy is
    recorded; anything else is refused with the counter-offer in the message, so a client
    can never record a plan the bot could not have offered."""
    offer = quote_for(settings, account, monthly)
    if not offer.fits:
        raise ServiceError(
            f"a plan of {offer.proposed} a month does not fit the creditor's policy; "
            f"the nearest that does is {offer.monthly} a month",
            422,
        )
    for earlier in account.plans:
        if earlier.status == "active":
            # Replaced: the old installments are no longer owed, and their links close.
            earlier.status = "cancelled"
            for installment in earlier.installments:
                if installment.status != "paid":
                    installment.status = "cancelled"
            log_contact(session, account, "plan_cancelled", f"{earlier.id}: replaced by a new plan", "plan")
    # The plan replaces the debt as it stood: a link for the whole balance would now ask too much.
    close_links(session, settings, account, "closed", "a plan replaces the debt")
    for promise in account.promises:
        if promise.status == "pending":
            promise.status = "replaced"
    plan = Plan(
        installments=[
            Installment(seq=number, amount=amount, due_on=due_on)
            for number, (due_on, amount) in enumerate(offer.installments, start=1)
        ]
    )
    account.plans.append(plan)
    session.flush()
    log_contact(
        session,
        account,
        "plan",
        f"{len(offer.installments)} installments of up to {offer.monthly} {account.currency}, "
        f"first on {offer.installments[0][0].isoformat()}",
        conversation_id=conversation_id,
    )
    return plan


def active_plan(account: Account) -> Plan | None:
    return next((plan for plan in account.plans if plan.status == "active"), None)


def next_installment(account: Account) -> tuple[Installment, Decimal] | None:
    """The next installment of the running plan and what is still due on it (counting what
    was paid since the plan began, and never more than the balance), or None."""
    plan = active_plan(account)
    if plan is None:
        return None
    paid, owed, scheduled = received_since(account, plan.created_at), balance(account), Decimal("0.00")
    for installment in plan.installments:
        scheduled += installment.amount
        if installment.status in ("paid", "cancelled"):
            continue
        due = min(scheduled - paid, installment.amount, owed)
        if due > 0:
            return installment, due
    return None


def link_for_debtor(
    session: Session,
    settings: Settings,
    account: Account,
    conversation_id: str | None,
    discount: bool = False,
    whole_balance: bool = False,
) -> PaymentLink:
    """The link a debtor asking to pay gets: while a plan runs, for its next installment
    (a "link" right after agreeing a plan is not a request to pay everything), unless they
    asked for the whole balance; otherwise for the balance, less the policy's pay-in-full
    discount when `discount`."""
    upcoming = None if whole_balance else next_installment(account)
    if upcoming is None:
        return create_payment_link(session, settings, account, None, conversation_id, discount=discount)
    installment, due = upcoming
    link = create_payment_link(session, settings, account, due, conversation_id, purpose="installment")
    installment.payment_link_id = link.id
    return link
