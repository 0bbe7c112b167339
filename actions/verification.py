"""The identity check: file reference, then date of birth or postcode, checked by the API.

Two failed attempts end the check politely. Which part was wrong is never said, so the
check cannot be used to learn whether a reference exists.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.account_info import ActionShowBalance, ActionShowInvoices, present_account
from actions.api import AmicableApi, ApiError
from actions.common import AccountAction, clear_pending, service_problem
from actions.outcomes import (
    ActionOfferPaymentLink,
    ActionRecordDispute,
    ActionRecordReason,
    ActionRefuseToPay,
    ActionStartPromise,
)
from actions.plans import ActionStartPlan

REFERENCE = re.compile(r"\b([A-Za-z0-9][A-Za-z0-9._/-]*\d[A-Za-z0-9._/-]*)\b")

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
}


class ValidateVerificationForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verification_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """A conversation opened from a signed link or the debtor's own number is already tied
        to the file: only the date of birth or postcode is asked."""
        if tracker.get_slot("account_reference") is None and "account_reference" in domain_slots:
            try:
                if await AmicableApi().bound(tracker.sender_id):
                    return [slot for slot in domain_slots if slot != "account_reference"]
            except ApiError:
                pass  # asking for the reference as well is the safe side
        return domain_slots

    async def validate_account_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        match = REFERENCE.search(str(value or ""))
        if not match:
            dispatcher.utter_message(response="utter_reference_unclear")
            return {"account_reference": None}
        return {"account_reference": match.group(1).strip(".-/").upper()}

    async def validate_identity_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = str(value or "").strip()
        if not re.search(r"\d", answer):
            # Not an attempt: no date or postcode in it. Explain what is needed instead.
            dispatcher.utter_message(response="utter_identity_unclear")
            return {"identity_answer": None}
        try:
            result = await AmicableApi().verify(
                tracker.sender_id, tracker.get_slot("account_reference") or "", answer[:200]
            )
        except ApiError:
            service_problem(dispatcher)
            return {"identity_answer": None}
        if result["verified"]:
            confirmed = {
                "identity_answer": "confirmed",
                "verified": True,
                "account_reference": result["account_reference"],
            }
            if not tracker.get_slot("language_from_message"):
                # No message was clearly in another language: use the account's preference.
                confirmed["language"] = result.get("language") or "en"
            return confirmed
        if result["attempts_left"] > 0:
            dispatcher.utter_message(response="utter_verification_retry")
            return {"account_reference": None, "identity_answer": None}
        return {"identity_answer": "not confirmed", "verification_failed": True}


class ActionVerificationDone(Action):
    """After the check: greet by name and take up what was asked, or end politely."""

    def name(self) -> str:
        return "action_verification_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not tracker.get_slot("verified"):
            dispatcher.utter_message(response="utter_verification_failed")
            return [SlotSet("identity_answer", None), *clear_pending()]
        events: list[EventType] = [SlotSet("identity_answer", None)]
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
