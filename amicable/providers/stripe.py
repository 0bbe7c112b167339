"""Stripe Checkout Sessions for our payment links (the production provider).

The link the debtor receives is always our own `/pay/{id}` page: it stays valid for the
policy's days, while a Checkout Session lives at most 24 hours. The first session is created
with the link (so a provider problem shows at once, not when the debtor taps); when it has
expired, the pay page opens a new one for the same link. Every session carries our link id as
`client_reference_id` and in `metadata`, so the webhook finds the link whichever session paid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import stripe

from amicable.db.models import PaymentLink
from amicable.errors import ServiceError
from amicable.money import to_minor
from amicable.settings import Settings

# Stripe asks for at least 30 minutes and at most 24 hours.
SESSION_LIFETIME = timedelta(hours=23)
MIN_LIFETIME = timedelta(minutes=31)
# Our method names are Stripe's payment_method_types.
STRIPE_METHODS = {"card", "bancontact", "ideal", "sepa_debit", "sofort", "giropay", "eps", "p24"}
CHECKOUT_LOCALES = {"en": "en", "fr": "fr", "nl": "nl"}


def enabled(settings: Settings) -> bool:
    return bool(settings.stripe_api_key)


def client(settings: Settings) -> stripe.StripeClient:
    options: dict = {"max_network_retries": 2}
    if settings.stripe_api_base:
        options["base_addresses"] = {"api": settings.stripe_api_base.rstrip("/")}
    return stripe.StripeClient(settings.stripe_api_key, **options)


def session_params(settings: Settings, link: PaymentLink, now: datetime) -> dict:
    """What we ask Stripe for: the exact amount, in the account's currency, with the methods
    the policy allows for the debtor's country, pages of our own in the debtor's language."""
    account = link.account
    base = settings.public_base_url.rstrip("/")
    metadata = {"account_reference": account.reference, "payment_link_id": link.id}
    expires = min(link.expires_at, now + SESSION_LIFETIME)
    return {
        "mode": "payment",
        "client_reference_id": link.id,
        "metadata": metadata,
        "payment_intent_data": {
            "metadata": metadata,
            "description": f"{account.creditor.name}, file {account.reference}",
        },
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": link.currency.lower(),
                    "unit_amount": to_minor(link.amount),
                    "product_data": {"name": f"{account.creditor.name}, file {account.reference}"},
                },
            }
        ],
        "payment_method_types": [m for m in link.methods if m in STRIPE_METHODS] or ["card"],
        "locale": CHECKOUT_LOCALES.get(account.debtor.language, "auto"),
        "customer_email": account.debtor.email or None,
        "success_url": f"{base}/pay/{link.id}/done?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{base}/pay/{link.id}?cancelled=1",
        "expires_at": int(expires.timestamp()),
    }


def open_session(settings: Settings, link: PaymentLink, now: datetime | None = None) -> None:
    """Give the link a Checkout Session that can still be paid, creating one when needed."""
    now = now or datetime.now(UTC)
    if link.provider_session_id and link.provider_expires_at and link.provider_expires_at - now > MIN_LIFETIME:
        return
    if link.expires_at - now < MIN_LIFETIME:
        raise ServiceError("this payment link has expired; ask for a new one", 410)
    params = {k: v for k, v in session_params(settings, link, now).items() if v is not None}
    # One key per link and session window: a retried request cannot open a second session.
    key = f"{link.id}-{int(now.timestamp()) // 3600}"
    try:
        session = client(settings).v1.checkout.sessions.create(params, {"idempotency_key": key})
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or str(error) or type(error).__name__
        raise ServiceError(f"the payment provider refused or could not be reached: {message}", 502) from None
    link.provider = "stripe"
    link.provider_session_id = session.id
    link.provider_url = session.url
    link.provider_expires_at = datetime.fromtimestamp(session.expires_at, UTC)


def expire_session(settings: Settings, link: PaymentLink) -> bool:
    """Close the link's Checkout Session at Stripe, so it can no longer be paid. False when
    Stripe could not be reached or refused (the session then ends by itself within a day; a
    payment through it is booked and flagged for refund)."""
    if not link.provider_session_id:
        return True
    try:
        client(settings).v1.checkout.sessions.expire(link.provider_session_id)
    except stripe.InvalidRequestError:
        pass  # already expired or completed at Stripe: nothing left to close
    except stripe.StripeError:
        return False
    link.provider_session_id = link.provider_url = None
    link.provider_expires_at = None
    return True


def refund(settings: Settings, payment_intent: str, minor: int, key: str) -> str:
    """Give money back on a payment at Stripe; the refund's id. The idempotency key makes a
    retried request refund once."""
    try:
        made = client(settings).v1.refunds.create(
            {"payment_intent": payment_intent, "amount": minor}, {"idempotency_key": key}
        )
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or str(error) or type(error).__name__
        raise ServiceError(f"the payment provider refused or could not be reached: {message}", 502) from None
    return str(made.id)
