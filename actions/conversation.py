"""Keeping the conversation humane: hand-over to a person, stopping contact, answering yes
and no to what was offered, and calm recovery when the bot does not understand."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api import AmicableApi, ApiError
from actions.common import clear_pending, language, moment, service_problem
from actions.handover import HAND_OVER_AT, OFFER_PERSON_AT, hand_over, mark, stall, stall_number
from actions.outcomes import ActionOfferPaymentLink, answer_vulnerability_consent
from actions.plans import accept_plan, ask_for_amount, decline_plan


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = "asked_for_person" if intent == "request_human" else "bot_offer_accepted"
        return await hand_over(dispatcher, tracker, reason)


async def answer_callback(dispatcher: CollectingDispatcher, tracker: Tracker, accepted: bool) -> list[EventType]:
    at = tracker.get_slot("callback_at")
    reset = [SlotSet("offer", None), SlotSet("callback_at", None)]
    if not at:
        return reset
    when = moment(at, language(tracker))
    if not accepted:
        dispatcher.utter_message(response="utter_handoff_queued", when=when)
        return reset
    try:
        await AmicableApi().callback(tracker.sender_id, at)
    except ApiError:
        return [*service_problem(dispatcher), *reset]
    dispatcher.utter_message(response="utter_callback_booked", when=when)
    return reset


class ActionIAmABot(Action):
    """ "Am I talking to a robot?": yes, and a person is there when wanted. Asked again right
    after, it is a person they want: offered at once rather than the same answer again."""

    def name(self) -> str:
        return "action_i_am_a_bot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if _said_last_turn(tracker) == "utter_i_am_a_bot":
            dispatcher.utter_message(response="utter_offer_person")
            return [SlotSet("offer", "person")]
        dispatcher.utter_message(response="utter_i_am_a_bot")
        return []


def _said_last_turn(tracker: Tracker) -> str | None:
    """The response the bot's last message before this turn came from."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
        elif users == 1 and event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


class ActionOptOut(Action):
    """STOP is honoured at once, whether or not the identity check was done."""

    def name(self) -> str:
        return "action_opt_out"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            await AmicableApi().opt_out(tracker.sender_id)
        except ApiError:
            return service_problem(dispatcher)
        dispatcher.utter_message(response="utter_opted_out")
        return [*clear_pending(), SlotSet("offer", None)]


class ActionAcceptOffer(Action):
    def name(self) -> str:
        return "action_accept_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # The accepted step runs here, not as a follow-up action that no rule would continue.
        offer = tracker.get_slot("offer")
        if offer == "person":
            return await ActionHandoff().run(dispatcher, tracker, domain)
        if offer == "payment_link":
            return [SlotSet("offer", None), *await ActionOfferPaymentLink().run(dispatcher, tracker, domain)]
        if offer == "plan":
            return await accept_plan(dispatcher, tracker, domain)
        if offer == "vulnerability_consent":
            return await answer_vulnerability_consent(dispatcher, tracker, consent=True)
        if offer == "callback":
            return await answer_callback(dispatcher, tracker, accepted=True)
        if offer in ("another_amount", "change_plan"):  # "yes" to another amount / changing the plan
            return [SlotSet("offer", None), *ask_for_amount(tracker)]
        # A yes with nothing on offer ("yes" to "anything else?"): ask what it is. Said again
        # and again, it is a conversation going nowhere, and a person is offered.
        return await stall(dispatcher, tracker, ["utter_how_can_i_help"])


class ActionDeclineOffer(Action):
    def name(self) -> str:
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("offer") == "plan":
            return decline_plan(dispatcher, tracker)
        if tracker.get_slot("offer") == "vulnerability_consent":
            return await answer_vulnerability_consent(dispatcher, tracker, consent=False)
        if tracker.get_slot("offer") == "callback":
            return await answer_callback(dispatcher, tracker, accepted=False)
        if tracker.get_slot("offer") in ("person", "another_amount", "change_plan"):
            # No person, then: the bot is still here for what it can do.
            dispatcher.utter_message(response="utter_ok")
            dispatcher.utter_message(response="utter_anything_else")
            return [SlotSet("offer", None)]
        # A no with nothing on offer ("no" to "anything else?"): a friendly close.
        dispatcher.utter_message(response="utter_goodbye")
        return [SlotSet("offer", None)]


class ActionFallback(Action):
    """Not understood: rephrase what the bot can do (and ask the open question again); a second
    stalled turn in a row offers a person, a third hands over (actions/handover.py).

    It is also what Rasa runs when no rule fits a turn, for example a question in the middle
    of a form that the form cannot take. The turn always ends here (FollowupAction to listen):
    without that, Rasa would predict this action again and again."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = _question_being_asked(tracker, domain)
        recover = ["utter_default", question] if question else ["utter_default"]
        return [*await stall(dispatcher, tracker, recover), FollowupAction("action_listen")]


def _question_being_asked(tracker: Tracker, domain: DomainDict) -> str | None:
    """The response a form uses to ask its slot (Rasa's two naming forms), if one is active."""
    form, slot = tracker.active_loop_name, tracker.get_slot("requested_slot")
    if not form or not slot:
        return None
    responses = domain.get("responses") or {}
    return next((name for name in (f"utter_ask_{form}_{slot}", f"utter_ask_{slot}") if name in responses), None)


class ActionRepeat(Action):
    """ "What?", "I don't understand": say the last thing again in other words.

    Each bot message remembers which response it came from and the values it was filled with
    (Rasa keeps them in the message's metadata), so the same response is rendered again from
    one of its other variations in the debtor's language. A message with no other variation
    is said again as it was."""

    def name(self) -> str:
        return "action_repeat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        said: list[dict[str, Any]] = []
        for event in reversed(tracker.events):
            if event.get("event") == "user" and said:
                break
            if event.get("event") == "bot" and event.get("text"):
                said.insert(0, event)
        if not said:
            dispatcher.utter_message(response="utter_nothing_to_repeat")
            return []
        number = stall_number(tracker)
        if number >= HAND_OVER_AT:
            # Asked to say it again and again: a person explains it better. Listen after, so
            # an open form does not ask its question once more.
            return [*await stall(dispatcher, tracker), FollowupAction("action_listen")]
        dispatcher.utter_message(response="utter_repeat_intro")
        if number >= OFFER_PERSON_AT:
            dispatcher.utter_message(response="utter_person_available")
        if tracker.active_loop_name:
            # A form is asking: it asks again right after this, in another of its wordings.
            return mark()
        lang = language(tracker)
        for event in said:
            dispatcher.utter_message(text=rephrase(event, domain, lang, tracker.current_slot_values()))
        return mark()


def rephrase(event: dict[str, Any], domain: DomainDict, lang: str, slots: dict[str, Any]) -> str:
    """Another variation of the response `event` was rendered from, or its own text."""
    text: str = event["text"]
    metadata = event.get("metadata") or {}
    variations = (domain.get("responses") or {}).get(metadata.get("utter_action") or "", [])
    in_language = [v for v in variations if _language_of(v) == lang] or [v for v in variations if not _language_of(v)]
    values = {**{k: v for k, v in slots.items() if v is not None}, **metadata}
    for variation in in_language:
        try:
            candidate = str(variation.get("text") or "").format_map(values)
        except (KeyError, IndexError, ValueError):
            continue
        if candidate and candidate != text:
            return candidate
    return text


def _language_of(variation: dict[str, Any]) -> str | None:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return condition.get("value")
    return None
