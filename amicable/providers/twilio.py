"""Twilio: the REST client for texts, WhatsApp and calls, and phone numbers as it writes them."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import phonenumbers
from requests.utils import get_environ_proxies
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from amicable.settings import Settings

# One client per thread and account: a client holds an HTTP session whose connections to
# Twilio stay open between messages (a new client per message opened a new TLS connection
# each time, a fifth of a campaign worker's time per contact). Per thread because a requests
# session is not meant to be shared across threads (the web process's thread pool, Celery's
# threads pool); a forked worker makes its own on first use.
_clients = threading.local()


def client(settings: Settings) -> Client | None:
    """Twilio's REST client, or None when sending is not configured."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number):
        return None
    key = (settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base.rstrip("/"))
    made: dict[tuple[str, str, str], Client] = _clients.__dict__.setdefault("made", {})
    if key not in made:
        made[key] = Client(key[0], key[1], http_client=_http_client(key[2]))
        made[key].api.base_url = key[2]
    return made[key]


def _http_client(base_url: str) -> TwilioHttpClient:
    """Twilio's own HTTP client, with what requests would read from the environment at every
    message (the proxy for Twilio's address, a CA bundle) read once, when the client is made:
    a sixth of a campaign worker's time per message went to reading them again."""
    http = TwilioHttpClient(proxy=get_environ_proxies(base_url) or None)
    assert http.session is not None
    http.session.trust_env = False
    http.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return http


@lru_cache(maxsize=50_000)  # one send reads the same number four times
def e164(raw: str | None) -> str | None:
    """The number as Twilio and our conversation ids write it (+32470123456), from what a
    creditor typed or Twilio sent ("whatsapp:+32 470 12 34 56"); None when it cannot be a
    phone number at all. The one place numbers are read, so a number that fails fails the
    same way for inbound messages, outreach and agents' replies."""
    number = (raw or "").removeprefix("whatsapp:").removeprefix("tel:").strip()
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
