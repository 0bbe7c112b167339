"""The local pay provider: the demo's stand-in for Stripe, which moves no money.

It "pays" a link or "saves" a method by building the event Stripe would send; the caller
(services/payment_events.py) applies it through the same path as every Stripe event, so one
code path changes balances. It serves only the explicit demo (AMICABLE_DEMO, which `make run`
sets) and never once Stripe is configured.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

from amicable.db.models import PaymentLink, Plan
from amicable.errors import ServiceError
from amicable.money import to_minor
from amicable.providers import stripe as stripe_checkout
from amicable.settings import Settings

# What the local provider "saves" as a payment method: no method at all.
METHOD_PREFIX = "pm_local_"


class LocalProviderOff(ServiceError):
    """The local provider was asked to move money where it may not: it "pays" without any
    money moving, so it runs only in the demo, and never once Stripe is configured."""

    status_code = 409


def active(settings: Settings) -> bool:
    """Whether the local provider may take payments and save methods: only in the explicit
    demo (AMICABLE_DEMO, which `make run` sets) and only while Stripe is not configured."""
    return settings.amicable_demo and not stripe_checkout.enabled(settings)


def require(settings: Settings) -> None:
    if not active(settings):
        why = "Stripe is configured" if stripe_checkout.enabled(settings) else "this is not the demo"
        raise LocalProviderOff(f"the local (demo) payment provider takes no payments: {why}; nothing was booked")


def checkout_completed(link: PaymentLink, method: str) -> dict:
    """The event Stripe sends when a Checkout Session is paid, for a local-provider link."""
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
                "mode": "payment",
                "payment_intent": f"pi_local_{link.id}",
                "payment_method_types": [method],
                "payment_status": "paid",
                "status": "complete",
            }
        },
    }


def setup_completed(plan: Plan, method: str) -> dict:
    now = int(time.time())
    return {
        "id": f"evt_local_setup_{plan.id}_{now}",
        "object": "event",
        "created": now,
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": f"cs_local_setup_{plan.id}",
                "object": "checkout.session",
                "mode": "setup",
                "client_reference_id": plan.id,
                "metadata": {"account_reference": plan.account.reference, "plan_id": plan.id},
                "payment_method_types": [method],
                "setup_intent": f"seti_local_{plan.id}",
                "status": "complete",
            }
        },
    }


def intent_succeeded(intent_id: str, amount: Decimal, currency: str, metadata: dict) -> dict:
    now = int(time.time())
    return {
        "id": f"evt_local_{intent_id}",
        "object": "event",
        "created": now,
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": to_minor(amount),
                "amount_received": to_minor(amount),
                "currency": currency.lower(),
                "metadata": metadata,
                "status": "succeeded",
                "created": int(datetime.now(UTC).timestamp()),
            }
        },
    }
