"""Negotiating an installment plan: the debtor names a monthly amount, the bot answers with
the schedule it gives (or the nearest one the creditor's policy allows), and records the plan
only after a yes. The arithmetic and the policy live in the API; the bot only talks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.lists import format_list
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account import AccountAction
from actions.api import AmicableApi, ApiError
from actions.common import (
    LOCALES,
    UNCLEAR,
    clear_pending,
    current_request,
    day,
    language,
    money,
    service_problem,
)
from actions.handover import OFFER_PERSON_AT, STALLED, stall, stall_number
from actions.normalise import amount_role, parse_amount
from actions.reasons import reason_once

# Installments listed one by one up to this many; a longer plan is summarised.
LISTED = 4
# After this many counter-offers turned down, a person looks at what the policy cannot do.
MAX_COUNTERS = 2
COUNTER_RESPONSES = {"below_minimum": "utter_plan_counter_minimum", "too_long": "utter_plan_counter_too_long"}


def describe_schedule(installments: list[dict[str, str]], currency: str, lang: str) -> str:
    """ "€50.00 on Monday 1 December 2026, €50.00 on …", or for a long plan "12 monthly
    payments of €83.34 from … to …" — always in the debtor's language (one of LOCALES, as
    `language()` gives it) and number format."""
    locale = LOCALES[lang]
    linker = {"en": "on", "fr": "le", "nl": "op"}[lang]
    if len(installments) <= LISTED:
        parts = [f"{money(i['amount'], currency, lang)} {linker} {day(i['due_on'], lang)}" for i in installments]
        return format_list(parts, locale=locale)
    first, last = installments[0], installments[-1]
    template = {
        "en": "{n} monthly payments of {amount}, from {first} to {last}",
        "fr": "{n} paiements mensuels de {amount}, du {first} au {last}",
        "nl": "{n} maandelijkse betalingen van {amount}, van {first} tot {last}",
    }[lang]
    text = template.format(
        n=len(installments),
        amount=money(first["amount"], currency, lang),
        first=day(first["due_on"], lang),
        last=day(last["due_on"], lang),
    )
    if last["amount"] != first["amount"]:
        closing = {"en": "the last one {amount}", "fr": "le dernier de {amount}", "nl": "de laatste {amount}"}
        text += ", " + closing[lang].format(amount=money(last["amount"], currency, lang))
    return text


async def propose_plan(
    dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any], monthly: str
) -> list[EventType]:
    """Quote the amount and put the schedule to the debtor; nothing is recorded yet."""
    lang = language(tracker)
    try:
        offer = await AmicableApi().plan_quote(account["reference"], tracker.sender_id, monthly)
    except ApiError as error:
        if error.status == 409:
            dispatcher.utter_message(response="utter_nothing_owed", creditor=account["creditor"])
            return [*clear_pending(), SlotSet("offer", None)]
        return service_problem(dispatcher)
    currency = account["currency"]
    details = {
        "schedule": describe_schedule(offer["installments"], currency, lang),
        "total": money(offer["total"], currency, lang),
        "monthly": money(offer["monthly"], currency, lang),
        "proposed": money(offer["proposed"], currency, lang),
        "creditor": account["creditor"],
        "months": len(offer["installments"]),
    }
    if len(offer["installments"]) == 1:
        dispatcher.utter_message(response="utter_plan_single_payment", **details)
        return [*clear_pending(), SlotSet("offer", "payment_link"), SlotSet("plan_monthly", None)]
    counters = int(tracker.get_slot("plan_counters") or 0)
    if offer["fits"]:
        dispatcher.utter_message(response="utter_plan_proposal", **details)
    else:
        dispatcher.utter_message(response=COUNTER_RESPONSES[offer["why"]], **details)
        counters += 1
    return [
        *clear_pending(),
        SlotSet("offer", "plan"),
        SlotSet("plan_monthly", offer["monthly"]),
        SlotSet("plan_counters", counters),
        SlotSet("plan_amount", None),
    ]


def ask_for_amount(tracker: Tracker) -> list[EventType]:
    return [*clear_pending(), SlotSet("plan_amount", None), FollowupAction("plan_form")]


class ActionStartPlan(AccountAction):
    """ "Can I pay in installments?" asks for a monthly amount; "I can do 50 a month" is
    answered with the schedule straight away."""

    def name(self) -> str:
        return "action_start_plan"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        _, text = current_request(tracker)
        running = account.get("plan")
        if running and running.get("next_amount"):
            # A plan already runs: say what it is, and change it only if they want to.
            lang = language(tracker)
            dispatcher.utter_message(
                response="utter_plan_existing",
                amount=money(running["next_amount"], account["currency"], lang),
                due_on=day(running["next_due_on"], lang),
                left=running["installments_left"],
            )
            return [*clear_pending(), SlotSet("offer", "change_plan")]
        amount = parse_amount(text, language(tracker))
        if amount is not None and amount.value > 0:
            role = amount_role(text, language(tracker))
            # The total owed or a sum for today is not a monthly offer; an amount with no word
            # for what it is counts as monthly only when it is less than the whole balance.
            if role == "monthly" or (role == "unknown" and amount.value < Decimal(str(account["balance"]))):
                return await propose_plan(dispatcher, tracker, account, str(amount.value))
        return ask_for_amount(tracker)


class ValidatePlanForm(FormValidationAction):
    def name(self) -> str:
        return "validate_plan_form"

    async def validate_plan_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {}  # only cleared before the question is asked: nothing was answered yet
        amount = parse_amount(str(value), language(tracker))
        if amount is not None and amount.value > 0:
            return {"plan_amount": str(amount.value)}
        if stall_number(tracker) >= OFFER_PERSON_AT:
            return {"plan_amount": UNCLEAR, STALLED: True}  # not a third time: a person is offered
        dispatcher.utter_message(response="utter_plan_amount_unclear")
        return {"plan_amount": None, STALLED: True}


class ActionProposePlan(AccountAction):
    """The form has an amount: quote it."""

    def name(self) -> str:
        return "action_propose_plan"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        value = tracker.get_slot("plan_amount")
        if not value or value == UNCLEAR:
            return [SlotSet("plan_amount", None), *await stall(dispatcher, tracker)]
        return await propose_plan(dispatcher, tracker, account, value)


async def accept_plan(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """The yes to a quoted plan: record exactly the monthly amount that was shown."""
    monthly = tracker.get_slot("plan_monthly")
    reset = [SlotSet("offer", None), SlotSet("plan_monthly", None), SlotSet("plan_counters", 0)]
    try:
        account = await AmicableApi().account(tracker.sender_id)
        plan = await AmicableApi().plan(account["reference"], tracker.sender_id, monthly)
    except ApiError:
        return [*service_problem(dispatcher), *reset]
    lang = language(tracker)
    first = plan["installments"][0]
    dispatcher.utter_message(
        response="utter_plan_recorded",
        count=len(plan["installments"]),
        amount=money(first["amount"], account["currency"], lang),
        first=day(first["due_on"], lang),
    )
    if plan.get("autopay_url"):
        dispatcher.utter_message(response="utter_plan_autopay", url=plan["autopay_url"])
    return [*reset, *await reason_once(dispatcher, tracker, account)]


def decline_plan(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A no to the schedule: the debtor says what would suit them better (another monthly
    amount, paying at once, a date), rather than being asked the same amount again. After two
    counter-offers turned down, a person is offered, who can look at what the policy does not
    cover."""
    if int(tracker.get_slot("plan_counters") or 0) >= MAX_COUNTERS:
        dispatcher.utter_message(response="utter_plan_offer_person")
        return [SlotSet("offer", "person"), SlotSet("plan_monthly", None), SlotSet("plan_counters", 0)]
    dispatcher.utter_message(response="utter_plan_declined")
    return [SlotSet("offer", "another_amount"), SlotSet("plan_monthly", None)]


class ActionAnotherAmount(AccountAction):
    """The answer to "what would suit you better?" after a schedule was turned down, when it
    is an amount: a monthly one is quoted; anything else asks for the monthly amount."""

    def name(self) -> str:
        return "action_another_amount"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        amount = parse_amount(text, language(tracker))
        if amount is not None and amount.value > 0 and amount_role(text, language(tracker)) in ("monthly", "unknown"):
            return [SlotSet("offer", None), *await propose_plan(dispatcher, tracker, account, str(amount.value))]
        return [SlotSet("offer", None), *ask_for_amount(tracker)]
