"""Email out through SMTP, and the signed addresses and links an email carries.

`SMTP_URL` says where: `smtp://user:pass@host:587` speaks plain SMTP and upgrades with
STARTTLS whenever the server offers it (and refuses to send a password over a connection it
could not encrypt, except to this machine); `smtps://…:465` is TLS from the first byte.
`EMAIL_FROM` is the sender (`Name <collections@example.com>`); replies come back to
`reply+TOKEN@` its domain, where TOKEN is signed, so an inbound reply is bound to the file by
what we wrote, never by a From header anyone can forge.

A send is retried with back-off only when the server said "not now" (4xx) or the connection
failed before the message was handed over (before DATA). Once the message's text has gone
out, a dropped connection or a silence means the server may have it: it is not sent again (the
debtor must not get a reminder twice), and the failure says its fate is unknown. A message the
server accepted is a sent one, whatever happens to the connection afterwards (QUIT included).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import smtplib
import ssl
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from email_validator import EmailNotValidError, validate_email

from amicable.providers.errors import NotConfigured, NotSent
from amicable.settings import Settings

ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
TIMEOUT_SECONDS = 20.0
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None


def server(settings: Settings) -> Server:
    """The SMTP server of `SMTP_URL`, or NotConfigured."""
    if not settings.smtp_url or not settings.email_from:
        raise NotConfigured("email sending is not configured (SMTP_URL and EMAIL_FROM)")
    url = urlsplit(settings.smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise NotConfigured(f"SMTP_URL must look like smtp://user:pass@host:587 or smtps://…; got {url.scheme}://")
    implicit = url.scheme == "smtps"
    return Server(
        url.hostname,
        url.port or (465 if implicit else 25),
        implicit,
        unquote(url.username) if url.username else None,
        unquote(url.password) if url.password else None,
    )


def sender(settings: Settings) -> Address:
    name, address = parseaddr(settings.email_from)
    if "@" not in address:
        raise NotConfigured(f"EMAIL_FROM is not an email address: {settings.email_from!r}")
    user, domain = address.rsplit("@", 1)
    return Address(name or "", user, domain)


class _Progress:
    """How far one attempt got: past DATA (`handed_over`), and accepted with 250 (`accepted`)."""

    def __init__(self) -> None:
        self.handed_over = False
        self.accepted = False


class _Tracked:
    """An SMTP connection that records, on `progress`, when the message's text went out and
    whether the server took it: the difference between a safe retry and a second copy."""

    progress: _Progress

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.progress.handed_over = True
        code, reply = super().data(msg)  # type: ignore[misc]
        self.progress.accepted = code == 250  # anything else, sendmail raises as the server's answer
        return code, reply


class _SMTP(_Tracked, smtplib.SMTP):
    pass


class _SMTPS(_Tracked, smtplib.SMTP_SSL):
    pass


def send(  # type: ignore[no-untyped-def]
    settings: Settings, message: EmailMessage, recipients: list[str] | None = None, sleep=time.sleep
) -> str:
    """Hand `message` to the SMTP server, for `recipients` (else its To); its Message-ID, or
    NotSent saying why. Never hands the same message over twice (see the module's docstring)."""
    where = server(settings)
    recipients = recipients or [a for _, a in getaddresses(message.get_all("To", []))]
    last = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        progress = _Progress()
        try:
            _deliver(where, message, recipients, progress)
            return str(message["Message-ID"])
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(400 <= code < 500 for code in codes):
                last = f"the server deferred the recipient ({codes[0]})"
                continue
            raise NotSent(f"the mail server refused the address: {_first(error.recipients)}") from None
        except smtplib.SMTPResponseException as error:
            if progress.accepted:  # a complaint after the 250 (at QUIT): the message is theirs
                return str(message["Message-ID"])
            text = (
                error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
            )
            if 400 <= error.smtp_code < 500:
                last = f"the server said not now ({error.smtp_code} {text})"
                continue
            raise NotSent(f"the mail server refused the message ({error.smtp_code} {text})") from None
        except ssl.SSLCertVerificationError as error:  # trying again will not make it trusted
            raise NotSent(f"the mail server's certificate is not trusted ({error.verify_message})") from None
        except (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as error:
            if progress.accepted:
                return str(message["Message-ID"])
            if progress.handed_over:
                raise NotSent(
                    "the mail server stopped answering after the message was handed over; it may have "
                    f"arrived, so it is not sent again ({error or type(error).__name__})"
                ) from None
            last = f"the mail server could not be reached ({error})"
            continue
    raise NotSent(f"{last}; tried {ATTEMPTS} times")


def _first(recipients: dict) -> str:
    address, (code, text) = next(iter(recipients.items()))
    return f"{address} ({code} {text.decode(errors='replace') if isinstance(text, bytes) else text})"


def _deliver(where: Server, message: EmailMessage, recipients: list[str], progress: _Progress) -> None:
    context = ssl.create_default_context()
    smtp = _SMTPS(timeout=TIMEOUT_SECONDS, context=context) if where.implicit_tls else _SMTP(timeout=TIMEOUT_SECONDS)
    smtp.progress = progress
    # The host given to the connection, not the constructor: SMTP_SSL checks the certificate
    # against the name it was given here.
    smtp._host = where.host
    with smtp:
        code, greeting = smtp.connect(where.host, where.port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, greeting)
        smtp.ehlo()
        encrypted = where.implicit_tls
        if not encrypted and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
            encrypted = True
        if where.user:
            if not encrypted and where.host not in LOCAL_HOSTS:
                raise NotSent("the mail server offers no encryption: the password is not sent in clear")
            smtp.login(where.user, where.password or "")
        smtp.send_message(message, to_addrs=recipients)


def plain_message(
    settings: Settings,
    account_id: int,
    to: str,
    text: str,
    subject: str,
    sender_name: str = "",
    in_reply_to: str = "",
    references: list[str] | None = None,
) -> EmailMessage:
    """A short text email in a conversation (the bot's answer, an agent's reply): from us,
    with the reply address bound to the file and, when answering, in the debtor's thread."""
    own = sender(settings)
    message = EmailMessage()
    message["From"] = Address(sender_name or own.display_name, own.username, own.domain)
    message["To"] = to
    message["Subject"] = safe_subject(subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = new_message_id(settings)
    message["Reply-To"] = reply_address(settings, account_id)
    if safe_message_id(in_reply_to):
        message["In-Reply-To"] = in_reply_to
        kept = [r for r in references or [] if safe_message_id(r)]
        message["References"] = " ".join([*kept, in_reply_to][-20:])
    message.set_content(text.rstrip() + "\n")
    return message


_MESSAGE_ID = re.compile(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,200}@[A-Za-z0-9.-]{1,200}>")


def safe_message_id(value: str) -> bool:
    """A Message-ID as mail systems write it, and nothing that could smuggle a header."""
    return bool(_MESSAGE_ID.fullmatch(value or ""))


REPLY_SUBJECTS = {"en": "Re: your message", "fr": "Re : votre message", "nl": "Re: uw bericht"}


def reply_subject(language: str | None) -> str:
    """The subject of every answer we write in a conversation. Never the debtor's own subject:
    a From header anyone can forge would make us send their words, under the creditor's name,
    to the address they chose."""
    return REPLY_SUBJECTS.get(language or "", REPLY_SUBJECTS["en"])


def safe_subject(subject: str) -> str:
    """A subject taken from a debtor's email, made inert: no line breaks or control
    characters, no encoded words that a later encoding would decode again."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in subject).replace("=?", "= ?")
    return " ".join(cleaned.split())[:150]


def usable_email(address: str | None) -> str | None:
    """The address in the form we write to (lower case domain), or None when it is not one."""
    if not address:
        return None
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def new_message_id(settings: Settings) -> str:
    return make_msgid(domain=sender(settings).domain)


# Reply addresses: reply+TOKEN@domain. Some mail systems lower-case the local part, so the
# token is lower-case base32: the account id and 10 bytes of HMAC (within the 64 characters
# a local part may have).
# The same shape signs the unsubscribe link, with a key of its own purpose.
def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"amicable-email-{purpose}:".encode() + secret.encode()).digest()


def reply_token(account_id: int, secret: str, purpose: str = "reply") -> str:
    payload = struct.pack(">I", account_id)
    mac = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()[:10]
    return base64.b32encode(payload + mac).decode().rstrip("=").lower()


def read_reply_token(token: str, secret: str, purpose: str = "reply") -> int | None:
    """The account id of a reply (or unsubscribe) token, or None when malformed or forged."""
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (ValueError, TypeError):
        return None
    if len(raw) != 14 or not secret:
        return None
    payload, mac = raw[:4], raw[4:]
    if not hmac.compare_digest(mac, hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()[:10]):
        return None
    return int(struct.unpack(">I", payload)[0])


def reply_address(settings: Settings, account_id: int) -> Address:
    own = sender(settings)
    return Address(
        own.display_name, f"{own.username}+{reply_token(account_id, settings.amicable_link_secret)}", own.domain
    )


# The unsubscribe link names the file and the address it was sent to (a hash of it), signed
# together: a forged link is refused, and an old email's link cannot stop email to the
# debtor's next address.
def _address_hash(address: str) -> bytes:
    return hashlib.sha256(address.strip().lower().encode()).digest()[:4]


def unsubscribe_token(account_id: int, address: str, secret: str) -> str:
    payload = struct.pack(">I", account_id) + _address_hash(address)
    mac = hmac.new(_key(secret, "unsubscribe"), payload, hashlib.sha256).digest()[:10]
    return base64.b32encode(payload + mac).decode().rstrip("=").lower()


def read_unsubscribe_token(token: str, secret: str) -> tuple[int, bytes] | None:
    """The file and the address hash of a genuine unsubscribe token, else None."""
    try:
        raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    except (ValueError, TypeError):
        return None
    if len(raw) != 18 or not secret:
        return None
    payload, mac = raw[:8], raw[8:]
    if not hmac.compare_digest(mac, hmac.new(_key(secret, "unsubscribe"), payload, hashlib.sha256).digest()[:10]):
        return None
    return int(struct.unpack(">I", payload[:4])[0]), payload[4:]


def sent_to(address_hash: bytes, address: str) -> bool:
    return hmac.compare_digest(address_hash, _address_hash(address))


def unsubscribe_url(settings: Settings, account_id: int, address: str) -> str:
    token = unsubscribe_token(account_id, address, settings.amicable_link_secret)
    return f"{settings.public_base_url.rstrip('/')}/email/unsubscribe/{token}"


def token_in(addresses: list[str], settings: Settings) -> int | None:
    """The account a reply is for: the first of `addresses` that is our reply address with a
    valid token."""
    own = sender(settings)
    for raw in addresses:
        address = parseaddr(raw)[1].lower()
        local, _, domain = address.partition("@")
        prefix = own.username.lower() + "+"
        if domain == own.domain.lower() and local.startswith(prefix):
            account_id = read_reply_token(local[len(prefix) :], settings.amicable_link_secret)
            if account_id is not None:
                return account_id
    return None
