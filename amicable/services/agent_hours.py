"""When colleagues answer: the opening hours of the team that takes over conversations, from
the creditor's policy, in the team's time zone. Outside them a hand-over still lands in the
queue, and the debtor hears when someone will answer and is offered a call back then."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from amicable.policy import HandoverPolicy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(policy: HandoverPolicy, day: datetime) -> tuple[time, time] | None:
    spec = policy.hours.get(DAYS[day.weekday()], "")
    if not spec:
        return None
    start, end = spec.split("-")
    return time.fromisoformat(start), time.max if end == "24:00" else time.fromisoformat(end)


def on_duty(policy: HandoverPolicy, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(policy.timezone))
    hours = _hours(policy, local)
    return hours is not None and hours[0] <= local.time() < hours[1]


def next_opening(policy: HandoverPolicy, now: datetime) -> datetime:
    """The next moment a colleague is on duty (now, if one is)."""
    zone = ZoneInfo(policy.timezone)
    local = now.astimezone(zone)
    if on_duty(policy, now):
        return local
    for ahead in range(0, 15):
        day = (local + timedelta(days=ahead)).date()
        hours = _hours(policy, datetime.combine(day, time(12), zone))
        if hours is None:
            continue
        opening = datetime.combine(day, hours[0], zone)
        if opening > local:
            return opening
    raise ValueError("the policy's hand-over hours have no opening in the next two weeks")


def callback_slots(policy: HandoverPolicy, now: datetime, count: int = 3) -> list[datetime]:
    """The first call-back times once colleagues are back, `slot_minutes` apart."""
    opening = next_opening(policy, now)
    return [opening + timedelta(minutes=policy.slot_minutes * n) for n in range(count)]
