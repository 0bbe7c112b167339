"""Conversations: who is talking on which channel, when a confirmation must be given again,
hand-overs to a person with their call-back time, and opt-outs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from amicable.db.models import Handoff, OptOut
from amicable.policy import HandoverPolicy
from amicable.services import NotFound, ServiceError, conversations, identity
from amicable.services.conversations import get_or_create

ALWAYS = HandoverPolicy(hours={day: "00:00-24:00" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
TUESDAY_MORNINGS = HandoverPolicy(timezone="Europe/Brussels", hours={"tue": "09:00-12:00"})


def verified(session, config, conversation) -> None:  # type: ignore[no-untyped-def]
    identity.check(session, config, conversation, "ACC-1001", "12/03/1985")
    assert identity.check(session, config, conversation, "ACC-1001", "1000").verified


def test_a_conversation_is_created_once_with_its_source(session):
    first = get_or_create(session, "sms:+32470123456", "sms", "+32470123456")
    assert (first.channel, first.address, first.source, first.verified, first.handled_by) == (
        "sms",
        "+32470123456",
        "+32470123456",
        False,
        "bot",
    )
    assert get_or_create(session, "sms:+32470123456", "sms", "+32470123456") is first
    assert conversations.get(session, "sms:+32470123456") is first
    with pytest.raises(NotFound):
        conversations.get(session, "sms:+32000000000")


def test_going_on_over_another_channel_or_number_needs_the_check_again(session, config, load):
    load()
    conversation = get_or_create(session, "c1", "whatsapp", "+32470123456")
    verified(session, config, conversation)
    get_or_create(session, "c1", "rest")  # the API naming no channel changes nothing
    assert conversation.verified and conversation.channel == "whatsapp"
    get_or_create(session, "c1", "whatsapp", "+32470123456")
    assert conversation.verified
    get_or_create(session, "c1", "sms", "+32470123456")
    assert not conversation.verified and conversation.channel == "sms"
    verified(session, config, conversation)
    get_or_create(session, "c1", "sms", "+32479999999")
    assert not conversation.verified and conversation.address == "+32479999999"


def test_binding_ties_a_file_without_confirming_anything(session, load):
    account, other = load(), load("ACC-2002")
    conversation = get_or_create(session, "c1", "telegram", "42")
    conversations.bind(session, conversation, account, "signed link")
    conversations.bind(session, conversation, other, "signed link")  # bound once: the first stays
    assert conversation.account is account and not conversation.verified
    assert [(c.kind, c.detail) for c in account.contacts] == [("conversation_bound", "signed link")]
    assert conversations.confirmed_telegram_chat(session, account) is None


def test_a_telegram_chat_is_written_to_only_once_identity_was_confirmed_in_it(session, config, load):
    account = load()
    conversation = get_or_create(session, "tg:42", "telegram", "42")
    verified(session, config, conversation)
    session.flush()
    assert conversations.confirmed_telegram_chat(session, account) is conversation


def test_a_hand_over_goes_to_agents_once_and_names_the_file_only_when_confirmed(session, config, load):
    account = load()
    stranger = get_or_create(session, "c1", "rest")
    stranger.account = account  # bound, not confirmed
    handoff = conversations.hand_over(session, stranger, "asked_for_agent", "wants a person")
    assert handoff.account is None and stranger.handled_by == "agent"
    assert conversations.hand_over(session, stranger, "complaint", "") is handoff
    debtor = get_or_create(session, "c2", "rest")
    verified(session, config, debtor)
    assert conversations.hand_over(session, debtor, "asked_for_agent", "").account is account
    assert len(session.scalars(select(Handoff)).all()) == 2


def test_a_call_back_is_booked_on_the_waiting_hand_over(session):
    conversation = get_or_create(session, "c1", "rest")
    at = datetime.now(UTC) + timedelta(hours=2)
    with pytest.raises(ServiceError) as nothing_waiting:
        conversations.book_callback(session, conversation, at, ALWAYS)
    assert nothing_waiting.value.status_code == 409
    handoff = conversations.hand_over(session, conversation, "asked_for_agent", "")
    assert conversations.book_callback(session, conversation, at, ALWAYS) == at
    assert handoff.callback_at == at


def test_a_call_back_must_be_in_the_future_in_the_teams_hours_and_with_an_offset(session):
    conversation = get_or_create(session, "c1", "rest")
    conversations.hand_over(session, conversation, "asked_for_agent", "")
    brussels = ZoneInfo("Europe/Brussels")
    today = datetime.now(brussels).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)  # next week's at the latest
    wednesday = tuesday + timedelta(days=1)
    open_time = datetime.combine(tuesday, time(10), brussels)
    for at, message in [
        (open_time.replace(tzinfo=None), "with its offset"),
        (open_time.replace(hour=12), "outside the team's hours"),  # closing time
        (datetime.combine(wednesday, time(10), brussels), "outside"),
        (datetime.now(UTC) - timedelta(minutes=1), "outside"),
    ]:
        with pytest.raises(ServiceError, match=message):
            conversations.book_callback(session, conversation, at, TUESDAY_MORNINGS)
    assert conversations.book_callback(session, conversation, open_time, TUESDAY_MORNINGS) == open_time


def test_stop_twice_is_one_opt_out(session):
    conversation = get_or_create(session, "web-1", "web", "visitor-1")
    first = conversations.opt_out(session, conversation)
    session.flush()
    assert conversations.opt_out(session, conversation) is first
    assert (first.channel, first.account, first.address) == ("web", None, "visitor-1")
    assert not session.new  # no second record, no second line in the contact log


def test_stop_from_a_number_is_recorded_on_every_file_of_that_number(session, load):
    first = load("A-1", phone="+32470000001")
    second = load("A-2", phone="+32470000001")
    other = load("A-3", phone="+32470000002")
    conversation = get_or_create(session, "sms:+32470000001", "sms", "+32470000001")
    conversations.opt_out(session, conversation)
    session.flush()
    assert [(o.channel, o.address) for o in first.opt_outs] == [("sms", "+32470000001")]
    assert [(o.channel, o.address) for o in second.opt_outs] == [("sms", "+32470000001")]
    assert other.opt_outs == []
    conversations.opt_out(session, conversation)
    session.flush()
    assert len(first.opt_outs) == 1
    assert len(session.scalars(select(OptOut).where(OptOut.account_id.is_(None))).all()) == 1


def test_the_transcript_is_kept_in_order(session):
    conversation = get_or_create(session, "c1", "rest")
    conversations.record_message(session, conversation, "debtor", "hello")
    conversations.record_message(session, conversation, "bot", "Hello! Your reference?", {"buttons": []})
    session.flush()
    assert [(m.author, m.text) for m in conversation.messages] == [
        ("debtor", "hello"),
        ("bot", "Hello! Your reference?"),
    ]
