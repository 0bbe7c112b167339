"""What the action server logs names no one: conversation ids carry phone numbers
(`sms:+32470123456`) and Telegram chat ids, and they are in the API paths `actions.api` logs
(`/api/v1/conversations/sms:+32470123456/account`); an API's answer or a failed action may
carry an e-mail address or what the debtor wrote. A logging filter masks them in the message,
its arguments and any traceback: numbers keep their country code and last two digits
(`+32*******56`), addresses their first letter and domain (`s***@example.com`), and text under
a message-like key only its length (`<text: 57 chars>`).

The action server runs in its own environment (rasa-sdk, Python 3.10): this module uses the
standard library only and shares nothing with `amicable` (whose web process does the same in
`amicable/logging.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

TEXT_KEYS = ("text", "body", "message", "reply", "payload", "transcript", "summary", "details", "answer")

# E.164 country codes of one and two digits; every other code has three.
_CC1 = {"1", "7"}
_CC2 = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "  # noqa: SIM905
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)
_PHONE = re.compile(r"((?<![\w*%])\+|%2[Bb]|(?<![\w*+%])00)([1-9](?:[ .\-]?\d){6,14})(?![\d*])")
_TELEGRAM_ID = re.compile(r"(?i)(telegram(?::|%3A))(-?)(\d{3,})")
_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9_%+-])[A-Za-z0-9._%+-]*(@|%40)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_QUOTED_TEXT = re.compile(rf"(?i)(['\"])({'|'.join(TEXT_KEYS)})\1(\s*:\s*)(['\"])((?:\\.|(?!\4).)*)\4")
_LENGTH = re.compile(r"<text: \d+ chars>")


def _stars(digits: str) -> str:
    return "*" * max(len(digits) - 2, 1) + digits[-2:]


def _phone(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(2))
    code = 1 if digits[:1] in _CC1 else 2 if digits[:2] in _CC2 else 3
    return match.group(1) + digits[:code] + _stars(digits[code:])


def _length(text: str) -> str:
    return text if _LENGTH.fullmatch(text) else f"<text: {len(text)} chars>"


def mask_text(text: str) -> str:
    """Phone numbers, Telegram chat ids, e-mail addresses and bearer tokens masked, and the
    text under a message-like key of a dict's repr or JSON replaced by its length."""
    if not text:
        return text
    text = _BEARER.sub(lambda m: f"{m[1]} <token>", text)
    text = _QUOTED_TEXT.sub(lambda m: f"{m[1]}{m[2]}{m[1]}{m[3]}{m[4]}{_length(m[5])}{m[4]}", text)
    text = _EMAIL.sub(lambda m: f"{m[1]}***{m[2]}{m[3]}", text)
    text = _TELEGRAM_ID.sub(lambda m: m[1] + m[2] + _stars(m[3]), text)
    return _PHONE.sub(_phone, text)


def _mask_arg(value: Any, key: Any = None) -> Any:
    if isinstance(key, str) and key.lower() in TEXT_KEYS and isinstance(value, str):
        return _length(value)
    if isinstance(value, str):
        return mask_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Mapping):
        return {k: _mask_arg(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_arg(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_mask_arg(v) for v in value)
    shown = str(value)
    masked = mask_text(shown)
    return value if masked == shown else masked


class MaskingFilter(logging.Filter):
    """Masks a record's message, arguments (one by one, so "%d" still gets a number), and
    traceback, before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_masked", False):
            return True
        record._masked = True
        record.msg = mask_text(record.msg) if isinstance(record.msg, str) else _mask_arg(record.msg)
        if isinstance(record.args, Mapping):
            record.args = _mask_arg(record.args)
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(arg) for arg in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install(*loggers: logging.Logger) -> None:
    """The filter on the given loggers (whatever handlers they reach later), and on every
    handler already set up: rasa-sdk configures its own (and the root's) before it imports the
    actions, so its records and the libraries' are masked too."""
    for logger in loggers:
        if not any(isinstance(f, MaskingFilter) for f in logger.filters):
            logger.addFilter(MaskingFilter())
    every = [
        logging.getLogger(),
        *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger)),
    ]
    for logger in every:
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
