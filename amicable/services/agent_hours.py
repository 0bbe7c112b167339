"""When colleagues answer: the opening hours of the team that takes over conversations, from
the creditor's policy, in the team's time zone. Outside them a hand-over still lands in the
queue, and the debtor hears when someone will answer and is offered a call back then."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from amicable.db.models import Conversation
from amicable.policy import HandoverPolicy, load_policy
from amicable.settings import Settings

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
    """The first call-back times once colleagues are back, `slot_minutes` apart, each one
    inside the team's hours (a short opening gives fewer, and the next opening the rest)."""
    slots: list[datetime] = []
    moment = next_opening(policy, now)
    for _ in range(count * 50):  # bounded: a few weeks of openings at most
        if len(slots) == count:
            break
        if on_duty(policy, moment):
            slots.append(moment)
            moment += timedelta(minutes=policy.slot_minutes)
        else:
            moment = next_opening(policy, moment)
    return slots


def team_hours(settings: Settings, conversation: Conversation) -> HandoverPolicy:
    """The hours of the team that answers this conversation: its creditor's, or the default's
    while no file is known."""
    account = conversation.account
    return load_policy(settings.policies_dir, account.creditor.name if account else "").handover
