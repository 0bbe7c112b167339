"""The identity check: who may hear about a debt, and for how long.

Disclosing a debt to the wrong person is the harm collection law guards against most, so
a debtor proves two facts before anything about a file is said: their date of birth **and**
their postcode, each answer being exactly one date or one postcode (an answer listing forty
postcodes is not an answer). Where the file lacks one of the facts (or its postcode is
shorter than the country's format) or the file is locked after repeated failures, a
one-time code sent to the number on file is asked as well: the real debtor always has a
way through, a stranger who guessed does not.

The check is asked step by step (date of birth, postcode, then a code when needed), and
the verdict comes only at the end: no step says which fact was wrong, nor whether the
reference exists, and every path does the same work whether the file exists or not.

A confirmation lapses after the policy's idle time (`identity.idle_minutes`), when the
conversation is handed back by a person, and when it continues on another channel or number.
Failed checks are counted per conversation, per file and per source (the web client's address,
the number or chat id), in the database, atomically (`attempts`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import dateparser
import structlog
from dateparser.search import search_dates
from sqlalchemy.orm import Session

from amicable.db.models import Account, Conversation
from amicable.policy import IdentityPolicy, load_policy
from amicable.providers import outbound
from amicable.services import ServiceError, attempts
from amicable.services.accounts import find_by_typed_reference, log_contact
from amicable.settings import Settings

log = structlog.get_logger()

# The one-time code's message, in the debtor's language.
CODE_TEXTS = {
    "en": "Your Amicable code is {code}. It is good for a few minutes. Never share it: we will not ask for it by phone.",
    "fr": "Votre code Amicable est {code}. Il est valable quelques minutes. Ne le communiquez à personne : nous ne le demanderons jamais par téléphone.",
    "nl": "Uw Amicable-code is {code}. Hij is enkele minuten geldig. Deel hem met niemand: we vragen er nooit naar aan de telefoon.",
}


def sms_code_sender(session: Session, settings: Settings):  # type: ignore[no-untyped-def]
    """What `check` uses to send a one-time code: an SMS to the number on file. In the demo
    without Twilio the code is shown on the console instead; outside the demo there is no
    such fallback, and the check fails rather than pretend a code went."""

    def send(account: Account, code: str) -> bool:
        text = CODE_TEXTS.get(account.debtor.language, CODE_TEXTS["en"]).format(code=code)
        try:
            outbound.send(session, settings, "sms", account.debtor.phone, text)
        except outbound.NotConfigured:
            if settings.amicable_demo:
                log.warning("one-time code (demo: not sent, shown here)", account=account.reference, code=code)
                return True
            return False
        except outbound.NotSent as error:
            log.warning("one-time code not sent", account=account.reference, error=str(error))
            return False
        return True

    return send


MAX_FAILURES_PER_CONVERSATION = 2
# After this many failed checks in a day, a file's facts alone no longer open it: a one-time
# code to the number on file is needed too. The real debtor gets through; a guesser does not.
FILE_LOCK_AFTER = 5
# A source (one web client's address, one number) gets this many failed checks a day, over
# every file it tries.
SOURCE_LIMIT = 10
CODE_TRIES = 3
FACTS = ("date_of_birth", "postcode", "code")

# The full postcode of each country, written without spaces; a stored postcode that does not
# match its country's format (a truncated "10" for Brussels) cannot serve as a fact.
POSTCODE_FORMATS = {
    "BE": r"\d{4}",
    "NL": r"\d{4}[A-Z]{2}",
    "FR": r"\d{5}",
    "LU": r"\d{4}",
    "DE": r"\d{5}",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}",
    "US": r"\d{5}(\d{4})?",
}
DEFAULT_POSTCODE = r"(?=.*\d)[A-Z0-9]{4,10}"
# Words people put around a postcode ("my postcode is 1000", "code postal 75001").
POSTCODE_WORDS = {
    "MY", "IS", "IT", "ITS", "THE", "POSTCODE", "POST", "POSTAL", "CODE", "ZIP", "ZIPCODE",
    "MON", "EST", "C", "CEST", "LE", "MIJN", "HET", "DE", "POSTNUMMER",
}  # fmt: skip
MAX_ANSWER = 60


@dataclass(frozen=True)
class Outcome:
    verified: bool
    attempts_left: int
    # What to ask next: "postcode", "code", or nothing (verified, or the check has ended).
    next: str | None
    account: Account | None = None


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


ORDINAL_DAY = re.compile(r"\b([0-3]?\d)(?:st|nd|rd|th|er|re|ère|ème|eme|e|de|ste|ste)\b", re.I)


def one_date(answer: str, country: str | None) -> date | None:
    """The answer as exactly one date with day, month and year ("12/03/1985", "12 March 1985",
    "I was born on 12 maart 1985"), or None: an answer with other figures besides the date
    is not one date. Europe writes day first, the US month first."""
    text = _normal(answer)
    if not text or len(text) > MAX_ANSWER:
        return None
    # "3rd", "1er", "2de", "17ème": the day without its ordinal ending, which trips the parser.
    text = ORDINAL_DAY.sub(r"\1", text)
    order = "MDY" if country == "US" else "DMY"
    settings = {
        "DATE_ORDER": order,
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        # A birth date is written, never relative ("today", "2 days ago") nor a timestamp.
        "PARSERS": ["custom-formats", "absolute-time", "no-spaces-time"],
    }
    languages = ["en", "fr", "nl"]
    if re.fullmatch(r"\d+", text) and len(text) not in (6, 8):
        return None  # figures alone are a date only as DDMMYY or DDMMYYYY, never "1985"
    parsed = dateparser.parse(text, settings=settings, languages=languages)
    if parsed is not None:
        return _in_the_past(parsed.date())
    found = search_dates(text, settings=settings, languages=languages) or []
    if len(found) != 1:
        return None
    said, _ = found[0]
    if any(ch.isdigit() for ch in text.replace(said, " ")):
        return None
    # The date found must itself have a day, a month and a year ("March 1985" has no day).
    if re.fullmatch(r"\d+", said.strip()) and len(said.strip()) not in (6, 8):
        return None
    value = dateparser.parse(said, settings=settings, languages=languages)
    return _in_the_past(value.date()) if value is not None else None


def _in_the_past(born: date) -> date:
    """A birth date is never in the future: "3/2/67" is 1967, where a parser reads 2067."""
    if born > date.today() and born.year >= 2000:
        with contextlib.suppress(ValueError):  # 29 February of a year without one stays as read
            return born.replace(year=born.year - 100)
    return born


def one_postcode(answer: str) -> str | None:
    """The answer as exactly one postcode, written without spaces ("3511 ab" -> "3511AB"), or
    None when it is something else (several numbers, a sentence with other figures)."""
    text = _normal(answer).upper().replace("'", "")
    if len(text) > MAX_ANSWER:
        return None
    words = [w for w in re.findall(r"[A-Z0-9]+", text) if w not in POSTCODE_WORDS]
    figures = [i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)]
    # One postcode: one piece with figures (two for the UK's "SW1A 1AA"), side by side; a place
    # name after it is fine ("1180 Uccle"), other figures are not.
    if not 1 <= len(figures) <= 2 or figures[-1] - figures[0] > 1:
        return None
    pieces = words[figures[0] : figures[-1] + 1]
    after = figures[-1] + 1
    if after < len(words) and len(words[after]) == 2 and words[after].isalpha() and len(figures) == 1:
        pieces.append(words[after])  # the Dutch letters: "3511 AB"
    joined = "".join(pieces)
    if not 3 <= len(joined) <= 10:
        return None
    return joined


def usable_postcode(postcode: str | None, country: str | None) -> str | None:
    """The stored postcode, written without spaces, when it is a whole one for its country."""
    if not postcode:
        return None
    written = re.sub(r"[^0-9A-Z]", "", postcode.upper())
    pattern = POSTCODE_FORMATS.get((country or "").upper(), DEFAULT_POSTCODE)
    return written if re.fullmatch(pattern, written) else None


def policy_for(settings: Settings, conversation: Conversation) -> IdentityPolicy:
    account = conversation.account
    return load_policy(settings.policies_dir, account.creditor.name if account else "").identity


def is_verified(settings: Settings, conversation: Conversation, now: datetime | None = None) -> bool:
    """Identity confirmed in this conversation and not lapsed for lack of messages."""
    if not conversation.verified or conversation.account is None or conversation.verified_at is None:
        return False
    now = now or datetime.now(UTC)
    last = max(conversation.verified_at, conversation.last_message_at or conversation.verified_at)
    return now - last <= timedelta(minutes=policy_for(settings, conversation).idle_minutes)


def reset(session: Session, conversation: Conversation, why: str) -> None:
    """The next disclosure needs the whole check again."""
    if conversation.verified:
        log_contact(
            session, conversation.account, "verification", f"to be confirmed again: {why}", conversation.channel,
            conversation.id,
        )  # fmt: skip
    # A fresh start (a new session, a new call, a hand-back): the per-file and per-source daily
    # counts still bound what a guesser can try.
    conversation.failed_verifications = 0
    conversation.verified = False
    conversation.verified_at = None
    conversation.identity_check = None


def lapse_if_idle(session: Session, settings: Settings, conversation: Conversation, now: datetime) -> None:
    """Called for each message the debtor sends, before it counts as activity."""
    if conversation.verified and not is_verified(settings, conversation, now):
        reset(session, conversation, "idle")


def _code_digest(settings: Settings, conversation: Conversation, code: str) -> str:
    key = hashlib.sha256(b"amicable-one-time-code:" + settings.amicable_link_secret.encode()).digest()
    return hmac.new(key, f"{conversation.id}:{code}".encode(), hashlib.sha256).hexdigest()


def _source(conversation: Conversation) -> str:
    """Conversations opened through the API rather than a channel share one source, so made-up
    conversation ids cannot multiply the daily allowance."""
    return conversation.source or "api"


def check(
    session: Session,
    settings: Settings,
    conversation: Conversation,
    reference: str,
    answer: str,
    fact: str | None = None,
    now: datetime | None = None,
    send_code=None,  # type: ignore[no-untyped-def]
) -> Outcome:
    """One step of the check. `fact` names what `answer` is; without it, the step the
    conversation is at (date of birth first). Answers that are not a date, a postcode or a
    code at all are refused with 422 and cost no attempt: the debtor is asked again."""
    now = now or datetime.now(UTC)
    pending = conversation.identity_check or {}
    fact = fact or pending.get("stage") or "date_of_birth"
    if fact not in FACTS:
        raise ServiceError(f"fact must be one of {', '.join(FACTS)}", 422)
    if conversation.failed_verifications >= MAX_FAILURES_PER_CONVERSATION:
        return Outcome(False, 0, None)
    if fact == "date_of_birth":
        return _date_of_birth(session, conversation, reference, answer)
    if pending.get("stage") != fact:
        raise ServiceError("the identity check asks for the date of birth first", 409)
    if fact == "postcode":
        return _postcode(session, settings, conversation, answer, now, send_code)
    return _code(session, settings, conversation, answer, now)


def _find(session: Session, conversation: Conversation, reference: str) -> Account | None:
    cleaned = reference.strip()[:128]
    if not cleaned and conversation.account is not None:
        return conversation.account  # bound by a signed link or the debtor's own number
    if not cleaned:
        return None
    return find_by_typed_reference(session, cleaned)


def _left(conversation: Conversation) -> int:
    return max(MAX_FAILURES_PER_CONVERSATION - conversation.failed_verifications, 0)


def _date_of_birth(session: Session, conversation: Conversation, reference: str, answer: str) -> Outcome:
    if conversation.verified:
        # A new check is a new check: an earlier confirmation never answers for it.
        reset(session, conversation, "checked again")
    account = _find(session, conversation, reference)
    country = account.debtor.country if account else None
    given = one_date(answer, country)  # parsed whether or not the file exists: same work, same time
    if given is None:
        raise ServiceError("the answer is not one date of birth (for example 12 March 1985)", 422)
    on_file = account.debtor.date_of_birth if account else None
    state = "absent" if account is not None and on_file is None else ("ok" if given == on_file else "wrong")
    conversation.identity_check = {"account_id": account.id if account else None, "dob": state, "stage": "postcode"}
    return Outcome(False, _left(conversation), "postcode")


def _postcode(
    session: Session,
    settings: Settings,
    conversation: Conversation,
    answer: str,
    now: datetime,
    send_code,  # type: ignore[no-untyped-def]
) -> Outcome:
    given = one_postcode(answer)
    if given is None:
        raise ServiceError("the answer is not one postcode (for example 1000 or 3511 AB)", 422)
    pending = conversation.identity_check or {}
    account = session.get(Account, pending["account_id"]) if pending.get("account_id") else None
    if attempts.add(session, "identity-source", _source(conversation), now) > SOURCE_LIMIT:
        return _fail(
            session, conversation, account, "refused: too many failed checks from this source today", now, record=False
        )
    file_count = attempts.add(session, "identity-file", str(account.id), now) if account else 0
    locked = file_count > FILE_LOCK_AFTER
    on_file = usable_postcode(account.debtor.postcode, account.debtor.country) if account else None
    postcode = "absent" if account is not None and on_file is None else ("ok" if given == on_file else "wrong")
    dob = pending.get("dob", "wrong")
    if account is None:
        return _fail(session, conversation, account, "identity not confirmed", now, record=False)
    wrong = "wrong" in (dob, postcode)
    matched = (dob == "ok") + (postcode == "ok")
    needs_code = locked or (dob, postcode).count("absent") > 0
    if not needs_code:
        if wrong:
            return _fail(session, conversation, account, "identity not confirmed", now)
        return _succeed(session, conversation, account, now)
    # One fact on file, or the file is locked: a code to the number on file is asked as well.
    # Wrong facts get the same answer (a code no one is sent), so the answer never tells a
    # guesser that the facts were right.
    code = f"{secrets.randbelow(1_000_000):06d}"
    minutes = load_policy(settings.policies_dir, account.creditor.name).identity.code_minutes
    if not wrong and matched > 0:
        if send_code is None or not send_code(account, code):
            return _fail(session, conversation, account, "identity not confirmed: no way to send a one-time code", now)
        why = "the file is locked after failed checks" if locked else "one fact on file"
        log_contact(
            session, account, "verification", f"one-time code sent ({why})", conversation.channel, conversation.id
        )
        digest = _code_digest(settings, conversation, code)
    else:
        digest = secrets.token_hex(32)  # matches no code
    conversation.identity_check = {
        **pending,
        "stage": "code",
        "code": digest,
        "expires": (now + timedelta(minutes=minutes)).isoformat(),
    }
    return Outcome(False, _left(conversation), "code")


def _code(session: Session, settings: Settings, conversation: Conversation, answer: str, now: datetime) -> Outcome:
    digits = re.sub(r"[\s-]", "", _normal(answer))
    if not re.fullmatch(r"\d{6}", digits):
        raise ServiceError("the answer is not the six-digit code", 422)
    pending = dict(conversation.identity_check or {})
    account = session.get(Account, pending["account_id"])
    expected = pending.get("code", "")
    # Counted in the database before judging, so guesses sent at once cannot share one try.
    tries = attempts.add(session, "identity-code", f"{conversation.id}:{expected[:16]}", now)
    expired = datetime.fromisoformat(pending["expires"]) < now
    right = hmac.compare_digest(_code_digest(settings, conversation, digits), expected)
    if right and not expired and tries <= CODE_TRIES:
        return _succeed(session, conversation, account, now)
    if tries >= CODE_TRIES or expired:
        return _fail(session, conversation, account, "identity not confirmed: one-time code wrong or expired", now)
    return Outcome(False, _left(conversation), "code")


def _fail(
    session: Session,
    conversation: Conversation,
    account: Account | None,
    detail: str,
    now: datetime,
    record: bool = True,
) -> Outcome:
    conversation.failed_verifications += 1
    conversation.identity_check = None
    if record and account is not None:
        # Bounded: a file's log records failures up to its lock, then the lock once.
        failures = attempts.count(session, "identity-file", str(account.id), now)
        if failures <= FILE_LOCK_AFTER:
            log_contact(session, account, "verification", detail, conversation.channel, conversation.id)
        if failures == FILE_LOCK_AFTER:
            log_contact(session, account, "verification", "locked for today: a one-time code is now needed")
    return Outcome(False, _left(conversation), None)


def _succeed(session: Session, conversation: Conversation, account: Account, now: datetime) -> Outcome:
    attempts.take_back(session, "identity-source", _source(conversation), now)
    attempts.take_back(session, "identity-file", str(account.id), now)
    conversation.verified = True
    conversation.verified_at = now
    conversation.account = account
    conversation.identity_check = None
    if conversation.language:
        # Written clearly in one language: that becomes the debtor's preference (pay pages,
        # reminders), as the README promises.
        account.debtor.language = conversation.language
    conversation.language = conversation.language or account.debtor.language
    log_contact(session, account, "verification", "identity confirmed", conversation.channel, conversation.id)
    return Outcome(True, _left(conversation), None, account)
