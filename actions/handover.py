"""Handing the conversation to a person: the hand-over itself, and the guard that no
conversation goes round in circles.

A turn "stalls" when the bot could not move the conversation on: it did not understand, it
rephrased, or it had to ask the same question again. Each such turn is marked on the tracker
(a `stalled` slot event), so the count of stalled turns in a row is read from the
conversation's own record and needs no counter to be kept in step:

- the first stalled turn recovers in its own way (a rephrase, the question again);
- the second in a row offers a person instead of asking again;
- the third hands the conversation over with a summary (or, when nobody is on duty, says
  when someone will answer and offers a call back).

So no debtor hears the same question three times in a row.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import AmicableApi, ApiError
from actions.common import clear_pending, language, moment, service_problem, summary_of

STALLED = "stalled"
# The stalled turn (counting this one) at which a person is offered, and at which one takes over.
OFFER_PERSON_AT = 2
HAND_OVER_AT = 3


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    """Queue the conversation for a person with a summary, and tell the debtor what happens."""
    try:
        result = await AmicableApi().handoff(tracker.sender_id, reason, summary_of(tracker))
    except ApiError:
        return service_problem(dispatcher)
    slots = result.get("callback_slots") or []
    if result.get("agents_available") is False and slots:
        # Nobody on duty: say when someone will answer, and offer a call back then.
        dispatcher.utter_message(
            response="utter_handoff_closed", when=moment(slots[0], language(tracker)), custom={"handoff": True}
        )
        return [*clear_pending(), SlotSet("offer", "callback"), SlotSet("callback_at", slots[0])]
    dispatcher.utter_message(response="utter_handoff", custom={"handoff": True})
    return [*clear_pending(), SlotSet("offer", None)]


def stalled_before(tracker: Tracker) -> int:
    """How many turns in a row, just before this one, were marked stalled."""
    count, marked, current_seen = 0, False, False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            break
        if kind == "user":
            if current_seen:
                if not marked:
                    break
                count += 1
            current_seen, marked = True, False
        elif current_seen and kind == "slot" and event.get("name") == STALLED and event.get("value"):
            marked = True
    return count


def stall_number(tracker: Tracker) -> int:
    """Which stalled turn in a row this one would be (1 for the first)."""
    return stalled_before(tracker) + 1


def mark() -> list[EventType]:
    return [SlotSet(STALLED, True)]


async def stall(
    dispatcher: CollectingDispatcher, tracker: Tracker, recover: list[str] | None = None
) -> list[EventType]:
    """This turn made no progress: say the `recover` responses the first time, offer a person
    the second time in a row, hand over the third. An open form is closed before a person is
    offered, so a yes answers the offer rather than the form's question."""
    number = stall_number(tracker)
    close_form: list[EventType] = (
        [ActiveLoop(None), SlotSet("requested_slot", None)] if tracker.active_loop_name else []
    )
    if number >= HAND_OVER_AT:
        return [*close_form, *await hand_over(dispatcher, tracker, "bot_stuck"), *mark()]
    if number >= OFFER_PERSON_AT:
        dispatcher.utter_message(response="utter_offer_person_after_confusion")
        return [*close_form, SlotSet("offer", "person"), *mark()]
    for response in recover or []:
        dispatcher.utter_message(response=response)
    return mark()
