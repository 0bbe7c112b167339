"""Payment links and payment events.

Every payment, whichever provider took it, arrives as a Stripe-shaped event and goes
through `apply_event`: the local provider's pay page builds and signs the same event the
Stripe webhook receives, so there is one code path that changes balances.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import stripe
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Adjustment, Allocation, Payment, PaymentLink, ProcessedEvent
from amicable.money import CENT, from_minor, to_minor
from amicable.policy import load_policy
from amicable.services import NotFound, ServiceError
from amicable.services.accounts import amount_due, balance, log_contact
from amicable.settings import Settings

ZERO = Decimal("0.00")


def create_payment_link(
    session: Session,
    settings: Settings,
    account: Account,
    amount: Decimal | None = None,
    conversation_id: str | None = None,
    discount: bool = False,
) -> PaymentLink:
    """A link for `amount`, or for the whole balance.

    With `discount`, a link for the whole balance less the pay-in-full discount the creditor's
    policy offers (none when it offers none); the discount is granted only once the link is
    paid, so an unpaid offer changes nothing on the file.
    """
    owed = balance(account)
    if owed <= 0:
        raise ServiceError("this account has nothing left to pay", 409)
    if discount and amount is not None and amount != owed:
        raise ServiceError("a pay-in-full discount applies only to a link for the whole balance")
    amount = owed if amount is None else amount
    if amount > owed:
        raise ServiceError(f"the amount {amount} is more than the balance {owed}")
    policy = load_policy(settings.policies_dir, account.creditor.name)
    off = pay_in_full_discount(owed, policy.discount.pay_in_full_percent) if discount else ZERO
    link = PaymentLink(
        account=account,
        amount=amount - off,
        discount=off,
        currency=account.currency,
        methods=policy.methods_for(account.debtor.country),
        provider="local",
        url="",
        expires_at=datetime.now(UTC) + timedelta(days=policy.payment_link.valid_days),
    )
    session.add(link)
    session.flush()
    link.url = f"{settings.public_base_url.rstrip('/')}/pay/{link.id}"
    log_contact(
        session,
        account,
        "payment_link",
        f"{link.id} for {link.amount} {account.currency}" + (f" ({off} off for paying in full)" if off else ""),
        conversation_id=conversation_id,
    )
    return link


def pay_in_full_discount(owed: Decimal, percent: Decimal) -> Decimal:
    """The policy's percentage of the balance, to the cent, rounded in the debtor's favour."""
    return (owed * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def get_link(session: Session, link_id: str) -> PaymentLink:
    link = session.get(PaymentLink, link_id)
    if link is None:
        raise NotFound("no such payment link")
    return link


def allocate(account: Account, payment: Payment | Adjustment) -> Decimal:
    """Spread a payment (or adjustment) over open invoices, oldest due date first; return
    what is left over."""
    left = payment.amount
    for invoice in sorted(account.invoices, key=lambda i: (i.due_on, i.id)):
        due = amount_due(invoice)
        if left <= 0:
            break
        if due <= 0:
            continue
        part = min(due, left)
        payment.allocations.append(Allocation(invoice=invoice, amount=part))
        left -= part
    return left


def checkout_completed_event(link: PaymentLink, method: str) -> dict:
    """The event Stripe sends when a Checkout Session is paid, for one of our links."""
    now = int(time.time())
    return {
        "id": f"evt_local_{link.id}_{now}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": now,
        "type": "checkout.session.completed",
        "livemode": False,
        "data": {
            "object": {
                "id": f"cs_local_{link.id}",
                "object": "checkout.session",
                "amount_total": to_minor(link.amount),
                "currency": link.currency.lower(),
                "client_reference_id": link.id,
                "metadata": {"account_reference": link.account.reference, "payment_link_id": link.id},
                "payment_intent": f"pi_local_{link.id}",
                "payment_method_types": [method],
                "payment_status": "paid",
                "status": "complete",
            }
        },
    }


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value, computed with Stripe's documented scheme."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
    return f"t={timestamp},v1={signature}"


def verify(payload: bytes, signature: str | None, secret: str) -> dict:
    """Check a webhook's signature and age with the stripe library; raise ServiceError(400)."""
    if not signature:
        raise ServiceError("missing Stripe-Signature header", 400)
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as error:
        raise ServiceError(f"bad signature: {error.user_message or error}", 400) from None
    except ValueError:
        raise ServiceError("the body is not JSON", 400) from None
    return json.loads(payload)


def apply_event(session: Session, event: dict) -> str:
    """Apply a verified payment event once; return what was done, for the log and the reply."""
    event_id, kind = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not isinstance(kind, str):
        raise ServiceError("event without id or type", 400)
    if session.get(ProcessedEvent, event_id) is not None:
        return "duplicate: already applied"
    obj = (event.get("data") or {}).get("object") or {}
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        # Bank debits complete the session before the money arrives: wait for async_payment_*.
        paid = obj.get("payment_status") == "paid"
        result = _paid(session, obj) if paid else "session completed, payment pending"
    elif kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
        link = _link_for(session, obj)
        if link.status == "open":
            link.status = "expired" if kind.endswith("expired") else "failed"
        log_contact(session, link.account, "payment_" + link.status, link.id, "payment")
        result = f"link {link.status}"
    else:
        result = f"ignored {kind}"
    session.add(ProcessedEvent(id=event_id, type=kind))
    return result


def _link_for(session: Session, obj: dict) -> PaymentLink:
    metadata = obj.get("metadata") or {}
    link_id = metadata.get("payment_link_id") or obj.get("client_reference_id")
    link = session.get(PaymentLink, link_id) if isinstance(link_id, str) else None
    if link is None:
        raise ServiceError("event for an unknown payment link", 400)
    reference = metadata.get("account_reference")
    if reference is not None and reference != link.account.reference:
        raise ServiceError("event's account reference does not match the link", 400)
    return link


def _paid(session: Session, obj: dict) -> str:
    link = _link_for(session, obj)
    if link.status == "paid":
        log_contact(session, link.account, "payment_flagged", f"second payment for paid link {link.id}", "payment")
        return "flagged: link already paid"
    currency = str(obj.get("currency", "")).upper()
    if currency != link.currency:
        raise ServiceError(f"currency {currency or '?'} does not match the link's {link.currency}", 400)
    minor = obj.get("amount_total")
    if not isinstance(minor, int) or minor <= 0:
        raise ServiceError("amount_total must be a positive integer of minor units", 400)
    account = link.account
    payment = Payment(
        account=account,
        amount=from_minor(minor),
        currency=currency,
        provider="stripe" if not str(obj.get("id", "")).startswith("cs_local_") else "local",
        provider_reference=obj.get("payment_intent") or obj.get("id"),
        payment_link_id=link.id,
    )
    session.add(payment)
    left = allocate(account, payment)
    link.status = "paid"
    detail = f"{payment.amount} {currency} by link {link.id}"
    if left > 0:
        detail += f"; {left} more than owed, flagged for refund"
    log_contact(session, account, "payment", detail, "payment")
    if link.discount > 0 and payment.amount >= link.amount:
        _grant_discount(session, link)
    session.flush()
    return "paid"


def _grant_discount(session: Session, link: PaymentLink) -> None:
    """Settle what the paid pay-in-full link left open, up to the discount it promised.

    Capped at what is still owed: if another payment arrived between the offer and the
    payment, the debtor is not credited twice for the same euros.
    """
    account = link.account
    amount = min(link.discount, balance(account))
    if amount <= 0:
        return
    adjustment = Adjustment(
        account=account,
        kind="discount",
        amount=amount,
        currency=link.currency,
        detail=f"paid in full by link {link.id}",
        payment_link_id=link.id,
    )
    session.add(adjustment)
    allocate(account, adjustment)
    log_contact(session, account, "discount", f"{amount} {link.currency} off for paying in full", "payment")


def open_links(session: Session, account: Account) -> list[PaymentLink]:
    now = datetime.now(UTC)
    return list(
        session.scalars(
            select(PaymentLink).where(
                PaymentLink.account_id == account.id, PaymentLink.status == "open", PaymentLink.expires_at > now
            )
        )
    )


def process_webhook(session: Session, payload: bytes, signature: str | None, secret: str) -> str:
    """The one entry for payment events: Stripe's webhook and the local pay page both call it."""
    event = verify(payload, signature, secret)
    return apply_event(session, event)
