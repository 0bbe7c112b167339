"""The SQLite tracker store of a one-machine Rasa (`make run`'s endpoints.yml), in WAL mode.

Rasa opens SQLite with its defaults: a rollback journal and a flush to disk at every commit,
and it commits at least twice per turn. In write-ahead-log mode with `synchronous=NORMAL` a
commit is an append to the log, readers do not wait for the writer, and what was committed
survives a crash or a kill of the process (only a power cut may lose the last commits, the
trade every one-machine SQLite deployment of this project makes: the app's own database is
opened the same way, amicable/db/session.py). PostgreSQL, the production store, is untouched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def install() -> None:
    if not event.contains(Engine, "connect", _pragmas):
        event.listen(Engine, "connect", _pragmas)
