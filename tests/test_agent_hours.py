"""Agents' hours: on duty or not in the team's own zone, the next opening, call-back slots."""

from __future__ import annotations

from datetime import UTC, datetime

from amicable.policy import HandoverPolicy
from amicable.services.agent_hours import callback_slots, next_opening, on_duty

TEAM = HandoverPolicy(timezone="Europe/Brussels", hours={"mon": "09:00-17:00", "fri": "09:00-12:30"})


def test_duty_is_judged_in_the_teams_time_zone():
    assert on_duty(TEAM, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 09:00 in Brussels
    assert not on_duty(TEAM, datetime(2026, 11, 23, 7, 59, tzinfo=UTC))
    assert not on_duty(TEAM, datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # 17:00 is closing time


def test_the_next_opening_skips_closed_days_and_slots_follow_it():
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    opening = next_opening(TEAM, friday_evening)
    assert opening.isoformat() == "2026-11-30T09:00:00+01:00"  # Monday
    assert [s.strftime("%H:%M") for s in callback_slots(TEAM, friday_evening)] == ["09:00", "09:30", "10:00"]
    assert next_opening(TEAM, datetime(2026, 11, 27, 10, 0, tzinfo=UTC)).hour == 11  # on duty: now
