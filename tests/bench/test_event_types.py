"""Rasa's lookup of an event's class by name, made from a table (bot/event_types.py), must give
the class Rasa's own walk gives for every event type, Rasa's default and error for names it
does not know, and events read back equal to what was stored; and must be what the gateway's
channel installs. Run in the Rasa environment."""

from __future__ import annotations

from tests.bench.rasa_run import in_rasa

WORKER = r"""
import json

from rasa.shared.core.events import Event, SlotSet, UserUttered, ActionExecuted, BotUttered, SessionStarted
from rasa.shared.utils.common import all_subclasses

from bot import event_types
rasas_own = Event.resolve_by_type
import bot.channels  # installs the table, as every Rasa server of the project does

out = {"installed": Event.resolve_by_type is event_types.resolve_by_type, "compared_with_rasa": rasas_own is not event_types.resolve_by_type}
names = sorted({cls.type_name for cls in all_subclasses(Event)})
out["names"] = len(names)
out["same"] = [n for n in names if Event.resolve_by_type(n) is rasas_own(n)]
out["default"] = Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
out["topic"] = Event.resolve_by_type("topic") is None
try:
    Event.resolve_by_type("no_such_event")
    out["unknown"] = "accepted"
except ValueError as error:
    out["unknown"] = str(error)
stored = [
    SessionStarted(),
    ActionExecuted("action_listen"),
    UserUttered("I will pay on Friday", {"name": "promise_to_pay", "confidence": 0.9}),
    SlotSet("account_ref", "R-1"),
    BotUttered("Thank you", {"elements": None}),
]
again = [Event.from_parameters(event.as_dict()) for event in stored]
out["round_trip"] = [a == b for a, b in zip(stored, again)]
print(json.dumps(out))
"""


def test_the_table_gives_rasas_classes_defaults_and_errors() -> None:
    out = in_rasa(WORKER)
    assert out["installed"] and out["compared_with_rasa"]
    assert out["names"] > 20 and len(out["same"]) == out["names"]
    assert out["default"] and out["topic"]
    assert out["unknown"] == "Unknown event name 'no_such_event'."
    assert out["round_trip"] == [True] * 5
