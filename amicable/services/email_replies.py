"""Reading an email a debtor sent back: the new words only (no quoted history, no signature),
the addresses it came to, and whether it is a person writing at all (an out-of-office or a
bounce is not).

Mail arrives in every shape: multipart or not, HTML only, charsets Python does not know,
attachments without text. Each is read calmly; what cannot be read is said to be so, never
raised.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser

from mailparser_reply import EmailReplyParser

from amicable.providers.email import usable_email

LANGUAGES = ["en", "fr", "nl"]
# What a mail client writes above the quote, when the parser's own patterns miss it (Gmail in
# Dutch: "Op di 3 dec. 2026 om 10:00 schreef Naam <adres>:").
_ATTRIBUTION = re.compile(r"^\s*(on|le|op|am)\b.{0,200}(wrote|a écrit|schreef|écrit)\b.*:\s*$", re.IGNORECASE)


@dataclass
class Incoming:
    sender: str
    """The From address, lower case ('' when there is none)."""
    recipients: list[str]
    subject: str
    message_id: str
    references: list[str]
    text: str
    """The new words of the reply, without quotes or signature ('' when there were none)."""
    automatic: bool
    """An auto-reply, an out-of-office or a mailing-list robot: never answered."""
    report: str | None = None
    """'delivery-status' for a bounce (RFC 3464), 'feedback-report' for a complaint (ARF)."""
    failed: list[str] = field(default_factory=list)
    """The addresses a bounce or complaint is about."""
    original: list[str] = field(default_factory=list)
    """The Reply-To and To of the email a report returns (to check it was ours)."""
    diagnosis: str = ""
    """Why, as the report says it: a bounce's Status and Diagnostic-Code ("5.1.1; smtp; 550
    5.1.1 no such user"), a complaint's Feedback-Type ("abuse"); '' when it says nothing."""


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


# Address headers longer than this are cut before they are read: parsing a header of tens of
# thousands of addresses takes seconds, and a reply has one sender and a few recipients.
MAX_ADDRESS_HEADER = 8_000


_TAGGED = re.compile(r"[A-Za-z0-9._-]{1,64}\+[A-Za-z2-7]{10,40}@[A-Za-z0-9.-]{1,200}")


def _raw_header(message: EmailMessage, name: str) -> list[str]:
    """A header's values as written (not parsed into objects), each cut to a sane length."""
    return [str(value)[:MAX_ADDRESS_HEADER] for key, value in message.raw_items() if key.lower() == name.lower()]


def _one_sender(message: EmailMessage) -> str:
    """The single address of From, or '' when there is not exactly one usable address
    (a list, a group, a name only): an answer must never go to more than one person."""
    found = [address for _, address in getaddresses(_raw_header(message, "From")) if address]
    if len(found) != 1 or found[0].count("@") != 1 or any(c in found[0] for c in ',;<>"\\ \t\r\n'):
        return ""
    return usable_email(found[0]) or ""


def read(message: EmailMessage) -> Incoming:
    headers = ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
    raw = [str(v) for k, v in message.raw_items() if k.lower() in {h.lower() for h in headers}]
    # A reply address (name+token@domain) is found wherever it stands, however long the header;
    # the rest is parsed only as far as any real reply goes.
    recipients = [a for text in raw for a in _TAGGED.findall(text)]
    recipients += [address for _, address in getaddresses([text[:MAX_ADDRESS_HEADER] for text in raw])]
    sender = _one_sender(message).lower()
    references = " ".join(_raw_header(message, "References"))[:4000].split()
    auto = " ".join(_raw_header(message, "Auto-Submitted")).strip().lower() or "no"
    automatic = (
        auto != "no"
        or bool(_raw_header(message, "X-Autoreply") or _raw_header(message, "X-Autorespond"))
        or " ".join(_raw_header(message, "Precedence")).strip().lower() in ("bulk", "junk", "list", "auto_reply")
        or sender.startswith(("mailer-daemon@", "postmaster@", "noreply@", "no-reply@"))
    )
    report = None
    failed: list[str] = []
    original: list[str] = []
    diagnosis = ""
    if message.get_content_type() == "multipart/report":
        report = message.get_param("report-type") or "delivery-status"
        failed = _reported_addresses(message)
        original = _original_reply_addresses(message)
        diagnosis = _diagnosis(message)
    message_ids = _raw_header(message, "Message-ID")
    return Incoming(
        sender=sender,
        recipients=recipients,
        subject=_subject(message),
        message_id=message_ids[0].strip() if message_ids else "",
        references=references,
        text="" if report else new_words(body_text(message)),
        automatic=automatic or report is not None,
        report=str(report) if report else None,
        failed=failed,
        original=original,
        diagnosis=diagnosis,
    )


def _subject(message: EmailMessage) -> str:
    """The subject as the debtor's client shows it (encoded words decoded once); whoever uses it
    in an answer makes it inert first (providers.email.safe_subject)."""
    try:
        return str(message.get("Subject", ""))[:500]
    except Exception:  # a header the parser cannot decode: its raw text
        return " ".join(_raw_header(message, "Subject"))[:500]


def _original_reply_addresses(message: EmailMessage) -> list[str]:
    """The Reply-To (and From) of the email a bounce or complaint returns (its message/rfc822
    or text/rfc822-headers part): ours carry the file's signed reply address, which is how a
    report is known to be about an email we sent to that address."""
    found: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            headers = [str(v) for k, v in inner.raw_items() if k.lower() in ("reply-to", "to")] if inner else []
        elif kind == "text/rfc822-headers":
            text = str(part.get_payload(decode=True) or b"", "utf-8", "replace")
            headers = [v for k, v in _header_lines(text).items() if k in ("reply-to", "to")]
        else:
            continue
        found += [address for _, address in getaddresses([h[:MAX_ADDRESS_HEADER] for h in headers]) if address]
    return found


def body_text(message: EmailMessage) -> str:
    """The text of the message: its plain part, else its HTML part as text."""
    part = message.get_body(("plain",))
    if part is not None:
        return _content(part)
    part = message.get_body(("html",))
    if part is not None:
        return html_to_text(_content(part))
    return ""


def _content(part: Message) -> str:
    try:
        return str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, AssertionError):
        # A charset Python does not know, or a wrong one: read it as UTF-8, keeping what it can.
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


# Where the quoted history starts when the client writes no "> ": Outlook's separators and
# header blocks, forwarded-message lines, in the three languages.
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|message d'origine|mail original|message original|oorspronkelijk bericht|"
    r"origineel bericht|forwarded message|message transféré|doorgestuurd bericht)\s*-{2,}|_{10,}|-{10,})\s*$",
    re.IGNORECASE,
)
_HEADER_FIELD = re.compile(r"^\s*\*?(from|de|van|sent|envoyé|verzonden|date|datum)\s*\*?\s*:", re.IGNORECASE)
_SENT_FIELD = re.compile(
    r"^\s*\*?(sent|envoyé|verzonden|date|datum|to|à|aan|subject|objet|onderwerp)\s*\*?\s*:", re.IGNORECASE
)
# What a phone or an app adds under the reply.
_SENT_FROM = re.compile(
    r"^\s*(sent from|sent with|get outlook|envoyé de|envoyé depuis|envoyé à partir|obtenir outlook|"
    r"verzonden (vanaf|vanuit|met|via)|verstuurd (vanaf|vanuit|met|via)|outlook voor|download outlook)\b",
    re.IGNORECASE,
)
# Sign-offs: a line that starts with one ends the new words (when words came before it).
_SIGN_OFF = re.compile(
    r"^\s*(kind regards|best regards|warm regards|regards|best wishes|many thanks|thanks again|cheers|"
    r"yours (faithfully|sincerely|truly)|sincerely|best,|thank you,|thanks,|"
    r"bien cordialement|cordialement|bien à vous|bien a vous|cdt|cdlt|salutations|meilleures salutations|"
    r"sincères salutations|bonne (journée|soirée),|merci d'avance,|"
    r"met vriendelijke groet(en)?|vriendelijke groet(en)?|hartelijke groet(en)?|beste groet(en)?|"
    r"groet(en|jes)?|mvg|m\.v\.g\.|hoogachtend|alvast bedankt,)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"^([A-ZÀ-Ý][\w'.-]*)(\s+[A-ZÀ-Ý][\w'.-]*){0,3}(\s+[-|,]?\s*\+?[\d ()./-]{8,})?$")
_BULLET = re.compile(r"^([ \t]*)- (?=\S)", re.MULTILINE)
_KEPT_BULLET = "\u2022\u2060 "
# What closes a message after its words: thanks and greetings alone, a sign-off with a name
# on the same line, a name (initials too), a name with a job title.
_CLOSING = re.compile(
    r"^(?i:thx|thanks|thank you|many thanks|ta|cheers|merci|merci beaucoup|merci d'avance|a\+|@\+|bàv|bav|"
    r"bisous|bedankt|alvast bedankt|dank u|dank je|gr\.|gr|grtz|greetz|groetjes|groeten|groet|mvg|vg|"
    r"regards|best|cordialement|cdt|bien à vous|salutations)(?![\w+])[\s,.!]*"
    r"((?:[A-ZÀ-Ý][\w'.-]*\s?){0,3})$"
)
_NAME_LINE = re.compile(r"^((Mme|Mr|Mrs|Ms|M\.|Dhr\.|Mevr\.)\s+)?([A-ZÀ-Ý][\w'-]*\.?)(\s+[A-ZÀ-Ý][\w'-]*\.?){0,3}$")
_INLINE_SIGN_OFF = re.compile(
    r"(?<=[.!?)])\s+(?i:regards|kind regards|cheers|thanks|thx|cordialement|cdt|bàv|groeten|gr\.|mvg|greetz)"
    r"[,.]?\s+(Mme\s+|Mr\s+|Dhr\.\s+)?[A-ZÀ-Ý][\w'.-]*(\s+[A-ZÀ-Ý][\w'.-]*){0,2}\.?$"
)
_PHONE = re.compile(r"(\+?\d[\d .()/-]{7,}\d)")


def new_words(text: str) -> str:
    """The reply without the quoted history and the signature, in any of the three languages:
    mail-parser-reply first, then what it misses (Outlook's blocks without "> ", phone
    footers, sign-offs, a name-and-number signature)."""
    text = text.replace("\r\n", "\n").replace("\xa0", " ")
    # The parser takes a list's "- " for a signature's "-- ": lists are kept aside from it.
    text = _BULLET.sub(lambda m: m.group(1) + _KEPT_BULLET, text)
    parsed = EmailReplyParser(languages=LANGUAGES).read(text)
    latest = parsed.replies[0].body if parsed.replies else text
    lines = _until_history(latest.split("\n"))
    lines = _without_closing(_without_signature(lines))
    return "\n".join(lines).strip().replace(_KEPT_BULLET, "- ")


def _until_history(lines: list[str]) -> list[str]:
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">") or _SEPARATOR.match(line):
            break
        if _HEADER_FIELD.match(line):
            following = [x for x in lines[index + 1 : index + 8] if x.strip()][:3]
            if sum(bool(_SENT_FIELD.match(x)) for x in following) >= 2:
                break
        kept.append(line)
    while kept and (not kept[-1].strip() or _ATTRIBUTION.match(kept[-1])):
        kept.pop()
    return kept


def _without_signature(lines: list[str]) -> list[str]:
    words_before = False
    for index, line in enumerate(lines):
        if _SENT_FROM.match(line):
            return _trimmed(lines[:index])
        if words_before and _SIGN_OFF.match(line) and len(lines) - index <= 20:
            return _trimmed(lines[:index])
        words_before = words_before or bool(line.strip())
    return _trimmed(_without_card(lines))


def _without_card(lines: list[str]) -> list[str]:
    """A last block of a few short lines with a phone number or a web address and no sentence
    in it (a name and a number): a signature without a sign-off."""
    text = "\n".join(lines).rstrip()
    head, sep, last = text.rpartition("\n\n")
    if not sep:
        return lines
    block = [x.strip() for x in last.split("\n") if x.strip()]
    card = (
        1 <= len(block) <= 5
        and all(len(x) <= 70 and not x.endswith(("?", "!")) for x in block)
        and any(_PHONE.search(x) or "www." in x.lower() for x in block)
        and not any(len(x.split()) > 8 or "€" in x or "+++" in x for x in block)
        and bool(_NAME.match(block[0]))
    )
    return head.split("\n") if card else lines


def _without_closing(lines: list[str]) -> list[str]:
    """Thanks, greetings and a name after the words (not the words themselves: a reply that
    is only "Thanks!" stays)."""
    lines = _trimmed(lines)
    for _ in range(4):
        content = [i for i, line in enumerate(lines) if line.strip()]
        if len(content) < 2:
            break
        last = lines[content[-1]].strip()
        paragraph_start = content[-1]
        while paragraph_start > 0 and lines[paragraph_start - 1].strip():
            paragraph_start -= 1
        block = [x.strip() for x in lines[paragraph_start : content[-1] + 1]]
        titled = (
            paragraph_start > 0
            and len(block) <= 3
            and bool(_NAME_LINE.match(block[0]))
            and all(len(x.split()) <= 5 and not x.endswith((".", "?", "!", ":")) for x in block)
        )
        if titled:
            lines = _trimmed(lines[:paragraph_start])
        elif _CLOSING.match(last) or _NAME_LINE.match(last) and len(last.split()) <= 3:
            lines = _trimmed(lines[: content[-1]])
        else:
            break
    if lines:
        lines[-1] = _INLINE_SIGN_OFF.sub("", lines[-1])
    return lines


def _trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


class _Text(HTMLParser):
    """HTML as the words a reader sees: no scripts or styles, blocks as new lines, quoted
    blocks (<blockquote>) left out like '>' lines."""

    BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table", "hr"})

    # Where a client puts the earlier email: everything from there on is history.
    HISTORY = ("gmail_quote", "divrplyfwdmsg", "moz-cite-prefix", "yahoo_quoted", "protonmail_quote", "appendonsend")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        marks = " ".join(f"{v or ''}" for k, v in attrs if k in ("class", "id")).lower()
        if any(mark in marks for mark in self.HISTORY):
            self.done = True
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("script", "style", "head", "blockquote"):
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "blockquote"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.done:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = re.sub(r"[ \t\xa0]+", " ", "".join(parser.parts))
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _reported_addresses(message: EmailMessage) -> list[str]:
    """The Final-Recipient of each failed delivery (RFC 3464), or the complained-of
    Original-Rcpt-To of a feedback report (RFC 5965)."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() not in ("message/delivery-status", "message/feedback-report"):
            continue
        fields = _fields(part)
        action_failed = any(f.get("action", "").lower() == "failed" for f in fields)
        for block in fields:
            if part.get_content_type() == "message/delivery-status" and not action_failed:
                continue
            for name in ("final-recipient", "original-rcpt-to", "original-recipient"):
                value = block.get(name, "")
                address = value.split(";", 1)[-1].strip().strip("<>").lower()
                if "@" in address and address not in found:
                    found.append(address)
    return found


def _diagnosis(message: EmailMessage) -> str:
    """What the report gives as the reason, for the contact log: an operator reading "bounced"
    wants to know whether the mailbox is gone (5.1.1) or merely full (4.2.2 / 5.2.2)."""
    reasons: list[str] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind not in ("message/delivery-status", "message/feedback-report"):
            continue
        for block in _fields(part):
            if kind == "message/feedback-report":
                said = block.get("feedback-type", "")
            elif block.get("action", "").lower() == "failed":
                said = "; ".join(v for v in (block.get("status", ""), block.get("diagnostic-code", "")) if v)
            else:
                said = ""
            said = " ".join(said.split())
            if said and said not in reasons:
                reasons.append(said)
    return " / ".join(reasons)[:200]


def _fields(part: Message) -> list[dict[str, str]]:
    """The header blocks of a delivery-status or feedback part, as lower-case name: value."""
    payload = part.get_payload()
    blocks = payload if isinstance(payload, list) else [part]
    result = []
    for block in blocks:
        if isinstance(block, Message):
            items = {k.lower(): str(v) for k, v in block.items()}
            if not items:  # some parsers leave the fields as the body
                items = _header_lines(str(block.get_payload()))
            result.append(items)
        else:
            result.append(_header_lines(str(block)))
    return result


def _header_lines(text: str) -> dict[str, str]:
    items = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            items[name.strip().lower()] = value.strip()
    return items
