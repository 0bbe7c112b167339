"""Markers and the seeded portfolios shared by the blind portfolio tests.

Seeding 21 accounts through the API costs about a second, so tests that only read share one
seeded database for the whole run (`api`, `portfolio`), on SQLite and on PostgreSQL like the
suite's own `client` fixture. Modules whose tests each change their own accounts share one per
module (`rw_api`, `rw_portfolio`); tests that need a database of their own use the suite's
`client`."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from amicable.db.migrate import upgrade
from amicable.settings import Settings
from server.app import create_app
from tests.blind_portfolio.support import Portfolio, creditor_key, seed_portfolio
from tests.conftest import (
    ACTIONS_KEY,
    ALWAYS_OPEN,
    API_KEY,
    LINK_SECRET,
    STRIPE_WEBHOOK_SECRET,
    TWILIO_TOKEN,
    copy_policies,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "bonus: case- or accent-insensitive search, which the issue calls a bonus (judge separately)",
    )
    config.addinivalue_line(
        "markers",
        "beyond_spec: an expectation the issue does not state in so many words (see the test's docstring)",
    )


_databases = itertools.count()


@dataclass
class Shared:
    client: TestClient
    settings: Settings
    portfolio: Portfolio
    keys: dict[str, dict] = field(default_factory=dict)

    def key(self, creditor: str) -> dict:
        """The Authorization header of a key scoped to `creditor` (made once per database)."""
        if creditor not in self.keys:
            self.keys[creditor] = creditor_key(self.settings.database_url, creditor)
        return self.keys[creditor]


def _settings(database_url: str, folder: Path) -> Settings:
    """As the suite's `settings` fixture makes them (tests/conftest.py)."""
    policies = copy_policies(folder / "shipped-policies")
    for path in policies.glob("*.yml"):
        with path.open("a") as handle:
            handle.write(ALWAYS_OPEN)
    return Settings(
        policies_dir=policies,
        amicable_api_key=API_KEY,
        amicable_actions_key=ACTIONS_KEY,
        amicable_link_secret=LINK_SECRET,
        amicable_demo=True,
        stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
        database_url=database_url,
        public_base_url="http://testserver",
        rasa_url="http://127.0.0.1:9",
        twilio_auth_token=TWILIO_TOKEN,
        _env_file=None,
    )


def _shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    folder = tmp_path_factory.mktemp("portfolio")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'portfolio.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"bp{next(_databases)}_{int(time.time())}")
    upgrade(url)
    settings = _settings(url, folder)
    with TestClient(create_app(settings)) as test_client:
        yield Shared(test_client, settings, seed_portfolio(test_client))


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=DATABASES)
def shared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """The portfolio every read-only test shares: never change it."""
    yield from _shared(request, tmp_path_factory)


@pytest.fixture(scope="module", params=DATABASES)
def shared_rw(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    """A portfolio of the module's own, whose tests each change different accounts."""
    yield from _shared(request, tmp_path_factory)


@pytest.fixture
def api(shared: Shared) -> TestClient:
    """A client on the shared seeded database: read, never change."""
    return shared.client


@pytest.fixture
def portfolio(shared: Shared) -> Portfolio:
    return shared.portfolio


@pytest.fixture
def rw_api(shared_rw: Shared) -> TestClient:
    return shared_rw.client


@pytest.fixture
def rw_portfolio(shared_rw: Shared) -> Portfolio:
    return shared_rw.portfolio
