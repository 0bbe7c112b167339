"""Engine and session factory, built from settings rather than at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# SQLite connections per process: the threads a web process runs blocking work on (anyio's
# default limiter, 40).
POOL_SIZE = 40


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        in_a_file = bool(path) and path != ":memory:"
        if in_a_file:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # As many connections as the web process has threads for blocking work (anyio's 40,
        # and a few for its own loops): a request waits for SQLite's write lock, never for a
        # connection (the pool's default 15 turned a busy minute into 500s after 30 s). A
        # database in memory has one connection per thread, no pool to size.
        pool = {"pool_size": POOL_SIZE, "max_overflow": 8} if in_a_file else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

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
    # PostgreSQL serves transactions side by side, so a wait for a connection is short; up to 30
    # per process keeps two web workers, Rasa and the workers within its default 100.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session, session.begin():
        yield session
