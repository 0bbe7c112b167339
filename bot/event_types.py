"""Finding an event's class by its name without walking Rasa's class tree for every event.

Rasa 3.6 turns each stored event back into an object with `Event.resolve_by_type`, which lists
every subclass of `Event` (a recursive walk with an abstractness check per class) and compares
names, for every event of every tracker it reads. Profiled at 64 conversations at once (py-spy,
`make bench`), that walk was a ninth of Rasa's CPU per turn.

`install()` puts a lookup table in front of it: the same classes, the first in Rasa's own order
for each name. A name the table does not know (a class imported since, "topic", an unknown
name) goes through Rasa's own code after the table is rebuilt, so defaults and errors are
Rasa's. Installed by the gateway's channel (bot/channels.py), which every Rasa server of this
project loads at start.
"""

from __future__ import annotations

from typing import Any

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_rasas_own = Event.resolve_by_type
_by_name: dict[str, type[Event]] = {}


def _rebuild() -> None:
    table: dict[str, type[Event]] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # the first match, as Rasa's loop returns it
    _by_name.clear()
    _by_name.update(table)


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    found = _by_name.get(type_name)
    if found is not None:
        return found
    _rebuild()
    found = _by_name.get(type_name)
    return found if found is not None else _rasas_own(type_name, default)


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
