"""Actions that end a conversation in something concrete: a payment link, a promise to pay,
a dispute, the reason recorded with the right next step."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.lists import format_list
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account import AccountAction
from actions.api import AmicableApi, ApiError
from actions.common import LOCALES, UNCLEAR, clear_pending, current_request, day, language, money, service_problem
from actions.handover import OFFER_PERSON_AT, STALLED, stall, stall_number
from actions.normalise import asks_for_everything, parse_date, parse_future_date
from actions.plans import ask_for_amount
from actions.reasons import CARE, REASONS, reason_once

METHOD_NAMES = {
    "en": {"card": "card", "bancontact": "Bancontact", "ideal": "iDEAL", "sepa_debit": "SEPA Direct Debit"},
    "fr": {"card": "carte bancaire", "bancontact": "Bancontact", "ideal": "iDEAL", "sepa_debit": "domiciliation SEPA"},
    "nl": {"card": "bankkaart", "bancontact": "Bancontact", "ideal": "iDEAL", "sepa_debit": "SEPA-domiciliëring"},
}


async def send_payment_link(
    dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any], response: str = "utter_payment_link"
) -> list[EventType]:
    if float(account["balance"]) <= 0:
        dispatcher.utter_message(response="utter_nothing_owed", creditor=account["creditor"])
        return [*clear_pending(), SlotSet("offer", None)]
    _, text = current_request(tracker)
    link = await AmicableApi().payment_link(account["reference"], tracker.sender_id, asks_for_everything(text))
    lang = language(tracker)
    names = METHOD_NAMES[lang]
    methods = format_list([names.get(m, m) for m in link["methods"]], style="or", locale=LOCALES[lang])
    values = {
        "amount": money(link["amount"], account["currency"], lang),
        "creditor": account["creditor"],
        "url": link["url"],
        "methods": methods,
        "expires": day(link["expires_at"][:10], lang),
    }
    if response == "utter_payment_link" and link.get("purpose") == "installment":
        response = "utter_payment_link_installment"  # a plan runs: the link is for its next installment
    elif response == "utter_payment_link" and float(link["discount"]) > 0:
        response = "utter_payment_link_discount"
        values["discount"] = money(link["discount"], account["currency"], lang)
        values["balance"] = money(account["balance"], account["currency"], lang)
    dispatcher.utter_message(response=response, **values)
    return [*clear_pending(), SlotSet("offer", None)]


class ActionOfferPaymentLink(AccountAction):
    def name(self) -> str:
        return "action_offer_payment_link"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        return await send_payment_link(dispatcher, tracker, account)


async def record_promise(
    dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any], due_on: date
) -> list[EventType]:
    lang = language(tracker)
    try:
        promise = await AmicableApi().promise(account["reference"], tracker.sender_id, due_on.isoformat())
    except ApiError as error:
        if error.status == 422:
            dispatcher.utter_message(
                response="utter_promise_date_too_late", latest=day(account["latest_promise_date"], lang)
            )
            return [SlotSet("promise_date", None), FollowupAction("promise_form")]
        return service_problem(dispatcher)
    dispatcher.utter_message(
        response="utter_promise_recorded",
        amount=money(promise["amount"], account["currency"], lang),
        due_on=day(promise["due_on"], lang),
    )
    return [
        *clear_pending(),
        SlotSet("promise_date", None),
        SlotSet("offer", None),
        *await reason_once(dispatcher, tracker, account),
    ]


def judge_date(text: str, account: dict[str, Any], lang: str) -> tuple[date | None, str | None]:
    """(date, None) when it fits the policy, else (None, the response explaining why)."""
    today = date.fromisoformat(account["today"])
    timezone = account.get("timezone") or "UTC"
    due_on = parse_future_date(text, today, lang, timezone)
    if due_on is None:
        named = parse_date(text, today, lang, timezone)
        return None, "utter_promise_date_past" if named is not None and named < today else "utter_promise_date_unclear"
    if due_on > date.fromisoformat(account["latest_promise_date"]):
        return None, "utter_promise_date_too_late"
    return due_on, None


class ActionStartPromise(AccountAction):
    """A promise with its date ("I can pay on Friday") is recorded at once when the date
    fits the policy; otherwise the debtor is asked for one."""

    def name(self) -> str:
        return "action_start_promise"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        _, text = current_request(tracker)
        lang = language(tracker)
        due_on, problem = judge_date(text, account, lang)
        if due_on is not None:
            return await record_promise(dispatcher, tracker, account, due_on)
        if problem == "utter_promise_date_too_late":
            dispatcher.utter_message(response=problem, latest=day(account["latest_promise_date"], lang))
        elif problem == "utter_promise_date_past":
            dispatcher.utter_message(response=problem)
        return [*clear_pending(), SlotSet("promise_date", None), FollowupAction("promise_form")]


class ValidatePromiseForm(FormValidationAction):
    def name(self) -> str:
        return "validate_promise_form"

    async def validate_promise_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {}  # only cleared before the question is asked: nothing was answered yet
        try:
            account = await AmicableApi().account(tracker.sender_id)
        except ApiError:
            service_problem(dispatcher)
            return {"promise_date": None}
        lang = language(tracker)
        due_on, problem = judge_date(str(value or ""), account, lang)
        if due_on is not None:
            return {"promise_date": due_on.isoformat()}
        if stall_number(tracker) >= OFFER_PERSON_AT:
            return {"promise_date": UNCLEAR, STALLED: True}  # not a third time: a person is offered
        if problem == "utter_promise_date_too_late":
            dispatcher.utter_message(response=problem, latest=day(account["latest_promise_date"], lang))
        else:
            dispatcher.utter_message(response=problem)
        return {"promise_date": None, STALLED: True}


class ActionRecordPromise(Action):
    def name(self) -> str:
        return "action_record_promise"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        value = tracker.get_slot("promise_date")
        if not value or value == UNCLEAR:
            return [SlotSet("promise_date", None), *await stall(dispatcher, tracker)]
        try:
            account = await AmicableApi().account(tracker.sender_id)
        except ApiError:
            return service_problem(dispatcher)
        return await record_promise(dispatcher, tracker, account, date.fromisoformat(value))


class ActionRecordDispute(AccountAction):
    """A dispute is recorded at once with the debtor's own words, and pauses collection."""

    def name(self) -> str:
        return "action_record_dispute"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        intent, text = current_request(tracker)
        reason = "already_paid" if intent == "already_paid" else "other"
        await AmicableApi().dispute(account["reference"], tracker.sender_id, reason, text)
        dispatcher.utter_message(response="utter_dispute_recorded")
        return [*clear_pending(), SlotSet("offer", None)]


class ActionRecordReason(AccountAction):
    """What prevents paying, recorded on the account, then the step that fits it. Illness,
    grief and overwhelm lead to care (collection paused by the API, a person offered), never
    to a payment script."""

    def name(self) -> str:
        return "action_record_reason"

    def intro(self, tracker: Tracker) -> str | None:
        intent, _ = current_request(tracker)
        if REASONS.get(intent or "") in CARE:
            return "utter_care_before_check"  # kindness first, then the identity check
        return "utter_greet"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        intent, _ = current_request(tracker)
        reason = REASONS.get(intent or "", "other")
        await AmicableApi().reason(account["reference"], tracker.sender_id, reason)
        events = clear_pending()
        if tracker.get_slot("settled") and reason not in CARE:
            # A plan or a promise is already agreed: the reason is noted, nothing more asked.
            dispatcher.utter_message(response="utter_reason_noted")
            return events
        if reason == "forgot":
            dispatcher.utter_message(response="utter_forgot_ack")
            return events + await send_payment_link(dispatcher, tracker, account)
        if reason == "technical":
            events += await send_payment_link(dispatcher, tracker, account, "utter_payment_alternatives")
            transfer = account.get("bank_transfer")
            if transfer and float(account["balance"]) > 0:
                dispatcher.utter_message(
                    response="utter_bank_transfer",
                    amount=money(account["balance"], account["currency"], language(tracker)),
                    beneficiary=transfer["beneficiary"],
                    iban=transfer["iban"],
                    reference=transfer["reference"],
                )
            return events
        if reason == "cash_flow":
            dispatcher.utter_message(response="utter_cash_flow_ack")
            return [*events, SlotSet("promise_date", None), FollowupAction("promise_form")]
        if reason == "income_loss":
            dispatcher.utter_message(response="utter_income_loss_ack")
            return ask_for_amount(tracker)
        if reason in CARE:
            dispatcher.utter_message(response=f"utter_{reason}_ack")
            if account.get("vulnerability_consent_required"):
                dispatcher.utter_message(response="utter_ask_vulnerability_consent")
                return [*events, SlotSet("offer", "vulnerability_consent")]
            dispatcher.utter_message(response="utter_offer_colleague")
            return [*events, SlotSet("offer", "person")]
        dispatcher.utter_message(response="utter_plan_offer_person")
        return [*events, SlotSet("offer", "person")]


async def answer_vulnerability_consent(
    dispatcher: CollectingDispatcher, tracker: Tracker, consent: bool
) -> list[EventType]:
    """The debtor's yes or no to noting their situation; either way a person is offered."""
    try:
        account = await AmicableApi().account(tracker.sender_id)
        await AmicableApi().reason(
            account["reference"], tracker.sender_id, account.get("reason") or "illness", vulnerability_consent=consent
        )
    except ApiError:
        return [*service_problem(dispatcher), SlotSet("offer", None)]
    dispatcher.utter_message(response="utter_vulnerability_noted" if consent else "utter_vulnerability_not_noted")
    dispatcher.utter_message(response="utter_offer_colleague")
    return [SlotSet("offer", "person")]


class ActionRefuseToPay(AccountAction):
    """A calm, factual answer to a refusal: never a threat, always a way forward."""

    def name(self) -> str:
        return "action_refuse_to_pay"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        await AmicableApi().reason(account["reference"], tracker.sender_id, "refuses")
        dispatcher.utter_message(
            response="utter_refusal_response",
            amount=money(account["balance"], account["currency"], language(tracker)),
            creditor=account["creditor"],
        )
        return [*clear_pending(), SlotSet("offer", None)]
