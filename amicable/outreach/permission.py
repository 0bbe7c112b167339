"""May we reach this debtor now, and on which channel? One account's compliance decision,
for contacts outside the strategy's plan: a plan's own reminders (outreach.collection), an
outreach contact asked again at the moment it leaves (outreach.dispatch), a call an agent
places (the API). The strategy's planned contacts are decided in bulk by the planner, with
the same rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from amicable.compliance.gate import Decision, candidate_zones, check
from amicable.compliance.rules import rulebook
from amicable.outreach.planner import effective_hours, facts_for
from amicable.outreach.snapshot import load_states
from amicable.outreach.strategy import load_strategy
from amicable.settings import Settings


def may_contact(
    session: Session,
    settings: Settings,
    account_id: int,
    now: datetime,
    channels: list[str] | None = None,
    creditor_hours: bool = True,
) -> tuple[str | None, Decision]:
    """For contacts outside the strategy (a plan's own reminders, a call an agent places):
    the first of `channels` (the strategy's by default) the rules allow now, or None and the
    rule holding it back. A person calling keeps to the law and the debtor's wishes, not to
    the hours the creditor's automated messages go out (`creditor_hours=False`)."""
    states = load_states(session, now, account_ids=[account_id])
    if not states:
        return None, Decision(False, "no_account", "no such account")
    state = states[0]
    rules = rulebook(settings.policies_dir).for_country(state.country)
    strategy = load_strategy(settings.policies_dir, state.creditor)
    hours = effective_hours(strategy, state.preferred_hours) if creditor_hours else state.preferred_hours
    facts = facts_for(state, candidate_zones(state.timezone, state.phone, rules), hours)
    refusals = []
    for channel in channels or strategy.channels:
        decision = check(rules, facts, channel, now, "call" if channel == "voice" else "message")
        if decision.allowed:
            return channel, decision
        refusals.append(decision)
    # The reason that will pass (an hour, a day) says more than a channel that never could.
    refusals.sort(key=lambda d: d.retry_at is None)
    return None, refusals[0] if refusals else Decision(False, "no_channel", "no channel in the strategy")
