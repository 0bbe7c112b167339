"""The identity check: the date of birth and the postcode before anything is disclosed, a
one-time code where the file lacks a fact or is locked, and limits on failed attempts per
conversation, per file and per source."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from amicable.services import ServiceError, attempts, conversations, identity
from amicable.services.identity import Outcome, check, one_date, one_postcode, usable_postcode


class CodeBox:
    """Stands in for the SMS sender: keeps the codes it was asked to send."""

    def __init__(self, works: bool = True) -> None:
        self.sent: list[tuple[str, str]] = []
        self.works = works

    def __call__(self, account, code: str) -> bool:  # type: ignore[no-untyped-def]
        self.sent.append((account.reference, code))
        return self.works


def answer(session, config, conversation, reference="ACC-1001", dob="12/03/1985", postcode="1000", **kw):  # type: ignore[no-untyped-def]
    """Both steps of the check, as the bot asks them; the outcome of the last."""
    first = check(session, config, conversation, reference, dob, now=kw.get("now"))
    assert first == Outcome(False, identity._left(conversation), "postcode")
    return check(session, config, conversation, reference, postcode, **kw)


def new_conversation(session, name: str, source: str | None = None):  # type: ignore[no-untyped-def]
    return conversations.get_or_create(session, name, "rest", source=source)


def verifications(account) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.detail for c in account.contacts if c.kind == "verification"]


def test_the_right_date_of_birth_and_postcode_confirm_the_identity(session, config, load):
    account = load()
    conversation = new_conversation(session, "c1")
    now = datetime.now(UTC)
    outcome = answer(session, config, conversation, dob="12 March 1985", postcode="my postcode is 1000", now=now)
    assert outcome == Outcome(True, 2, None, account)
    assert (conversation.verified, conversation.account, conversation.verified_at) == (True, account, now)
    assert conversation.identity_check is None
    assert verifications(account) == ["identity confirmed"]
    assert identity.is_verified(config, conversation, now + timedelta(minutes=30))
    assert not identity.is_verified(config, conversation, now + timedelta(minutes=31))  # idle_minutes: 30


def test_a_confirmation_lapses_after_the_idle_time(session, config, load):
    load()
    conversation = new_conversation(session, "c1")
    now = datetime.now(UTC)
    answer(session, config, conversation, now=now)
    conversation.last_message_at = now + timedelta(minutes=20)
    identity.lapse_if_idle(session, config, conversation, now + timedelta(minutes=49))
    assert conversation.verified
    identity.lapse_if_idle(session, config, conversation, now + timedelta(minutes=51))
    assert (conversation.verified, conversation.verified_at, conversation.failed_verifications) == (False, None, 0)


def test_the_language_the_debtor_wrote_in_becomes_their_preference(session, config, load):
    account = load(language="en")
    conversation = new_conversation(session, "c1")
    conversation.language = "fr"
    assert answer(session, config, conversation).verified
    assert account.debtor.language == "fr"


@pytest.mark.parametrize(
    ("dob", "postcode"),
    [("13/03/1985", "1000"), ("12/03/1985", "1050"), ("01/01/1990", "9000")],
)
def test_a_wrong_fact_fails_without_saying_which(session, config, load, dob, postcode):
    account = load()
    conversation = new_conversation(session, "c1")
    outcome = answer(session, config, conversation, dob=dob, postcode=postcode)
    assert outcome == Outcome(False, 1, None)
    assert (conversation.verified, conversation.failed_verifications, conversation.account) == (False, 1, None)
    assert verifications(account) == ["identity not confirmed"]


def test_an_unknown_reference_goes_through_the_same_steps(session, config, load):
    load()
    conversation = new_conversation(session, "c1")
    assert answer(session, config, conversation, reference="NOPE-404") == Outcome(False, 1, None)


def test_two_failures_end_the_check_in_that_conversation(session, config, load):
    load()
    conversation = new_conversation(session, "c1")
    answer(session, config, conversation, dob="01/01/1990")
    answer(session, config, conversation, postcode="9000")
    # Even the right answers are no longer looked at.
    assert check(session, config, conversation, "ACC-1001", "12/03/1985") == Outcome(False, 0, None)
    assert conversation.identity_check is None and not conversation.verified


def test_answers_that_are_not_a_date_or_a_postcode_cost_no_attempt(session, config, load):
    load()
    conversation = new_conversation(session, "c1")
    with pytest.raises(ServiceError) as not_a_date:
        check(session, config, conversation, "ACC-1001", "I don't remember")
    assert not_a_date.value.status_code == 422
    with pytest.raises(ServiceError) as out_of_order:
        check(session, config, conversation, "ACC-1001", "1000", fact="postcode")
    assert out_of_order.value.status_code == 409
    check(session, config, conversation, "ACC-1001", "12/03/1985")
    with pytest.raises(ServiceError, match="not one postcode"):
        check(session, config, conversation, "ACC-1001", "1000 or maybe 1050")
    with pytest.raises(ServiceError, match="fact must be one of"):
        check(session, config, conversation, "ACC-1001", "x", fact="name")
    assert conversation.failed_verifications == 0
    assert check(session, config, conversation, "ACC-1001", "1000").verified


def test_a_file_without_a_date_of_birth_also_needs_a_code_sent_to_its_number(session, config, load):
    account = load(date_of_birth=None)
    conversation = new_conversation(session, "c1")
    box = CodeBox()
    outcome = answer(session, config, conversation, send_code=box)
    assert outcome == Outcome(False, 2, "code")
    ((reference, code),) = box.sent
    assert reference == "ACC-1001" and len(code) == 6 and code.isdigit()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert check(session, config, conversation, "ACC-1001", wrong) == Outcome(False, 2, "code")
    assert check(session, config, conversation, "ACC-1001", f"{code[:3]} {code[3:]}") == Outcome(True, 2, None, account)


def test_a_code_that_cannot_be_sent_fails_the_check(session, config, load):
    load(postcode=None)
    conversation = new_conversation(session, "c1")
    assert answer(session, config, conversation, send_code=CodeBox(works=False)) == Outcome(False, 1, None)


def test_three_wrong_codes_or_an_expired_one_fail(session, config, load):
    load(date_of_birth=None)
    box = CodeBox()
    conversation = new_conversation(session, "c1")
    answer(session, config, conversation, send_code=box)
    code = box.sent[-1][1]
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert check(session, config, conversation, "", wrong).next == "code"
    assert check(session, config, conversation, "", wrong).next == "code"
    assert check(session, config, conversation, "", wrong) == Outcome(False, 1, None)

    later = new_conversation(session, "c2")
    now = datetime.now(UTC)
    answer(session, config, later, send_code=box, now=now)
    late = now + timedelta(minutes=11)  # code_minutes: 10
    assert check(session, config, later, "", box.sent[-1][1], now=late) == Outcome(False, 1, None)


def test_after_five_failures_a_file_opens_only_with_a_code(session, config, load):
    account = load()
    for n in range(3):  # five failed checks on the file, from three conversations
        conversation = new_conversation(session, f"guess-{n}")
        answer(session, config, conversation, postcode="9000")
        if n < 2:
            answer(session, config, conversation, postcode="9000")
    assert attempts.count(session, "identity-file", str(account.id), datetime.now(UTC)) == 5
    assert verifications(account).count("locked for today: a one-time code is now needed") == 1

    box = CodeBox()
    guesser = new_conversation(session, "guess-3")
    assert answer(session, config, guesser, postcode="9000", send_code=box) == Outcome(False, 2, "code")
    assert box.sent == []  # wrong facts: asked for a code no one was sent

    debtor = new_conversation(session, "debtor")
    assert answer(session, config, debtor, send_code=box) == Outcome(False, 2, "code")
    assert len(box.sent) == 1
    assert check(session, config, debtor, "", box.sent[0][1]).verified


def test_a_source_gets_ten_failed_checks_a_day_over_every_file(session, config, load):
    load()
    now = datetime.now(UTC)
    for n in range(5):
        conversation = new_conversation(session, f"s{n}", source="203.0.113.7")
        for _ in range(2):
            answer(session, config, conversation, reference=f"NOPE-{n}", now=now)
    assert attempts.count(session, "identity-source", "203.0.113.7", now) == 10
    blocked = new_conversation(session, "s-right", source="203.0.113.7")
    assert answer(session, config, blocked, now=now) == Outcome(False, 1, None)
    elsewhere = new_conversation(session, "other-source", source="198.51.100.1")
    assert answer(session, config, elsewhere, now=now).verified
    # The next day starts afresh.
    tomorrow = new_conversation(session, "s-tomorrow", source="203.0.113.7")
    assert answer(session, config, tomorrow, now=now + timedelta(days=1)).verified


def test_a_success_is_taken_back_from_the_counts(session, config, load):
    account = load()
    now = datetime.now(UTC)
    conversation = new_conversation(session, "c1", source="203.0.113.9")
    answer(session, config, conversation, postcode="9000", now=now)
    answer(session, config, conversation, now=now)
    assert attempts.count(session, "identity-source", "203.0.113.9", now) == 1
    assert attempts.count(session, "identity-file", str(account.id), now) == 1


def test_the_lock_is_logged_in_the_window_it_was_counted_in(session, config, load):
    account = load()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for n in range(3):
        conversation = new_conversation(session, f"guess-{n}")
        answer(session, config, conversation, postcode="9000", now=yesterday)
        if n < 2:
            answer(session, config, conversation, postcode="9000", now=yesterday)
    assert attempts.count(session, "identity-file", str(account.id), yesterday) == 5
    assert "locked for today: a one-time code is now needed" in verifications(account)


@pytest.mark.parametrize(
    ("text", "country", "born"),
    [
        ("12/03/1985", "BE", date(1985, 3, 12)),
        ("03/12/1985", "US", date(1985, 3, 12)),  # month first in the US
        ("I was born on 12 maart 1985", "NL", date(1985, 3, 12)),
        ("1er mars 1985", "FR", date(1985, 3, 1)),
        ("12th of March 1985", "GB", date(1985, 3, 12)),
        ("3/2/67", "BE", date(1967, 2, 3)),  # a two-digit year is never in the future
        ("12/03/1985 1000", "BE", None),  # other figures besides the date
        ("March 1985", "BE", None),  # no day
        ("x" * 61, "BE", None),
    ],
)
def test_an_answer_is_read_as_exactly_one_date_of_birth(text, country, born):
    assert one_date(text, country) == born


@pytest.mark.parametrize("text", ["not now", "today", "tomorrow", "2 days ago"])
def test_relative_words_are_not_a_date_of_birth(text):
    assert one_date(text, "BE") is None


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("1000", "1000"),
        ("my postcode is 1000", "1000"),
        ("3511 ab", "3511AB"),
        ("1180 Uccle", "1180"),
        ("SW1A 1AA", "SW1A1AA"),
        ("code postal 75001", "75001"),
        ("1000 or 1180", None),
        ("1000 1180 1050", None),
        ("hello", None),
    ],
)
def test_an_answer_is_read_as_exactly_one_postcode(text, postcode):
    assert one_postcode(text) == postcode


@pytest.mark.parametrize(
    ("stored", "country", "usable"),
    [("1000", "BE", "1000"), ("10", "BE", None), ("3511 ab", "NL", "3511AB"), ("3511", "NL", None), (None, "BE", None)],
)
def test_only_a_whole_postcode_on_file_counts_as_a_fact(stored, country, usable):
    assert usable_postcode(stored, country) == usable


def test_a_truncated_postcode_on_file_needs_a_code(session, config, load):
    load(postcode="10")
    box = CodeBox()
    assert answer(session, config, new_conversation(session, "c1"), postcode="1000", send_code=box).next == "code"
    assert len(box.sent) == 1
