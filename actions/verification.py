"""The identity check: file reference, then date of birth and postcode, and a one-time code
sent to the number on file when the API asks for one; each judged by the API.

The answers are passed on one at a time and the verdict comes only at the end, so the check
cannot be used to learn which fact was wrong or whether a reference exists. Two failed
attempts end the check politely. An answer that is not a date, a postcode or a code at all
costs no attempt: the debtor is told what is needed and asked again.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account import AccountAction
from actions.account_info import ActionShowBalance, ActionShowInvoices, present_account
from actions.api import AmicableApi, ApiError
from actions.common import UNCLEAR, clear_pending, language, service_problem
from actions.handover import OFFER_PERSON_AT, STALLED, stall, stall_number
from actions.normalise import birth_date_text
from actions.outcomes import (
    ActionOfferPaymentLink,
    ActionRecordDispute,
    ActionRecordReason,
    ActionRefuseToPay,
    ActionStartPromise,
)
from actions.plans import ActionStartPlan
from bot.answers import looks_like_reference, reference_text

# Which action takes up a request that had to wait for the identity check. It runs inside
# action_verification_done: as a separate follow-up step no rule would say what comes after.
RESUME: dict[str, type[AccountAction]] = {
    "ask_balance": ActionShowBalance,
    "ask_invoices": ActionShowInvoices,
    "pay_now": ActionOfferPaymentLink,
    "promise_to_pay": ActionStartPromise,
    "request_plan": ActionStartPlan,
    "dispute": ActionRecordDispute,
    "already_paid": ActionRecordDispute,
    "refuse_to_pay": ActionRefuseToPay,
    "reason_forgot": ActionRecordReason,
    "reason_cash_flow": ActionRecordReason,
    "reason_income_loss": ActionRecordReason,
    "reason_illness": ActionRecordReason,
    "reason_bereavement": ActionRecordReason,
    "reason_technical": ActionRecordReason,
    "reason_overwhelmed": ActionRecordReason,
}


IDENTITY_SLOTS = ("identity_answer", "identity_postcode", "identity_code", "identity_next")
# What the check asks; all filled with UNCLEAR ends it when answers could not be read.
CHECKED = ("account_reference", "identity_answer", "identity_postcode")


class ValidateVerificationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verification_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """A conversation opened from a signed link or the debtor's own number is already tied
        to the file: the reference is not asked. The one-time code is asked only when the API
        said it is needed."""
        slots = list(domain_slots)
        if tracker.get_slot("identity_next") != "code" and "identity_code" in slots:
            slots.remove("identity_code")
        if tracker.get_slot("account_reference") is None and "account_reference" in slots:
            try:
                if await AmicableApi().bound(tracker.sender_id):
                    slots.remove("account_reference")
            except ApiError:
                pass  # asking for the reference as well is the safe side
        return slots

    async def validate_account_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        typed = reference_text(str(value or ""))[:64]
        if not looks_like_reference(typed):
            return self._unclear("account_reference", "utter_reference_unclear", dispatcher, tracker)
        # As typed: the API finds the file by its letters and digits, whatever the separators.
        return {"account_reference": typed}

    @staticmethod
    def _unclear(slot: str, response: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """An answer that is not of the shape asked costs no attempt: what is needed is
        explained and asked again, once. A second in a row ends the check, and a person is
        offered (actions/handover.py) rather than the same question a third time."""
        if stall_number(tracker) >= OFFER_PERSON_AT:
            return {name: UNCLEAR for name in CHECKED} | {"identity_next": None, STALLED: True}
        dispatcher.utter_message(response=response)
        return {slot: None, STALLED: True}

    async def _step(
        self, fact: str, slot: str, unclear: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Pass one answer to the API; what comes back decides what is asked next."""
        answer = str(value or "").strip()
        if fact == "date_of_birth":
            answer = birth_date_text(answer, language(tracker))  # "the third of May, nineteen forty-nine"
        if not re.search(r"\d", answer):
            # Not an attempt: no date, postcode or code in it. Explain what is needed instead.
            return self._unclear(slot, unclear, dispatcher, tracker)
        try:
            result = await AmicableApi().verify(
                tracker.sender_id, tracker.get_slot("account_reference") or "", answer[:200], fact
            )
        except ApiError as error:
            if error.status == 422:
                return self._unclear(slot, unclear, dispatcher, tracker)
            if error.status == 409:  # the check was started afresh elsewhere: begin again
                return {"identity_answer": None, "identity_postcode": None, "identity_code": None}
            service_problem(dispatcher)
            return {slot: None}
        if result["verified"]:
            confirmed = {
                slot: "confirmed",
                "identity_next": None,
                "verified": True,
                "account_reference": result["account_reference"],
            }
            if not tracker.get_slot("language_from_message"):
                # No message was clearly in another language: use the account's preference.
                confirmed["language"] = result.get("language") or "en"
            return confirmed
        if result.get("next") in ("postcode", "code"):
            if fact == "code" and result["next"] == "code":
                dispatcher.utter_message(response="utter_code_wrong")
                return {slot: None}
            # The answer is kept by the API, not here: the slot only says it was given.
            return {slot: "given", "identity_next": result["next"]}
        if result["attempts_left"] > 0:
            dispatcher.utter_message(response="utter_verification_retry")
            return {
                "account_reference": None,
                "identity_answer": None,
                "identity_postcode": None,
                "identity_code": None,
                "identity_next": None,
            }
        return {slot: "not confirmed", "identity_next": None, "verification_failed": True}

    async def validate_identity_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._step(
            "date_of_birth", "identity_answer", "utter_identity_unclear", value, dispatcher, tracker
        )

    async def validate_identity_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._step("postcode", "identity_postcode", "utter_postcode_unclear", value, dispatcher, tracker)

    async def validate_identity_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self._step("code", "identity_code", "utter_code_unclear", value, dispatcher, tracker)


def clear_identity() -> list[EventType]:
    return [SlotSet(name, None) for name in IDENTITY_SLOTS]


class ActionSessionStart(Action):
    """A new session (after the idle time in domain.yml) starts with identity unconfirmed, in
    the API too: nothing said before the pause opens the file afterwards."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        with contextlib.suppress(ApiError):  # the API lapses an idle confirmation by itself as well
            await AmicableApi().new_session(tracker.sender_id)
        return [SessionStarted(), ActionExecuted("action_listen")]


class ActionVerificationDone(Action):
    """After the check: greet by name and take up what was asked, or end politely."""

    def name(self) -> str:
        return "action_verification_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not tracker.get_slot("verified"):
            if tracker.get_slot("verification_failed"):
                dispatcher.utter_message(response="utter_verification_failed")
                return [*clear_identity(), *clear_pending()]
            # The answers could not be read twice in a row: a person, not the question again.
            return [*clear_identity(), SlotSet("account_reference", None), *await stall(dispatcher, tracker)]
        events: list[EventType] = clear_identity()
        pending = tracker.get_slot("pending_request")
        try:
            account = await AmicableApi().account(tracker.sender_id)
        except ApiError:
            return events + service_problem(dispatcher)
        dispatcher.utter_message(response="utter_verified", name=account["name"].split()[0])
        if pending in RESUME:
            return [*events, *await RESUME[pending]().act(dispatcher, tracker, account)]
        present_account(dispatcher, tracker, account)
        if float(account["balance"]) > 0:
            dispatcher.utter_message(response="utter_ask_reason")
        return [*events, *clear_pending()]
