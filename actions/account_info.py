"""Telling a verified debtor what they owe, to whom and for which invoices."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api import AmicableApi, ApiError
from actions.common import ask_identity_first, clear_pending, day, language, money, service_problem, verified


def present_account(dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> None:
    lang = language(tracker)
    if float(account["balance"]) <= 0:
        dispatcher.utter_message(response="utter_nothing_owed", creditor=account["creditor"])
        return
    dispatcher.utter_message(
        response="utter_balance",
        creditor=account["creditor"],
        amount=money(account["balance"], account["currency"], lang),
        count=len(account["invoices"]),
    )


class ActionShowBalance(Action):
    def name(self) -> str:
        return "action_show_balance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not verified(tracker):
            return ask_identity_first(dispatcher, tracker)
        try:
            account = await AmicableApi().account(tracker.sender_id)
        except ApiError:
            return service_problem(dispatcher)
        present_account(dispatcher, tracker, account)
        return clear_pending()


class ActionShowInvoices(Action):
    def name(self) -> str:
        return "action_show_invoices"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not verified(tracker):
            return ask_identity_first(dispatcher, tracker)
        try:
            account = await AmicableApi().account(tracker.sender_id)
        except ApiError:
            return service_problem(dispatcher)
        present_account(dispatcher, tracker, account)
        lang = language(tracker)
        for invoice in account["invoices"]:
            dispatcher.utter_message(
                response="utter_invoice_line",
                number=invoice["number"],
                amount=money(invoice["amount_due"], account["currency"], lang),
                due_on=day(invoice["due_on"], lang),
            )
        return clear_pending()


class ActionExplainPurpose(Action):
    """Who we are and why we write; the specifics only once identity is confirmed."""

    def name(self) -> str:
        return "action_explain_purpose"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not verified(tracker):
            intro = "utter_greet" if intent == "greet" else "utter_purpose_unverified"
            return ask_identity_first(dispatcher, tracker, intro)
        try:
            account = await AmicableApi().account(tracker.sender_id)
        except ApiError:
            return service_problem(dispatcher)
        if intent == "greet":
            dispatcher.utter_message(response="utter_greet_again", name=account["name"].split()[0])
        else:
            dispatcher.utter_message(
                response="utter_purpose_verified",
                creditor=account["creditor"],
                reference=account["reference"],
                amount=money(account["balance"], account["currency"], language(tracker)),
            )
        return []
