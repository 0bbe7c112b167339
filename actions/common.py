"""Shared pieces of the actions: the debtor's language, money and dates in their format,
what was asked before the identity check, and a summary for a colleague."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

# The language table both environments share (the app reads the same file).
LOCALES: dict[str, str] = yaml.safe_load((Path(__file__).resolve().parent.parent / "locales.yml").read_text("utf-8"))[
    "languages"
]
# A form slot's value after three answers it could not read: the form ends and a person is offered.
UNCLEAR = "unclear"


def language(tracker: Tracker) -> str:
    value = tracker.get_slot("language")
    return value if value in LOCALES else "en"


# Counted nouns in each language, by CLDR plural category (babel decides which applies).
COUNTED = {
    "open_invoices": {
        "en": {"one": "{n} open invoice", "other": "{n} open invoices"},
        "fr": {"one": "{n} facture", "other": "{n} factures"},
        "nl": {"one": "{n} openstaande factuur", "other": "{n} openstaande facturen"},
    },
}


def counted(what: str, n: int, lang: str) -> str:
    """ "1 open invoice", "2 factures", "3 openstaande facturen": the plural the language's
    rules call for, not "invoice(s)"."""
    forms = COUNTED[what][lang if lang in LOCALES else "en"]
    category = Locale.parse(LOCALES.get(lang, "en_GB")).plural_form(n)
    return forms.get(category, forms["other"]).format(n=n)


def money(amount: str, currency: str, lang: str) -> str:
    return format_currency(amount, currency, locale=LOCALES.get(lang, "en_GB"))


def day(iso: str, lang: str) -> str:
    return format_date(date.fromisoformat(iso), format="EEEE d MMMM yyyy", locale=LOCALES.get(lang, "en_GB"))


MOMENT_FORMATS = {"en": "EEEE d MMMM 'at' HH:mm", "fr": "EEEE d MMMM 'à' HH'h'mm", "nl": "EEEE d MMMM 'om' HH:mm"}


def moment(iso: str, lang: str) -> str:
    """A day and time as people say them ("Monday 24 November at 09:00"); `iso` carries the
    offset of the zone it is to be told in."""
    return format_datetime(
        datetime.fromisoformat(iso),
        format=MOMENT_FORMATS.get(lang, MOMENT_FORMATS["en"]),
        locale=LOCALES.get(lang, "en_GB"),
    )


def verified(tracker: Tracker) -> bool:
    return bool(tracker.get_slot("verified"))


def current_request(tracker: Tracker) -> tuple[str | None, str]:
    """The intent and text being handled: a request made before identity was confirmed is
    resumed with its own words, not with the identity answer that came after it."""
    pending = tracker.get_slot("pending_request")
    if pending:
        return pending, tracker.get_slot("pending_text") or ""
    latest = tracker.latest_message or {}
    return (latest.get("intent") or {}).get("name"), latest.get("text") or ""


def clear_pending() -> list[EventType]:
    return [SlotSet("pending_request", None), SlotSet("pending_text", None)]


def ask_identity_first(
    dispatcher: CollectingDispatcher, tracker: Tracker, intro: str | None = "utter_greet"
) -> list[EventType]:
    """Nothing about a debt is disclosed or changed before the identity check passes."""
    if intro:
        dispatcher.utter_message(response=intro)
    intent, text = current_request(tracker)
    return [SlotSet("pending_request", intent), SlotSet("pending_text", text), FollowupAction("verification_form")]


def service_problem(dispatcher: CollectingDispatcher) -> list[EventType]:
    dispatcher.utter_message(response="utter_service_problem")
    return []


def summary_of(tracker: Tracker) -> str:
    """A few lines a colleague reads before taking over: what was asked and said."""
    lines: list[str] = []
    for event in tracker.events[-60:]:
        if event.get("event") == "user" and event.get("text"):
            lines.append(f"Debtor: {event['text'][:200]}")
    reference = tracker.get_slot("account_reference") if verified(tracker) else None
    head = f"file {reference}, identity confirmed" if reference else "identity not confirmed"
    return head + "\n" + "\n".join(lines[-12:])


def slot_values(**values: Any) -> list[EventType]:
    return [SlotSet(key, value) for key, value in values.items()]
