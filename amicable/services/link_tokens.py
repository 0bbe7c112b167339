"""Signed tokens that open a conversation already bound to a file: the web chat's
`?token=`, Telegram's `/start` deep link. A token names the account and an expiry and is
signed with a key derived from the link secret (AMICABLE_LINK_SECRET, never the API key); it
binds the conversation, but never verifies it: the debtor still confirms their identity
before anything about the debt is said.

Telegram allows 64 characters of [A-Za-z0-9_-] in a deep link, so the token is compact:
base64url of the account id and expiry day, and 12 bytes of HMAC-SHA256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import UTC, date, datetime, timedelta

EPOCH = date(2020, 1, 1)
VALID_DAYS = 30


def _key(secret: str) -> bytes:
    return hashlib.sha256(b"amicable-link-token:" + secret.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(account_id: int, secret: str, today: date | None = None, days: int = VALID_DAYS) -> str:
    expires = ((today or datetime.now(UTC).date()) + timedelta(days=days) - EPOCH).days
    payload = struct.pack(">IH", account_id, expires)
    mac = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:12]
    return _b64(payload + mac)


def read(token: str, secret: str, today: date | None = None) -> int | None:
    """The account id, or None for a token that is malformed, forged or expired."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) != 18 or not secret:
        return None
    payload, mac = raw[:6], raw[6:]
    if not hmac.compare_digest(mac, hmac.new(_key(secret), payload, hashlib.sha256).digest()[:12]):
        return None
    account_id, expires = struct.unpack(">IH", payload)
    if EPOCH + timedelta(days=expires) < (today or datetime.now(UTC).date()):
        return None
    return account_id


# Web-chat conversation ids are issued by the server: 16 random bytes and 16 bytes of their
# HMAC. The public webhook reaches only conversations whose id carries a valid mark, so no
# client can name another channel's thread (`sms:+32...`) or guess its way into someone's chat.
WEB_PREFIX = "web-"


def _web_key(secret: str) -> bytes:
    return hashlib.sha256(b"amicable-web-conversation:" + secret.encode()).digest()


def issue_web_id(secret: str) -> str:
    if not secret:
        raise ValueError("no link secret configured (AMICABLE_LINK_SECRET)")
    nonce = secrets.token_bytes(16)
    mac = hmac.new(_web_key(secret), nonce, hashlib.sha256).digest()[:16]
    return f"{WEB_PREFIX}{_b64(nonce)}.{_b64(mac)}"


def web_id_valid(conversation_id: str, secret: str) -> bool:
    if not secret or not conversation_id.startswith(WEB_PREFIX) or len(conversation_id) != 4 + 22 + 1 + 22:
        return False
    nonce_text, _, mac_text = conversation_id[len(WEB_PREFIX) :].partition(".")
    try:
        nonce = base64.urlsafe_b64decode(nonce_text + "==")
        mac = base64.urlsafe_b64decode(mac_text + "==")
    except (ValueError, TypeError):
        return False
    if len(nonce) != 16 or _b64(nonce) != nonce_text or _b64(mac) != mac_text:
        return False  # only the one spelling the server issued: no spare bits, no look-alikes
    expected = hmac.new(_web_key(secret), nonce, hashlib.sha256).digest()[:16]
    return hmac.compare_digest(mac, expected)


def chat_url(base_url: str, token: str, language: str | None) -> str:
    """The web chat opened for a file: its token, and the debtor's language so the page and
    the widget's own labels are in it from the first screen (`?lang=`)."""
    url = f"{base_url.rstrip('/')}/?token={token}"
    return f"{url}&lang={language}" if language in ("en", "fr", "nl") else url
