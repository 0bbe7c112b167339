"""Twilio: the REST client for texts, WhatsApp and calls, and phone numbers as it writes them."""

from __future__ import annotations

import json
import logging
import os
import threading
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

import certifi
import phonenumbers
import urllib3
from requests.utils import get_environ_proxies
from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from amicable.settings import Settings

# One client per thread and account: a client holds a pool whose connections to Twilio stay
# open between messages (a new client per message opened a new TLS connection each time, a
# fifth of a campaign worker's time per contact). Per thread as the web process's thread pool
# and Celery's threads pool use it; a forked worker makes its own on first use.
_clients = threading.local()

# Twilio's answer to a message or a call comes in well under a second; one that has not come
# in a minute will not, and a worker must not wait on it for ever (requests, which the library
# uses by default, waits without a limit).
TIMEOUT = urllib3.Timeout(connect=10.0, read=60.0)


def client(settings: Settings) -> Client | None:
    """Twilio's REST client, or None when sending is not configured."""
    if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number):
        return None
    key = (settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base.rstrip("/"))
    made: dict[tuple[str, str, str], Client] = _clients.__dict__.setdefault("made", {})
    if key not in made:
        made[key] = Client(key[0], key[1], http_client=Http(key[2]))
        made[key].api.base_url = key[2]
    return made[key]


class Http(HttpClient):
    """The library's HTTP client interface (`twilio.http.HttpClient`) on urllib3 itself, the
    pool requests is built on. The library's own client goes through a requests session
    (prepare, merge the environment, hooks, cookies): a message through the library took
    0.59 ms of CPU that way and takes 0.34 this way, a tenth of a campaign worker's time per
    contact.

    What requests did for the library, this does too: form or JSON bodies, query strings,
    basic auth, the proxy and CA bundle the environment names (read once, here), no redirects
    followed. And a little more: nothing is ever retried, so a message is never sent twice;
    time-outs are bounded; and a network failure is a `TwilioException` that says whether the
    message may have gone, which the callers already turn into a calm failure."""

    def __init__(self, base_url: str, timeout: urllib3.Timeout = TIMEOUT) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False)
        proxy = (get_environ_proxies(base_url) or {}).get(urlsplit(base_url).scheme)
        ca_certs = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
        self.limit = timeout
        options = {"retries": False, "timeout": timeout, "cert_reqs": "CERT_REQUIRED", "ca_certs": ca_certs}
        self.pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = urllib3.make_headers(basic_auth=f"{auth[0]}:{auth[1]}")["authorization"]
        if params:
            url += ("&" if "?" in url else "?") + urlencode(_pairs(params), doseq=True)
        body: str | bytes | None = None
        if headers.get("Content-Type") in ("application/json", "application/scim+json"):
            body = json.dumps(data).encode()
        elif data:
            body = urlencode(_pairs(data), doseq=True)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        self.log_request({"method": method.upper(), "url": url, "params": None, "headers": headers})
        try:
            answer = self.pool.request(
                method.upper(),
                url,
                body=body,
                headers=headers,
                redirect=allow_redirects,
                timeout=urllib3.Timeout(connect=timeout, read=timeout) if timeout else self.limit,
            )
        except urllib3.exceptions.ReadTimeoutError:
            raise TwilioException(
                "no answer from Twilio in time; it may have gone through, check before resending"
            ) from None
        except urllib3.exceptions.HTTPError as error:
            raise TwilioException(f"Twilio could not be reached ({type(error).__name__})") from None
        response = Response(answer.status, answer.data.decode("utf-8", "replace"), answer.headers)
        self.log_response(answer.status, response)  # type: ignore[arg-type]
        self._test_only_last_response = response
        return response


def _pairs(values: dict[str, object]) -> list[tuple[str, object]]:
    """What requests sends for a dict: None left out, lists as repeated keys."""
    return [(key, value) for key, value in values.items() if value is not None]


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
