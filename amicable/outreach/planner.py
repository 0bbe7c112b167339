"""Who hears from us, when, where and how: one decision per account for a given instant.

For each account the planner finds the strategy step its debt has reached, skips it when the
debt is paid, in a plan, promised, disputed or paused, chooses the tone (from the predicted
chance of paying late, or the account's A/B variant), the channel (the one this debtor
answered best, then the strategy's order) and the hour (the debtor's usual hour, inside the
creditor's and the law's windows), and asks the compliance rules whether it may go. The
answer is `send` now, `defer` to a later moment, `skip`, or `blocked` with the rule and
reason. Nothing here writes: `campaign` stores and sends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from statistics import median
from zoneinfo import ZoneInfo

from amicable.compliance.gate import Facts, candidate_zones, check, earliest
from amicable.compliance.rules import CountryRules, Rulebook, parse_window
from amicable.outreach.snapshot import AccountState, StepRecord
from amicable.outreach.strategy import Step, Strategy


@dataclass(slots=True)
class Planned:
    """One account's decision. Slotted: a run over a million accounts keeps a million."""

    reference: str
    action: str  # send, skip, blocked, defer
    channel: str | None
    send_at: datetime | None
    rule: str
    reason: str
    template: str | None
    tone: str | None
    # For storing and sending; not part of the printed plan.
    account_id: int = 0
    step: str | None = None
    cycle: object = None
    variant: str | None = None
    handover: bool = False
    risk: float | None = None

    def public(self) -> dict:
        return {
            "reference": self.reference,
            "action": self.action,
            "channel": self.channel,
            "send_at": self.send_at.isoformat() if self.send_at else None,
            "rule": self.rule,
            "reason": self.reason,
            "template": self.template,
            "tone": self.tone,
        }


def _skip(state: AccountState, rule: str, reason: str, **extra) -> Planned:
    extra.setdefault("account_id", state.id)  # a step's own values (`base`) carry it already
    return Planned(state.reference, "skip", None, None, rule, reason, None, None, **extra)


def current_step(
    strategy: Strategy, cycle: date, today: date, records: dict[tuple[date, str], StepRecord], zone: ZoneInfo
) -> tuple[Step | None, date | None]:
    """The next step of this debt, or none yet and the day it comes.

    Steps go in order and keep their spacing: a debt imported 40 days late starts with the
    first reminder, not the hand-over, and the next step follows as many days after it as
    the strategy puts between them. A step before the due date is dropped once it has passed.
    """
    last_done: Step | None = None
    last_day: date | None = None
    for step in strategy.steps:
        record = records.get((cycle, step.id))
        if record is not None and record.status != "deferred":
            last_done, last_day = step, record.send_at.astimezone(zone).date()
    after = strategy.steps[strategy.steps.index(last_done) + 1 :] if last_done else strategy.steps
    for step in after:
        if step.day < 0 and today >= cycle:
            continue
        comes = cycle + timedelta(days=step.day)
        if last_done is not None and last_day is not None:
            comes = max(comes, last_day + timedelta(days=step.day - last_done.day))
        return (step, None) if today >= comes else (None, comes)
    return None, None


def effective_hours(strategy: Strategy, debtor: str | None) -> str:
    """The creditor's sending hours, narrowed to the debtor's own wish when they meet."""
    return _narrowed(strategy.send_hours, debtor)


@lru_cache(maxsize=1024)
def _narrowed(creditor: str, debtor: str | None) -> str:
    """`effective_hours` for the hours as written: a few distinct pairs across a whole run,
    so each is worked out once."""
    own = parse_window(creditor)
    if not debtor:
        return creditor
    try:
        wish = parse_window(debtor)
    except ValueError:
        return creditor
    if own and wish:
        start, end = max(own[0], wish[0]), min(own[1], wish[1])
        if start < end:
            return f"{start:%H:%M}-{end:%H:%M}"
    return debtor  # the debtor's wish wins over the creditor's habit; the law still applies


@lru_cache(maxsize=1024)
def _window(hours: str) -> tuple[time, time] | None:
    """`parse_window`, once per distinct window of a run (hours are checked per account)."""
    return parse_window(hours)


@lru_cache(maxsize=64)
def _hour(spec: str) -> time:
    hour, minute = (int(p) for p in spec.split(":"))
    return time(hour, minute)


def _channels(state: AccountState, strategy: Strategy, step: Step) -> list[str]:
    allowed = step.channels or strategy.channels
    best = [c for c, _ in state.answers_by_channel.most_common() if c in allowed]
    return list(dict.fromkeys([*best, *allowed]))


def _addresses(state: AccountState) -> dict[str, str]:
    found = {}
    if state.phone:
        found["voice"] = state.phone
        if state.phone_is_mobile:
            found["sms"] = state.phone
            found["whatsapp"] = state.phone
    if state.telegram_chat:
        found["telegram"] = state.telegram_chat
    if state.email:
        found["email"] = state.email
    return found


def _target(now: datetime, zone: ZoneInfo, state: AccountState, strategy: Strategy, hours: str) -> tuple[datetime, str]:
    """Today at the hour this debtor usually answers (or the creditor's usual hour), moved
    inside the hours that apply to them, and why."""
    if state.answer_hours:
        at, why = time(int(median(state.answer_hours))), "near the hour this debtor usually answers"
    else:
        at, why = _hour(strategy.default_hour), "the creditor's usual sending hour"
    window = _window(hours)
    if window and not window[0] <= at < window[1]:
        at = window[0] if at < window[0] else max(window[0], time(max(window[1].hour - 1, 0), window[1].minute))
    local = now.astimezone(zone)
    return max(now, local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)), why


def facts_for(state: AccountState, zones: tuple[str, ...], hours: str | None) -> Facts:
    """What the compliance rules need to know of this account."""
    return Facts(
        country=state.country,
        zones=zones,
        addresses=_addresses(state),
        opted_out=frozenset(state.opted_out),
        undeliverable=dict(state.undeliverable),
        consents=frozenset(state.consents),
        preferred_hours=hours,
        cease=state.cease,
        on_hold=state.on_hold,
        hold_until=state.hold_until,
        open_dispute=state.open_dispute,
        history=state.history,
        last_talk_at=state.last_talk_at,
        last_call_talk_at=state.last_call_talk_at,
    )


def decide(
    state: AccountState, strategy: Strategy, rules: CountryRules, now: datetime, risk: float | None, notes: list[str]
) -> Planned:
    cycle = state.cycle
    if cycle is None or state.balance <= 0:
        return _skip(state, "paid", "nothing is owed")
    zones = candidate_zones(state.timezone, state.phone, rules)
    if state.timezone in ("", "UTC") or state.timezone not in zones:
        notes.append(f"{state.reference}: time zone {state.timezone!r} not usable; using {', '.join(zones)}")
    today = now.astimezone(ZoneInfo(zones[0])).date()
    step, comes = current_step(strategy, cycle, today, state.steps, ZoneInfo(zones[0]))
    if step is None:
        if comes is None:
            return _skip(state, "strategy_done", "every step of the strategy has been taken for this debt")
        return _skip(state, "not_yet", f"next step on {comes.isoformat()}")
    for reason, applies, words in (
        ("dispute_open", state.open_dispute, "a dispute is open"),
        ("on_hold", state.on_hold, "collection is paused for this debtor"),
        ("in_plan", state.in_plan, "an installment plan is running (it sends its own reminders)"),
        ("promise_pending", state.promise_pending, "a promise to pay is pending"),
    ):
        if applies and reason in step.skip_if:
            return _skip(state, reason, words, step=step.id, cycle=cycle)
    if step.only_if_likely_late and (risk is None or risk < strategy.likely_late_from):
        shown = "unknown" if risk is None else f"{risk:.0%}"
        return _skip(
            state,
            "not_likely_late",
            f"chance of paying late {shown} is under {strategy.likely_late_from:.0%}: no nudge needed",
            step=step.id,
            cycle=cycle,
            risk=risk,
        )

    if step.costs and rules.fees == "none":
        return Planned(
            state.reference,
            "blocked",
            None,
            None,
            "fees",
            f"collection costs may not be charged to debtors in {state.country or 'this country'} (FR-03 and the "
            f"{state.country or 'default'} rules); the strategy goes on without this step",
            step.template,
            None,
            account_id=state.id,
            step=step.id,
            cycle=cycle,
        )
    likely = risk is not None and risk >= strategy.likely_late_from
    tone = step.tone or (strategy.tone.likely_late if likely else strategy.tone.unlikely_late)
    template, variant = step.template, None
    experiment = strategy.experiment_for(step.id)
    if experiment is not None:
        chosen = experiment.variant_for(state.reference)
        variant = f"{experiment.id}:{chosen}"
        tone, template = (chosen, template) if experiment.vary == "tone" else (tone, chosen)

    hours = effective_hours(strategy, state.preferred_hours)
    facts = facts_for(state, zones, hours)
    base = dict(account_id=state.id, step=step.id, cycle=cycle, variant=variant, risk=risk)
    base["handover"] = step.handover
    channels = _channels(state, strategy, step)
    if channels and all(c in state.opted_out for c in channels) and "opted_out" in step.skip_if:
        return _skip(state, "opted_out", f"opted out of every channel of this step ({', '.join(channels)})", **base)
    start, hour_reason = _target(now, ZoneInfo(zones[0]), state, strategy, hours)
    refusals = []
    for channel in channels:
        kind = "call" if channel == "voice" else "message"
        moment, why = earliest(rules, facts, channel, start, kind)
        if moment is None:
            refusals.append((channel, why))
            continue
        disclose = rules.disclose_before_verification or channel in state.verified_channels
        chosen_template = template if disclose else "private_contact"
        if disclose and step.day < 0 and strategy.early_payment_discount_percent > 0 and variant is None:
            chosen_template = "pre_due_discount"  # the creditor's offer for paying before the due date
        if moment <= now:
            return Planned(state.reference, "send", channel, now, "", "", chosen_template, tone, **base)
        local = moment.astimezone(ZoneInfo(zones[0]))
        if why.allowed:
            # Waiting for the debtor's hour; if the law forbids this instant anyway, say so first.
            now_check = check(rules, facts, channel, now, kind)
            rule = "personal_timing" if now_check.allowed else now_check.rule
            reason = (
                f"{now_check.reason + '; ' if not now_check.allowed else ''}planned at {local:%H:%M}, {hour_reason}"
            )
        else:
            rule, reason = why.rule, f"{why.reason}; first allowed moment {local:%Y-%m-%d %H:%M}"
        return Planned(state.reference, "defer", channel, moment, rule, reason, chosen_template, tone, **base)
    channel, why = refusals[0] if refusals else (None, None)
    reason = "; ".join(f"{c}: {w.reason}" for c, w in refusals) or "no channel in the strategy"
    return Planned(
        state.reference, "blocked", channel, None, why.rule if why else "no_channel", reason, template, tone, **base
    )


def plan(
    states: list[AccountState],
    strategies: Callable[[str], Strategy],
    rulebook: Rulebook,
    now: datetime,
    risks: dict[int, float],
    notes: list[str],
) -> list[Planned]:
    return [
        decide(state, strategies(state.creditor), rulebook.for_country(state.country), now, risks.get(state.id), notes)
        for state in states
    ]
