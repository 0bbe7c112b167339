"""The check every outbound message and call passes before it leaves.

`check` answers for one instant; `earliest` finds the first instant from a start at which a
contact would pass, so a blocked send can be rescheduled rather than dropped. Both work on
`Facts`, a plain snapshot of what the rules need to know about one account, so a campaign can
check a hundred thousand accounts without a query each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import phonenumbers
from babel.core import get_global
from phonenumbers import timezone as phone_zones

from amicable.compliance.rules import WEEKDAYS, CountryRules, parse_window

Kind = Literal["message", "call"]
WEEK = timedelta(days=7)
_HORIZON_DAYS = 21


@dataclass(frozen=True)
class Past:
    """A contact already made (or planned earlier in the same run)."""

    at: datetime
    channel: str
    kind: Kind = "message"


@dataclass
class Facts:
    """What the rules need to know about one account and its debtor."""

    country: str | None
    zones: tuple[str, ...]
    addresses: dict[str, str] = field(default_factory=dict)  # channel -> number or chat id
    opted_out: frozenset[str] = frozenset()
    # Channels whose address is known not to work (an email that bounced), and why.
    undeliverable: dict[str, str] = field(default_factory=dict)
    consents: frozenset[str] = frozenset()
    # The hours for this debtor: what they asked for, within the creditor's sending hours.
    preferred_hours: str | None = None
    cease: bool = False
    on_hold: bool = False
    hold_until: date | None = None
    open_dispute: bool = False
    history: list[Past] = field(default_factory=list)
    last_talk_at: datetime | None = None  # the debtor last wrote or spoke to us
    last_call_talk_at: datetime | None = None  # the last phone conversation


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str = ""
    reason: str = ""
    # When waiting helps: the first moment worth checking again. None: waiting changes nothing.
    retry_at: datetime | None = None


ALLOWED = Decision(True)


def candidate_zones(debtor_zone: str | None, phone: str | None, rules: CountryRules) -> tuple[str, ...]:
    """Every time zone the signals point to: the debtor's own and the phone number's (its
    area code). The send must fit the window in all of them (the most restrictive wins).
    A zone that is not one of the debtor's country's (a default left by an import) is not
    trusted alone: every zone of the country is added, so a US debtor filed with a European
    zone is reached only when it is daytime from coast to coast."""
    zones: list[str] = []
    country_zones = _country_zones(rules.country)
    if debtor_zone and debtor_zone != "UTC":
        try:
            ZoneInfo(debtor_zone)
            zones.append(debtor_zone)
        except (ValueError, KeyError):
            pass
    if phone:
        from_number = _number_zones(phone)
        # A number that spans many zones (a whole country) says nothing about where its owner is.
        if 0 < len(from_number) <= 2:
            zones.extend(z for z in from_number if z not in zones)
    if country_zones and not any(z in country_zones for z in zones):
        zones.extend(z for z in country_zones if z not in zones)
    return tuple(zones) or (rules.timezone,)


@lru_cache(maxsize=50_000)
def _number_zones(phone: str) -> tuple[str, ...]:
    """The zones a number's area code points to; cached, as a send asks again what the plan
    asked of the same number moments before."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ()
    return tuple(z for z in phone_zones.time_zones_for_number(number) if z != "Etc/Unknown")


@lru_cache(maxsize=64)
def _country_zones(country: str) -> tuple[str, ...]:
    return tuple(get_global("territory_zones").get(country, ())) if country else ()


def _timing(rules: CountryRules, facts: Facts, at: datetime) -> Decision | None:
    preferred = parse_window(facts.preferred_hours) if facts.preferred_hours else None
    for zone in facts.zones:
        local = at.astimezone(ZoneInfo(zone))
        day = WEEKDAYS[local.weekday()]
        if not rules.public_holidays and rules.is_holiday(local.date()):
            return Decision(False, "public_holiday", f"{local:%Y-%m-%d} is a public holiday in {rules.country or zone}")
        window = rules.window(day)
        if window is None:
            return Decision(False, "contact_days", f"no contact on {local:%A}s ({rules.country or 'default'} rules)")
        if not window[0] <= local.time() < window[1]:
            return Decision(
                False,
                "contact_hours",
                f"{local:%H:%M} in {zone} is outside {rules.contact_hours[day]} ({rules.country or 'default'} rules)",
            )
        if preferred and not preferred[0] <= local.time() < preferred[1]:
            return Decision(
                False,
                "debtor_hours",
                f"outside this debtor's hours {facts.preferred_hours} (their wish, the creditor's hours)",
            )
    return None


def check(rules: CountryRules, facts: Facts, channel: str, at: datetime, kind: Kind = "message") -> Decision:
    """Whether this contact may leave at `at`; the first rule that forbids it says why."""
    at = at.astimezone(UTC)  # a week is 168 hours, also across a clock change
    if facts.cease:
        return Decision(False, "cease_request", "the debtor asked that contact about this debt stop")
    if facts.open_dispute:
        return Decision(False, "dispute", "a dispute is open: collection waits until a person resolves it")
    if facts.on_hold:
        return Decision(False, "hold", "collection is paused for this debtor")
    if channel in facts.opted_out:
        return Decision(False, "opt_out", f"the debtor opted out of {channel}")
    if channel not in facts.addresses:
        return Decision(False, "no_address", f"no {channel} address is known")
    if channel in facts.undeliverable:
        return Decision(False, "undeliverable", f"the {channel} address does not work: {facts.undeliverable[channel]}")
    if channel in rules.consent_required and channel not in facts.consents:
        return Decision(
            False, "consent", f"{channel} needs the debtor's recorded consent ({rules.country or 'default'})"
        )
    first_zone = ZoneInfo(facts.zones[0])
    if facts.hold_until and at.astimezone(first_zone).date() < facts.hold_until:
        resume = datetime.combine(facts.hold_until, datetime.min.time(), first_zone)
        return Decision(False, "hold_until", f"collection is paused until {facts.hold_until.isoformat()}", resume)
    timing = _timing(rules, facts, at)
    if timing is not None:
        return Decision(False, timing.rule, timing.reason, _next_opening(rules, facts, at))
    caps = rules.caps
    if facts.last_talk_at and at < facts.last_talk_at + timedelta(days=caps.quiet_days_after_conversation):
        until = facts.last_talk_at + timedelta(days=caps.quiet_days_after_conversation)
        return Decision(
            False, "after_conversation", "the debtor was in touch recently; no automated contact yet", until
        )
    if kind == "call":
        return _call_caps(rules, facts, at)
    return _message_caps(rules, facts, channel, at)


def _message_caps(rules: CountryRules, facts: Facts, channel: str, at: datetime) -> Decision:
    caps = rules.caps
    zone = ZoneInfo(facts.zones[0])
    today = at.astimezone(zone).date()
    messages = sorted(p.at for p in facts.history if p.kind == "message" and p.at <= at)
    same_day = [t for t in messages if t.astimezone(zone).date() == today]
    if len(same_day) >= caps.messages_per_day:
        tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), zone)
        return Decision(False, "cap_per_day", f"{caps.messages_per_day} message(s) a day per debt", tomorrow)
    week = [t for t in messages if t > at - WEEK]
    if len(week) >= caps.messages_per_week:
        return Decision(
            False,
            "cap_per_week",
            f"{caps.messages_per_week} messages in 7 days per debt",
            week[-caps.messages_per_week] + WEEK,
        )
    on_channel = sorted(p.at for p in facts.history if p.channel == channel and p.at > at - WEEK and p.at <= at)
    if len(on_channel) >= caps.per_channel_per_week:
        return Decision(
            False,
            "cap_per_channel",
            f"{caps.per_channel_per_week} messages in 7 days on {channel}",
            on_channel[-caps.per_channel_per_week] + WEEK,
        )
    return ALLOWED


def _call_caps(rules: CountryRules, facts: Facts, at: datetime) -> Decision:
    caps = rules.caps
    if caps.calls_after_conversation_days and facts.last_call_talk_at:
        # The conversation's own day counts as day 1 (US-04): calls resume on day 8.
        zone = ZoneInfo(facts.zones[0])
        talked = facts.last_call_talk_at.astimezone(zone).date()
        resume_day = talked + timedelta(days=caps.calls_after_conversation_days)
        if at.astimezone(zone).date() < resume_day:
            return Decision(
                False,
                "calls_after_conversation",
                f"no call within {caps.calls_after_conversation_days} days of a phone conversation",
                datetime.combine(resume_day, datetime.min.time(), zone),
            )
    if caps.calls_per_week == 0:
        return Decision(False, "calls_per_week", f"no calls ({rules.country or 'default'} rules)")
    calls = sorted(p.at for p in facts.history if p.kind == "call" and at - WEEK < p.at <= at)
    if len(calls) >= caps.calls_per_week:
        return Decision(
            False,
            "calls_per_week",
            f"{caps.calls_per_week} calls in 7 days per debt",
            calls[-caps.calls_per_week] + WEEK,
        )
    return ALLOWED


def _next_opening(rules: CountryRules, facts: Facts, start: datetime) -> datetime | None:
    """The first moment after `start` inside the window in every zone: it is the opening of
    some zone's window (or of the debtor's own hours) on some day, so only those are tried."""
    openings: list[datetime] = []
    preferred = parse_window(facts.preferred_hours) if facts.preferred_hours else None
    for zone_name in facts.zones:
        zone = ZoneInfo(zone_name)
        first_day = start.astimezone(zone).date()
        for offset in range(_HORIZON_DAYS):
            day = first_day + timedelta(days=offset)
            window = rules.window(WEEKDAYS[day.weekday()])
            if window:
                openings.append(datetime.combine(day, window[0], zone))
            if preferred:
                openings.append(datetime.combine(day, preferred[0], zone))
    for moment in sorted(o for o in openings if o > start):
        if _timing(rules, facts, moment) is None:
            return moment
    return None


def earliest(
    rules: CountryRules, facts: Facts, channel: str, start: datetime, kind: Kind = "message"
) -> tuple[datetime | None, Decision]:
    """The first moment from `start` at which the contact passes every rule, with the decision
    that held it back (or None and the rule that waiting cannot lift)."""
    moment, first_refusal = start, None
    for _ in range(12):
        decision = check(rules, facts, channel, moment, kind)
        if decision.allowed:
            return moment, first_refusal or decision
        first_refusal = first_refusal or decision
        if decision.retry_at is None or decision.retry_at <= moment:
            return None, decision
        moment = decision.retry_at
    return None, first_refusal or Decision(False, "no_opening", "no allowed moment in the next weeks")
