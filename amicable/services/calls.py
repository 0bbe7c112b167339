"""Outbound calls through Twilio: the call is placed with our voice webhook as its TwiML, so
the same conversation runs whichever side dialled. Nobody is called on a line they opted out
of, or without a number; what the law allows when (hours, frequency) is checked by outreach
before it asks for a call."""

from __future__ import annotations

from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException

from amicable.db.models import Account
from amicable.providers import twilio
from amicable.services import ServiceError
from amicable.services.accounts import log_contact
from amicable.settings import Settings


def ready(settings: Settings, account: Account) -> None:
    """Refuse at once what no waiting would change: no Twilio, no number, an opt-out."""
    if twilio.client(settings) is None:
        raise ServiceError("calls need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER", 409)
    if not account.debtor.phone:
        raise ServiceError("the debtor has no phone number", 409)
    if any(o.channel == "voice" for o in account.opt_outs):
        raise ServiceError("the debtor asked not to be called", 409)


def place_call(session: Session, settings: Settings, account: Account) -> str:
    """Ring the debtor; return Twilio's call sid."""
    ready(settings, account)
    client = twilio.client(settings)
    assert client is not None
    number = account.debtor.phone
    base = settings.public_base_url.rstrip("/")
    try:
        call = client.calls.create(
            to=number,
            from_=settings.twilio_from_number,
            url=f"{base}/channels/twilio/voice",
            status_callback=f"{base}/channels/twilio/status",
        )
    except TwilioException as error:
        raise ServiceError(f"Twilio refused or could not be reached: {error}", 502) from None
    log_contact(session, account, "call_placed", call.sid, "voice")
    return call.sid
