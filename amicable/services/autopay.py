"""Installments taken from a saved payment method (a SEPA Direct Debit mandate or a card).

A debtor who agrees a plan may choose to have the installments collected: they save the
method once (a Stripe Checkout Session in setup mode, or the local provider's page), and on
each due date the collection run charges the installment. SEPA debits need the debtor told
of each amount and date beforehand; the reminder a few days before the due date is that
notice. A charge that fails leaves the installment unpaid and sends a link instead, so the
plan falls back to the ordinary path and never silently stalls.

The local provider (the demo's) "saves" a method that is no method at all (`pm_local_...`):
it is saved only in the demo without Stripe, and charged only there. Once Stripe is
configured, or outside the demo, such a method is never charged: it is dropped from the plan,
which goes back to links, and the debtor can save a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import stripe
from sqlalchemy.orm import Session

from amicable.db.models import Installment, Plan
from amicable.money import to_minor
from amicable.policy import load_policy
from amicable.providers import local_pay
from amicable.providers import stripe as stripe_checkout
from amicable.services import NotFound, ServiceError
from amicable.services.accounts import log_contact
from amicable.settings import Settings

# Methods that can be saved and charged again without the debtor present.
SAVABLE = ("sepa_debit", "card")
# What the local provider saves instead of a payment method: nothing that can move money.
LOCAL_METHOD = local_pay.METHOD_PREFIX


def methods_for(settings: Settings, plan: Plan) -> list[str]:
    """What the creditor lets debtors save for plans; SEPA debits only for euro accounts."""
    account = plan.account
    allowed = load_policy(settings.policies_dir, account.creditor.name).plan.autopay_methods
    return [m for m in allowed if m in SAVABLE and (m != "sepa_debit" or account.currency == "EUR")]


def get_plan(session: Session, plan_id: str, reference: str | None = None, lock: bool = False) -> Plan:
    """The plan; with `lock`, its row locked until the transaction ends and read afresh (a
    charge booked against it waits for another being booked)."""
    plan = (
        session.get(Plan, plan_id, with_for_update=True, populate_existing=True) if lock else session.get(Plan, plan_id)
    )
    if plan is None or (reference is not None and plan.account.reference != reference):
        raise NotFound("no such plan for this account")
    return plan


def page_url(settings: Settings, plan: Plan) -> str:
    """Our own page where the debtor chooses and saves a method (as /pay/ is for links)."""
    return f"{settings.public_base_url.rstrip('/')}/plans/{plan.id}/autopay"


@dataclass(frozen=True)
class Onward:
    """What comes after asking a provider to save or charge: the page to send the debtor to
    (Stripe's), or the event the local provider made, for payment_events to apply like any
    other. Providers return their events; they never book anything themselves."""

    url: str | None = None
    event: dict | None = None


def start(session: Session, settings: Settings, plan: Plan, method: str) -> Onward:
    """Save `method` for the plan: Stripe's setup page to go to, or the local provider's
    "saved" event."""
    if plan.status != "active":
        raise ServiceError(f"the plan is {plan.status}; only an active plan can be paid automatically", 409)
    offered = methods_for(settings, plan)
    if method not in offered:
        raise ServiceError(f"{method} cannot be saved for this debtor; offered: {', '.join(offered) or 'none'}")
    account = plan.account
    base = settings.public_base_url.rstrip("/")
    if not stripe_checkout.enabled(settings):
        local_pay.require(settings)
        return Onward(event=local_pay.setup_completed(plan, method))
    metadata = {"account_reference": account.reference, "plan_id": plan.id}
    try:
        client = stripe_checkout.client(settings)
        if not plan.autopay_customer:
            customer = client.v1.customers.create(
                {"name": account.debtor.name, "email": account.debtor.email or "", "metadata": metadata},
                {"idempotency_key": f"customer-{plan.id}"},
            )
            plan.autopay_customer = customer.id
        checkout = client.v1.checkout.sessions.create(
            {
                "mode": "setup",
                "customer": plan.autopay_customer,
                "currency": account.currency.lower(),
                "payment_method_types": [method],
                "client_reference_id": plan.id,
                "metadata": metadata,
                "locale": stripe_checkout.CHECKOUT_LOCALES.get(account.debtor.language, "auto"),
                "success_url": f"{base}/plans/{plan.id}/autopay/done",
                "cancel_url": f"{base}/plans/{plan.id}/autopay?method={method}&cancelled=1",
            }
        )
    except stripe.StripeError as error:
        raise ServiceError(f"the payment provider refused or could not be reached: {error}", 502) from None
    return Onward(url=checkout.url)


def saved(session: Session, settings: Settings, obj: dict) -> str:
    """A setup-mode Checkout Session completed: keep the method on the plan."""
    metadata = obj.get("metadata") or {}
    plan = get_plan(session, str(metadata.get("plan_id") or obj.get("client_reference_id")))
    if metadata.get("account_reference") not in (None, plan.account.reference):
        raise ServiceError("event's account reference does not match the plan", 400)
    method = (obj.get("payment_method_types") or ["card"])[0]
    if str(obj.get("id", "")).startswith("cs_local_"):
        if not local_pay.active(settings):
            raise ServiceError("an event of the local (demo) payment provider, which saves nothing here", 400)
        payment_method = f"{LOCAL_METHOD}{plan.id}"
    else:
        intent = stripe_checkout.client(settings).v1.setup_intents.retrieve(str(obj.get("setup_intent")))
        payment_method = intent.payment_method if isinstance(intent.payment_method, str) else intent.payment_method.id
        plan.autopay_customer = plan.autopay_customer or obj.get("customer")
    plan.autopay_method, plan.autopay_payment_method = method, payment_method
    log_contact(session, plan.account, "autopay_saved", f"{method} for plan {plan.id}", "plan")
    return "payment method saved for the plan"


def charge(
    session: Session, settings: Settings, plan: Plan, installment: Installment, amount: Decimal
) -> tuple[bool, dict | None]:
    """Charge one installment on the saved method: whether the charge was accepted, and the
    local provider's `payment_intent.succeeded` event when it took it.

    The money is booked when that event arrives (from Stripe a SEPA debit takes days),
    through the same handler as every other payment (payment_events.charge_installment)."""
    account = plan.account
    metadata = {"account_reference": account.reference, "plan_id": plan.id, "installment": str(installment.seq)}
    if plan.autopay_payment_method and plan.autopay_payment_method.startswith(LOCAL_METHOD):
        if not local_pay.active(settings):
            return _refuse_demo_method(session, settings, plan, installment), None
        installment.charge_id = f"pi_local_{plan.id}_{installment.seq}"
        return True, local_pay.intent_succeeded(installment.charge_id, amount, account.currency, metadata)
    try:
        intent = stripe_checkout.client(settings).v1.payment_intents.create(
            {
                "amount": to_minor(amount),
                "currency": account.currency.lower(),
                "customer": plan.autopay_customer,
                "payment_method": plan.autopay_payment_method,
                "payment_method_types": [plan.autopay_method or "card"],
                "off_session": True,
                "confirm": True,
                "metadata": metadata,
                "description": f"{account.creditor.name}, file {account.reference}, installment {installment.seq}",
            },
            {"idempotency_key": f"{plan.id}-{installment.seq}"},
        )
    except stripe.StripeError as error:
        reason = getattr(error, "code", None) or type(error).__name__
        # Marked, so the next run sends a link instead of trying the same method every day.
        installment.charge_id = f"failed:{reason}"
        log_contact(session, account, "payment_failed", f"installment {installment.seq}: {reason}", "plan")
        return False, None
    installment.charge_id = intent.id
    log_contact(
        session,
        account,
        "installment_charged",
        f"installment {installment.seq}: {amount} {account.currency} by {plan.autopay_method} ({intent.status})",
        "plan",
    )
    return True, None


def _refuse_demo_method(session: Session, settings: Settings, plan: Plan, installment: Installment) -> bool:
    """A method saved in the demo moves no money: never charged once Stripe is configured or
    outside the demo. Dropped from the plan, so the installments go by link again (the failed
    mark sends this one's) and the debtor may save a real method on the autopay page."""
    why = "Stripe is configured" if stripe_checkout.enabled(settings) else "this is not the demo"
    installment.charge_id = "failed:demo_method"
    log_contact(
        session,
        plan.account,
        "payment_failed",
        f"installment {installment.seq}: the {plan.autopay_method} saved for plan {plan.id} was saved in the demo "
        f"and is never charged ({why}); installments go by link until a real method is saved",
        "plan",
    )
    plan.autopay_method = plan.autopay_payment_method = None
    return False
