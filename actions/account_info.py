"""Telling a verified debtor what they owe, to whom and for which invoices."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.account import AccountAction
from actions.common import clear_pending, counted, day, language, money


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
        invoices=counted("open_invoices", len(account["invoices"]), language(tracker)),
    )


class ActionShowBalance(AccountAction):
    def name(self) -> str:
        return "action_show_balance"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        present_account(dispatcher, tracker, account)
        return clear_pending()


class ActionShowInvoices(AccountAction):
    def name(self) -> str:
        return "action_show_invoices"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
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


class ActionExplainPurpose(AccountAction):
    """Who we are and why we write; the specifics only once identity is confirmed."""

    def name(self) -> str:
        return "action_explain_purpose"

    def intro(self, tracker: Tracker) -> str:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return "utter_greet" if intent == "greet" else "utter_purpose_unverified"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        if (tracker.latest_message.get("intent") or {}).get("name") == "greet":
            dispatcher.utter_message(response="utter_greet_again", name=account["name"].split()[0])
        else:
            dispatcher.utter_message(
                response="utter_purpose_verified",
                creditor=account["creditor"],
                reference=account["reference"],
                amount=money(account["balance"], account["currency"], language(tracker)),
            )
        return []
