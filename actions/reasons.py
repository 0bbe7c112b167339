"""What makes paying hard: the reasons the bot records, and asking for one once an outcome
is secured (a debtor who went straight to a plan or a promise is never asked first)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import AmicableApi, ApiError

REASONS = {
    "reason_forgot": "forgot",
    "reason_cash_flow": "cash_flow",
    "reason_income_loss": "income_loss",
    "reason_illness": "illness",
    "reason_bereavement": "bereavement",
    "reason_technical": "technical",
    "reason_overwhelmed": "overwhelmed",
}
# Reasons that call for care, not a payment: collection is paused and a person offered.
CARE = ("illness", "bereavement", "overwhelmed")
# How sure the classifier must have been of a reason given in passing ("I can pay Friday when
# my salary comes in") for it to be recorded without asking.
VOLUNTEERED = 0.25


def volunteered_reason(tracker: Tracker) -> str | None:
    """The reason for not paying the debtor gave in passing in this conversation, if the
    classifier saw one with some confidence in any of their messages."""
    best, score = None, VOLUNTEERED
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        for ranked in (event.get("parse_data") or {}).get("intent_ranking") or []:
            name, confidence = ranked.get("name"), float(ranked.get("confidence") or 0)
            if name in REASONS and confidence >= score:
                best, score = REASONS[name], confidence
    return best


async def reason_once(dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
    """Once a plan or a promise is secured, what made paying hard: recorded from what the
    debtor already said, or asked once, gently. Its answer is then only noted."""
    events: list[EventType] = [SlotSet("settled", True)]
    if account.get("reason") or tracker.get_slot("reason_asked"):
        return events
    given = volunteered_reason(tracker)
    if given:
        try:
            await AmicableApi().reason(account["reference"], tracker.sender_id, given)
        except ApiError:
            pass  # a reason not noted is asked for instead
        else:
            return events
    dispatcher.utter_message(response="utter_ask_reason_after")
    return [*events, SlotSet("reason_asked", True)]
