"""Engine and session factory, built from settings rather than at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# The pool stays SQLAlchemy's default (15 connections, a 30 s wait) and so does SQLite's wait
# for its write lock (30 s): measured at 128 conversations at once, 40 connections made writers
# starve on SQLite's lock ("database is locked"), 8 locked up waiting for threads, and 15 did
# best. The demo's SQLite is for one person trying it; production and `make run-scaled` use
# PostgreSQL.
LOCK_WAIT = 30


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        in_a_file = bool(path) and path != ":memory:"
        if in_a_file:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": LOCK_WAIT})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Write-ahead log: readers never wait for the writer. NORMAL: a commit is an append
            # to the log, not a flush to disk (several per turn); what was committed survives a
            # crash of the process, only a power cut may lose the last commits. Production uses
            # PostgreSQL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session
