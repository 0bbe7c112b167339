"""The seeded portfolio (tests/dashboard/portfolio.py), once per module on SQLite and once on
the real PostgreSQL server the suite starts: the figures tests only read it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from itertools import count

import pytest
from sqlalchemy.orm import Session

from amicable.db.migrate import upgrade
from amicable.db.session import make_engine, make_sessionmaker, transaction
from tests.dashboard.portfolio import Seeded, seed

_numbers = count()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def portfolio(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Seeded]:
    """The database's URL, migrated and seeded, and the creditors' ids."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'portfolio.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"dash{next(_numbers)}_{int(time.time())}")
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        ids = seed(session)
    engine.dispose()
    return url, ids


@pytest.fixture
def session(portfolio: tuple[str, Seeded]) -> Iterator[Session]:
    engine = make_engine(portfolio[0])
    with make_sessionmaker(engine)() as db:
        yield db
        db.rollback()
    engine.dispose()


@pytest.fixture
def ids(portfolio: tuple[str, Seeded]) -> Seeded:
    return portfolio[1]
