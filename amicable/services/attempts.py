"""Counts of attempts that must be exact: failed identity checks per file and per source.

An attempt is counted *before* it is judged (one upsert that returns the new count), so a
burst of attempts at the same moment cannot all slip under the limit; an attempt that
succeeds is taken back. The row's lock serialises concurrent upserts on PostgreSQL; SQLite
serialises writers anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amicable.db.models import AttemptCounter


def _window(now: datetime) -> str:
    return now.date().isoformat()


def count(session: Session, scope: str, key: str, now: datetime) -> int:
    value = session.scalar(
        select(AttemptCounter.count).where(
            AttemptCounter.scope == scope, AttemptCounter.key == key, AttemptCounter.window == _window(now)
        )
    )
    return value or 0


def add(session: Session, scope: str, key: str, now: datetime) -> int:
    """One more attempt; returns the count including it."""
    values = {"scope": scope, "key": key[:128], "window": _window(now), "count": 1}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AttemptCounter).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "key", "window"], set_={"count": AttemptCounter.count + 1}
    ).returning(AttemptCounter.count)
    return int(session.execute(statement).scalar_one())


def take_back(session: Session, scope: str, key: str, now: datetime) -> None:
    """An attempt that succeeded does not count against anyone."""
    session.execute(
        update(AttemptCounter)
        .where(
            AttemptCounter.scope == scope,
            AttemptCounter.key == key[:128],
            AttemptCounter.window == _window(now),
            AttemptCounter.count > 0,
        )
        .values(count=AttemptCounter.count - 1)
    )
