"""Payment events: Stripe's webhook format, verified, applied once.

Every payment, whichever provider took it, arrives as a Stripe-shaped event and goes through
`apply_event`, so there is one code path that changes balances. Stripe's events come through
the webhook and are verified against STRIPE_WEBHOOK_SECRET; with no secret configured every
webhook event is refused. The local provider (the demo's, when Stripe is not configured)
builds the same event and applies it in-process: it never signs anything, and it moves money
only in the demo. An event that does not fit what we know (unknown link, other currency, a
second payment for a paid link) is refused or flagged in the contact log with its reason, and
never changes a balance wrongly.

Concurrent deliveries: the row an event books against (the payment link, the plan, the
payment refunded) is locked (`SELECT ... FOR UPDATE`) before its state is read, so two events
for the same payment arriving at once are applied one after the other, and the second sees
what the first did. SQLite serialises writers anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Dispute, Installment, Payment, PaymentLink, Plan, ProcessedEvent
from amicable.money import from_minor
from amicable.providers import local_pay
from amicable.services import ServiceError, autopay
from amicable.services.accounts import log_contact
from amicable.services.payments import (
    record_payment,
    record_plan_charge,
    record_refund,
    refunds_of,
)
from amicable.settings import Settings

# Webhook secrets that are public: the default this code once had. Never trusted.
PUBLISHED_SECRETS = frozenset({"whsec_amicable_local_provider"})


def verify(payload: bytes, signature: str | None, secret: str) -> dict:
    """Check a webhook's signature and age (5 minutes) with the stripe library. Without a
    secret of our own there is nothing to verify against: every event is refused."""
    if not secret.strip() or secret in PUBLISHED_SECRETS:
        raise ServiceError("payment events are refused: STRIPE_WEBHOOK_SECRET is not configured", 400)
    if not signature:
        raise ServiceError("missing Stripe-Signature header", 400)
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise ServiceError(f"bad signature: {error.user_message or error}", 400) from None
    except ValueError:
        raise ServiceError("the body is not JSON", 400) from None
    return json.loads(payload)


def process_webhook(session: Session, settings: Settings, payload: bytes, signature: str | None) -> str:
    """Stripe's webhook: verified, then applied like every other payment event."""
    return apply_event(session, settings, verify(payload, signature, settings.stripe_webhook_secret))


def pay_locally(session: Session, settings: Settings, link: PaymentLink, method: str) -> str:
    """The local provider's pay page: the event Stripe would send, applied in-process. Only
    in the demo without Stripe, and only for the local provider's own links."""
    if link.provider != "local":
        raise ServiceError("this link is paid through its payment provider", 409)
    local_pay.require(settings)
    return apply_event(session, settings, local_pay.checkout_completed(link, method))


def save_method(session: Session, settings: Settings, plan: Plan, method: str) -> str | None:
    """Save a method for a plan's installments: Stripe's setup page to send the debtor to, or
    None when the local provider saved it (its event applied here, like Stripe's would be)."""
    onward = autopay.start(session, settings, plan, method)
    if onward.event is not None:
        apply_event(session, settings, onward.event)
    return onward.url


def charge_installment(
    session: Session, settings: Settings, plan: Plan, installment: Installment, amount: Decimal
) -> bool:
    """Charge an installment on the saved method; True when the charge was accepted."""
    accepted, event = autopay.charge(session, settings, plan, installment, amount)
    if event is not None:
        apply_event(session, settings, event)
    return accepted


def apply_event(session: Session, settings: Settings, event: dict) -> str:
    """Apply a verified event once; return what was done, for the log and the reply."""
    event_id, kind = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not isinstance(kind, str):
        raise ServiceError("event without id or type", 400)
    if session.get(ProcessedEvent, event_id) is not None:
        return "duplicate: already applied"
    obj = (event.get("data") or {}).get("object")
    if not isinstance(obj, dict):
        raise ServiceError("event without data.object", 400)
    handler = HANDLERS.get(kind)
    result = handler(session, settings, obj) if handler else f"ignored {kind}"
    session.add(ProcessedEvent(id=event_id, type=kind))
    return result


def _link_for(session: Session, obj: dict) -> PaymentLink:
    """The event's payment link, locked until the transaction ends and read afresh: a second
    event for the same link waits here, then sees what the first did to it."""
    metadata = obj.get("metadata") or {}
    link_id = metadata.get("payment_link_id") or obj.get("client_reference_id")
    link = (
        session.get(PaymentLink, link_id, with_for_update=True, populate_existing=True)
        if isinstance(link_id, str)
        else None
    )
    if link is None:
        raise ServiceError("event for an unknown payment link", 400)
    reference = metadata.get("account_reference")
    if reference is not None and reference != link.account.reference:
        raise ServiceError("event's account reference does not match the link", 400)
    return link


def _refuse_local_outside_the_demo(settings: Settings, obj: dict) -> bool:
    """Whether the event is the local provider's; such an event books nothing once Stripe is
    configured or outside the demo, whoever signed it."""
    local = str(obj.get("id", "")).startswith(("cs_local_", "pi_local_"))
    if local and not local_pay.active(settings):
        raise ServiceError("an event of the local (demo) payment provider, which takes no payments here", 400)
    return local


def _amount(obj: dict, key: str) -> int:
    minor = obj.get(key)
    if not isinstance(minor, int) or isinstance(minor, bool) or minor <= 0:
        raise ServiceError(f"{key} must be a positive integer of minor units", 400)
    return minor


def _session_paid(session: Session, settings: Settings, obj: dict) -> str:
    if obj.get("mode") == "setup":
        return autopay.saved(session, settings, obj)
    local = _refuse_local_outside_the_demo(settings, obj)
    link = _link_for(session, obj)
    if (link.provider == "local") != local:
        # A link of the local provider is paid only by it (in the demo), a Stripe link only
        # by Stripe: a demo link never pays once a real provider is on.
        raise ServiceError(f"the event's provider does not match link {link.id}'s ({link.provider})", 400)
    if obj.get("payment_status") != "paid":
        # Bank debits complete the session before the money arrives: async_payment_* follows.
        if link.status == "open":
            link.status = "processing"
        log_contact(session, link.account, "payment_processing", f"link {link.id}: waiting for the bank", "payment")
        return "session completed, payment pending"
    currency = str(obj.get("currency", "")).upper()
    if currency != link.currency:
        raise ServiceError(f"currency {currency or '?'} does not match the link's {link.currency}", 400)
    minor = _amount(obj, "amount_total")
    if link.status == "paid":
        log_contact(
            session,
            link.account,
            "payment_flagged",
            f"second payment of {from_minor(minor)} {currency} for paid link {link.id}: refund or review",
            "payment",
        )
        return "flagged: link already paid"
    provider = "local" if local else "stripe"
    record_payment(session, settings, link, from_minor(minor), provider, obj.get("payment_intent") or obj.get("id"))
    return "paid"


def _session_expired(session: Session, settings: Settings, obj: dict) -> str:
    """A Checkout Session lives a day; our link lives longer. Only the session is gone: the
    pay page opens a new one while the link is valid."""
    link = _link_for(session, obj)
    if link.provider_session_id in (None, obj.get("id")):
        link.provider_session_id = link.provider_url = None
        link.provider_expires_at = None
    if link.status == "open" and link.expires_at <= datetime.now(UTC):
        link.status = "expired"
    log_contact(session, link.account, "payment_session_expired", f"link {link.id}", "payment")
    return f"session expired; link {link.status}"


def _async_failed(session: Session, settings: Settings, obj: dict) -> str:
    link = _link_for(session, obj)
    if link.status in ("open", "processing"):
        link.status = "failed"
    log_contact(session, link.account, "payment_failed", f"link {link.id}: the bank debit failed", "payment")
    return f"link {link.status}"


def _intent_failed(session: Session, settings: Settings, obj: dict) -> str:
    """A declined card or a refused debit: the link stays open so the debtor can try again,
    and the log keeps the reason for the bot and the agents. A failed charge on a plan's
    saved method is marked so the next collection run sends a link instead of charging again."""
    error = obj.get("last_payment_error") or {}
    reason = error.get("decline_code") or error.get("code") or "unknown reason"
    message = error.get("message") or ""
    metadata = obj.get("metadata") or {}
    if metadata.get("plan_id") and not metadata.get("payment_link_id"):
        plan = autopay.get_plan(session, str(metadata["plan_id"]), metadata.get("account_reference"))
        for installment in plan.installments:
            if str(installment.seq) == str(metadata.get("installment")):
                installment.charge_id = f"failed:{obj.get('id')}"
        detail = f"installment {metadata.get('installment')} of plan {plan.id}: {reason} {message}".strip()
        log_contact(session, plan.account, "payment_failed", detail, "plan")
        return "installment charge failed; a link follows"
    link = _link_for(session, obj)
    log_contact(session, link.account, "payment_failed", f"link {link.id}: {reason} {message}".strip(), "payment")
    return "payment attempt failed; link still open"


def _intent_succeeded(session: Session, settings: Settings, obj: dict) -> str:
    """A charge on a plan's saved method went through. Payments through a Checkout Session
    also send this event; those are booked from the session, so only plan charges count."""
    metadata = obj.get("metadata") or {}
    if not metadata.get("plan_id"):
        return "ignored: booked from its checkout session"
    local = _refuse_local_outside_the_demo(settings, obj)
    # Locked, so a second event for the same charge waits and then finds it booked.
    plan = autopay.get_plan(session, str(metadata["plan_id"]), metadata.get("account_reference"), lock=True)
    if session.scalars(select(Payment).where(Payment.provider_reference == obj.get("id"))).first() is not None:
        return "already booked"
    currency = str(obj.get("currency", "")).upper()
    if currency != plan.account.currency:
        raise ServiceError(f"currency {currency or '?'} does not match the account's {plan.account.currency}", 400)
    amount = from_minor(_amount(obj, "amount_received"))
    provider = "local" if local else "stripe"
    record_plan_charge(session, settings, plan, amount, provider, str(obj.get("id")), metadata.get("installment"))
    return "installment paid"


def _payment_for_charge(session: Session, obj: dict) -> Payment:
    """The payment a charge event is about, locked (see `_link_for`): two refund events at
    once are booked one after the other, the second seeing the first's refund."""
    intent = obj.get("payment_intent")
    query = (
        select(Payment)
        .where(Payment.provider_reference == intent, Payment.kind == "payment")
        .order_by(Payment.id)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    payment = session.scalars(query).first() if isinstance(intent, str) else None
    if payment is None:
        raise ServiceError("event for a charge we have no payment for", 400)
    return payment


def _charge_refunded(session: Session, settings: Settings, obj: dict) -> str:
    """`amount_refunded` is the charge's running total: only what is new is booked."""
    payment = _payment_for_charge(session, obj)
    if str(obj.get("currency", "")).upper() != payment.currency:
        raise ServiceError("refund currency does not match the payment", 400)
    total = from_minor(_amount(obj, "amount_refunded"))
    already = -sum((r.amount for r in refunds_of(session, payment)), from_minor(0))
    new = total - already
    if new <= 0:
        return "refund already booked"
    record_refund(session, settings, payment, new, str(obj.get("id")))
    log_contact(session, payment.account, "refund", f"{new} {payment.currency} refunded", "payment")
    return "refunded"


def _dispute_created(session: Session, settings: Settings, obj: dict) -> str:
    """A chargeback: the debtor contests the payment with their bank. Collection pauses like
    for any dispute, and a person looks at it; the balance changes only if the money goes."""
    payment = _payment_for_charge(session, obj)
    amount = from_minor(_amount(obj, "amount"))
    reason = obj.get("reason") or "unspecified"
    session.add(
        Dispute(
            account=payment.account,
            reason="chargeback",
            details=f"{amount} {payment.currency} contested with the bank ({reason}), dispute {obj.get('id')}",
        )
    )
    log_contact(session, payment.account, "chargeback", f"{amount} {payment.currency}: {reason}", "payment")
    return "chargeback recorded"


HANDLERS: dict[str, Callable[[Session, Settings, dict], str]] = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "checkout.session.async_payment_failed": _async_failed,
    "checkout.session.expired": _session_expired,
    "payment_intent.payment_failed": _intent_failed,
    "payment_intent.succeeded": _intent_succeeded,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}
