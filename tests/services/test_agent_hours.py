"""When colleagues answer: duty judged in the team's own time zone (across midnight, over
weekends and clock changes), the next opening, and the call-back times offered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from amicable.policy import HandoverPolicy
from amicable.services import agent_hours, conversations
from amicable.services.agent_hours import callback_slots, next_opening, on_duty

WEEKDAYS = {day: "09:00-17:00" for day in ("mon", "tue", "wed", "thu", "fri")}
OFFICE = HandoverPolicy(timezone="Europe/Brussels", hours=WEEKDAYS)
# 2027-01-04 is a Monday; Brussels is at UTC+1 in January and UTC+2 from 2027-03-28.


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "duty"),
    [
        (utc(2027, 1, 4, 7, 59), False),  # 08:59 in Brussels
        (utc(2027, 1, 4, 8, 0), True),  # 09:00: opening time is in
        (utc(2027, 1, 4, 15, 59, 59), True),
        (utc(2027, 1, 4, 16, 0), False),  # 17:00: closing time is out
        (utc(2027, 1, 9, 10, 0), False),  # Saturday
        (utc(2027, 7, 5, 7, 0), True),  # Monday 09:00 in summer time (UTC+2)
        (utc(2027, 7, 5, 15, 30), False),  # 17:30 in summer time
    ],
)
def test_duty_is_judged_in_the_teams_own_time(moment, duty):
    assert on_duty(OFFICE, moment) is duty


def test_the_day_is_the_teams_day_across_midnight():
    night = HandoverPolicy(timezone="Europe/Brussels", hours={"mon": "00:00-02:00", "sat": "20:00-24:00"})
    assert on_duty(night, utc(2027, 1, 3, 23, 30))  # Sunday 23:30 UTC is Monday 00:30 in Brussels
    assert not on_duty(night, utc(2027, 1, 3, 22, 59))  # still Sunday there
    assert on_duty(night, utc(2027, 1, 9, 22, 59, 59))  # Saturday 23:59:59: "24:00" closes at midnight
    assert not on_duty(night, utc(2027, 1, 9, 23, 0))  # Sunday 00:00 there


def test_after_friday_closing_the_next_opening_is_monday_morning():
    friday_evening = utc(2027, 1, 8, 16, 0)  # 17:00 in Brussels
    assert next_opening(OFFICE, friday_evening).isoformat() == "2027-01-11T09:00:00+01:00"


def test_before_opening_the_next_opening_is_the_same_morning():
    assert next_opening(OFFICE, utc(2027, 1, 5, 5, 0)).isoformat() == "2027-01-05T09:00:00+01:00"


def test_on_duty_the_next_opening_is_now():
    now = utc(2027, 1, 5, 10, 17)
    assert next_opening(OFFICE, now) == now


def test_the_next_opening_follows_a_change_of_clocks():
    # Friday 2027-03-26 evening (UTC+1); the clocks go forward on Sunday 28 March.
    opening = next_opening(OFFICE, utc(2027, 3, 26, 18, 0))
    assert opening.isoformat() == "2027-03-29T09:00:00+02:00"
    assert opening.astimezone(UTC) == utc(2027, 3, 29, 7, 0)


def test_a_team_that_never_works_has_no_next_opening():
    with pytest.raises(ValueError, match="no opening in the next two weeks"):
        next_opening(HandoverPolicy(hours={}), utc(2027, 1, 4, 12, 0))


def test_call_back_times_start_at_the_opening_a_slot_apart():
    slots = callback_slots(OFFICE, utc(2027, 1, 8, 18, 0))
    assert [s.isoformat() for s in slots] == [
        "2027-01-11T09:00:00+01:00",
        "2027-01-11T09:30:00+01:00",
        "2027-01-11T10:00:00+01:00",
    ]


def test_every_call_back_time_offered_falls_in_the_teams_hours():
    saturday = HandoverPolicy(timezone="Europe/Brussels", hours={"sat": "09:00-10:00"})
    slots = callback_slots(saturday, utc(2027, 1, 8, 18, 0))
    assert all(on_duty(saturday, slot) for slot in slots)


def test_the_team_is_the_creditors_once_the_file_is_known(session, config, load):
    conversation = conversations.get_or_create(session, "c1", "rest")
    assert agent_hours.team_hours(config, conversation).timezone == "Europe/Brussels"  # the default's
    conversation.account = load(creditor="Night Owl Energy")
    team = agent_hours.team_hours(config, conversation)
    assert (team.timezone, team.hours["sat"], team.hours["mon"], team.slot_minutes) == (
        "America/New_York",
        "10:00-14:00",
        "",
        45,
    )
    # Monday 15:00 UTC is 10:00 in New York, but the team works only on Saturdays.
    assert not on_duty(team, utc(2027, 1, 4, 15, 0))
    assert next_opening(team, utc(2027, 1, 4, 15, 0)).isoformat() == "2027-01-09T10:00:00-05:00"
