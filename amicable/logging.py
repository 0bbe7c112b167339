"""Structured logs, one line per event, so refused webhooks and blocked sends can be audited.

A log says what happened, never to whom or in what words: phone numbers (conversation ids
carry them: `sms:+32470123456`), e-mail addresses and Telegram chat ids are masked, and what
was sent or said is replaced by its length, in every line of the process, ours (structlog) and
the libraries' (stdlib `logging`: uvicorn, httpx, twilio, python-telegram-bot), in one place
here rather than at each call. Credentials (the Telegram bot token in its API's URLs, Twilio's
account SID, bearer tokens, passwords in URLs) never appear at all.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

# Keys whose value is something written or said: only its length is logged.
TEXT_KEYS = frozenset(
    {
        "text",
        "texts",
        "body",
        "message",
        "messages",
        "reply",
        "replies",
        "payload",
        "transcript",
        "summary",
        "details",
        "speech",
        "speechresult",
        "digits",
        "caption",
        "content",
        "answer",
        "date_of_birth",
        "postcode",
    }
)
# Keys whose value names a person's address, even as a bare number (a Telegram chat id).
ADDRESS_KEYS = frozenset(
    {
        "to",
        "from",
        "from_",
        "address",
        "phone",
        "email",
        "chat",
        "chat_id",
        "sender",
        "sender_id",
        "recipient",
        "recipient_id",
        "user_id",
        "caller",
        "called",
        "conversation",
        "conversation_id",
    }
)
# Keys whose value is a credential: never logged.
SECRET_KEYS = frozenset(
    {
        "token",
        "auth_token",
        "bot_token",
        "api_key",
        "password",
        "secret",
        "authorization",
        "account_sid",
    }
)
# Keys structlog itself adds, which carry nothing personal.
_OWN_KEYS = frozenset({"timestamp", "level", "logger", "logger_name", "_record", "_from_structlog"})

# E.164 country codes of one and two digits; every other code has three.
_CC1 = {"1", "7"}
_CC2 = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "  # noqa: SIM905
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)

_SEP = r"[ .\-]?"
# A number in international form: "+32470123456", "+32 470 12 34 56", URL-encoded "%2B32...".
_INTERNATIONAL = re.compile(rf"((?<![\w*%])\+|%2[Bb])([1-9](?:{_SEP}\d){{6,14}})(?![\d*])")
# The same with the "00" international prefix: "0032470123456".
_ZERO_ZERO = re.compile(r"(?<![\w*+%])(00)([1-9]\d{7,13})(?![\d*])")
# A national number: "0470 12 34 56", "0470123456".
_NATIONAL = re.compile(rf"(?<![\w*+%.,:/-])(0)([1-9](?:{_SEP}\d){{7,9}})(?![\w*]|[.,]\d)")
# Conversation ids that are Telegram chat ids: "telegram:123456789".
_TELEGRAM_ID = re.compile(r"(?i)(telegram(?::|%3A))(-?)(\d{3,})")
_EMAIL = re.compile(
    r"(?<![\w.%+-])([A-Za-z0-9_%+-])[A-Za-z0-9._%+-]*(@|%40)([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
# Credentials: the Telegram bot token (in its API's URLs and alone), Twilio's account SID,
# bearer tokens, and user:password in a URL.
_BOT_URL = re.compile(r"/bot\d+:[^/\s\"'?&]+")
_BOT_TOKEN = re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{30,}")
_TWILIO_SID = re.compile(r"\bAC[0-9a-fA-F]{32}\b")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_URL_CREDENTIALS = re.compile(r"(://)[^/\s:@]+:[^/\s@]+@")
# A text key inside a string: a dict's repr or JSON ('text': '...', "Body": "..."), or a form
# or query string (Body=...&).
_KEYS = "|".join(sorted(TEXT_KEYS, key=len, reverse=True))
_QUOTED_TEXT = re.compile(rf"(?i)(['\"])({_KEYS})\1(\s*:\s*)(['\"])((?:\\.|(?!\4).)*)\4")
_FORM_TEXT = re.compile(rf"(?i)(?<![\w.-])({_KEYS})=(<text: \d+ (?:chars|items)>|[^&\s\"']*)")
# A bare number under an address key in a dict's repr or JSON: 'chat_id': 123456789.
_QUOTED_ID = re.compile(rf"(?i)(['\"](?:{'|'.join(sorted(ADDRESS_KEYS))})['\"]\s*:\s*)(-?)(\d{{3,}})\b")
_LENGTH = re.compile(r"<text: \d+ (?:chars|items)>")


def _stars(digits: str, keep: int = 2) -> str:
    return "*" * max(len(digits) - keep, 1) + digits[-keep:]


def _phone(match: re.Match[str]) -> str:
    prefix, digits = match.group(1), re.sub(r"\D", "", match.group(2))
    if prefix in ("0",):
        return prefix + _stars(digits)
    code = 1 if digits[:1] in _CC1 else 2 if digits[:2] in _CC2 else 3
    return prefix + digits[:code] + _stars(digits[code:])


def mask_id(value: str) -> str:
    """A bare identifier (a chat id): only its last two characters."""
    sign = "-" if value.startswith("-") else ""
    return sign + _stars(value.lstrip("-"))


def text_length(value: Any) -> Any:
    """What stands in a log for something written or said."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value if _LENGTH.fullmatch(value) else f"<text: {len(value)} chars>"
    if isinstance(value, (list, tuple, dict)):
        return f"<text: {len(value)} items>"
    return f"<text: {len(str(value))} chars>"


def mask_text(text: str) -> str:
    """Every phone number, e-mail address, Telegram chat id and credential in a string masked,
    and the text carried by a message-like key in a dict's repr, JSON or a form replaced."""
    if not text:
        return text
    text = _BOT_URL.sub("/bot<token>", text)
    text = _BOT_TOKEN.sub("<token>", text)
    text = _TWILIO_SID.sub("AC<sid>", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} <token>", text)
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    text = _QUOTED_TEXT.sub(lambda m: f"{m[1]}{m[2]}{m[1]}{m[3]}{m[4]}{text_length(m[5])}{m[4]}", text)
    text = _FORM_TEXT.sub(lambda m: f"{m[1]}={text_length(m[2])}", text)
    text = _QUOTED_ID.sub(lambda m: m[1] + m[2] + _stars(m[3]), text)
    text = _EMAIL.sub(lambda m: f"{m[1]}***{m[2]}{m[3]}", text)
    text = _TELEGRAM_ID.sub(lambda m: m[1] + m[2] + _stars(m[3]), text)
    text = _INTERNATIONAL.sub(_phone, text)
    text = _ZERO_ZERO.sub(_phone, text)
    return _NATIONAL.sub(_phone, text)


def mask_value(value: Any, key: str | None = None) -> Any:
    """A logged value, masked according to its key and, for strings, its content; containers
    are masked item by item."""
    name = key.lower() if isinstance(key, str) else None
    if name in SECRET_KEYS and value:
        return "<redacted>"
    if name in TEXT_KEYS:
        return text_length(value)
    if isinstance(value, str):
        masked = mask_text(value)
        if name in ADDRESS_KEYS and masked == value and re.fullmatch(r"-?\d{3,}", value):
            return mask_id(value)
        return masked
    if isinstance(value, (bool, float, Decimal)) or value is None:
        return value
    if isinstance(value, int):
        return mask_id(str(value)) if name in ADDRESS_KEYS else value
    if isinstance(value, Mapping):
        return {k: mask_value(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [mask_value(v, key) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, bytes):
        return mask_text(value.decode("utf-8", "replace"))
    # Anything else (an exception, a URL object) is logged as its text: masked when it has to be.
    shown = str(value)
    masked = mask_text(shown)
    return value if masked == shown else masked


def mask_sensitive(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """The structlog processor: every value of the event masked (see `mask_value`)."""
    for key, value in list(event_dict.items()):
        if key in _OWN_KEYS:
            continue
        if key in ("event", "exception", "stack"):
            event_dict[key] = mask_text(value) if isinstance(value, str) else mask_value(value)
        else:
            event_dict[key] = mask_value(value, key)
    return event_dict


class MaskingFilter(logging.Filter):
    """The same masking for stdlib `logging` records: the message, its arguments and any
    traceback. Installed on the handlers, so it sees every record they write, whichever
    logger it came from."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_amicable_masked", False):
            return True
        record._amicable_masked = True
        record.msg = mask_text(record.msg) if isinstance(record.msg, str) else mask_value(record.msg)
        if isinstance(record.args, Mapping):
            record.args = mask_value(record.args)
        elif isinstance(record.args, tuple):
            # Item by item, so numbers stay numbers for "%d" and a formatter that reads the
            # arguments (uvicorn's access log) still finds them.
            record.args = tuple(mask_value(arg) for arg in record.args)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


class _StandardError:
    """Standard error as it is when a line is written, not when logging was configured: a
    test, or a command, may have replaced `sys.stderr` in between."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


STDERR = _StandardError()


def _install_stdlib(level: int) -> None:
    """Records of the libraries go through the same masking: rendered like ours by the root
    handler, and filtered on every handler already set up (uvicorn's, by the time the app is
    created)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_amicable", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(STDERR)  # type: ignore[arg-type]
    handler._amicable = True  # type: ignore[attr-defined]
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.processors.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso"),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                mask_sensitive,
                structlog.dev.ConsoleRenderer(colors=False),
            ],
        )
    )
    root.addHandler(handler)
    if root.getEffectiveLevel() > level:
        root.setLevel(level)
    loggers = [root, *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    for logger in loggers:
        for each in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in each.filters):
                each.addFilter(MaskingFilter())


def configure_logging(level: int = logging.INFO) -> None:
    """Logs go to standard error, so a command's output (a JSON plan) stays clean."""
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(STDERR),  # type: ignore[arg-type]
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            # A traceback as plain text, so it is masked like the rest (and shows no locals).
            structlog.processors.format_exc_info,
            mask_sensitive,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
    _install_stdlib(level)
