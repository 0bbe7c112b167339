"""Fixtures for unit tests of the core services: a real SQLAlchemy session on a fresh SQLite
database migrated with Alembic, settings built in the test, and creditor policies written
here (so the rules the tests check do not move when the shipped policies are edited).

Migrating takes about a second, so the schema is migrated once per run into a template
database that each test gets a copy of."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from amicable.db.migrate import upgrade
from amicable.db.models import Account
from amicable.db.session import make_engine, make_sessionmaker
from amicable.services.accounts import upsert_account
from amicable.services.shapes import AccountIn
from amicable.settings import Settings
from tests.factories import account_body

LINK_SECRET = "services-test-link-secret-0123456789"

# The shipped default, written out so a test's expected values have one source.
DEFAULT_POLICY = """\
payment_link:
  valid_days: 7
  methods:
    default: [card]
    BE: [card, bancontact]
    NL: [card, ideal]
promise:
  max_days: 30
plan:
  min_installment: "25.00"
  max_installments: 12
  first_due_days: 7
discount:
  pay_in_full_percent: 0
allocation: oldest_first
handover:
  timezone: Europe/Brussels
  hours:
    mon: "09:00-17:00"
    tue: "09:00-17:00"
    wed: "09:00-17:00"
    thu: "09:00-17:00"
    fri: "09:00-17:00"
  slot_minutes: 30
identity:
  idle_minutes: 30
  code_minutes: 10
"""

# Creditors with their own rules, laid over the default by load_policy.
CREDITOR_POLICIES = {
    # Brightwater Energy (tests/factories.account_body's creditor): a Belgian account for transfers.
    "brightwater-energy": """\
bank_transfer:
  iban: BE68 5390 0754 7034
  bic: GKCCBEBB
  beneficiary: Brightwater Energy SA
""",
    # A discount for paying in full, a longer plan and a shorter promise horizon.
    "polder-telecom": """\
discount:
  pay_in_full_percent: 5
plan:
  max_installments: 18
promise:
  max_days: 14
""",
    # Payments settle the newest invoice first.
    "newest-first-ltd": "allocation: newest_first\n",
    # A team in New York that works Saturday mornings only (weekdays closed with "").
    "night-owl-energy": """\
handover:
  timezone: America/New_York
  hours:
    mon: ""
    tue: ""
    wed: ""
    thu: ""
    fri: ""
    sat: "10:00-14:00"
  slot_minutes: 45
""",
}


@pytest.fixture(scope="session")
def policies_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("service-policies")
    (folder / "default.yml").write_text(DEFAULT_POLICY)
    for name, text in CREDITOR_POLICIES.items():
        (folder / f"{name}.yml").write_text(text)
    return folder


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("service-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(migrated_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the migrated schema (sqlite's backup API, so nothing left in the WAL
    is lost)."""
    target = tmp_path / "services.db"
    source, copy = sqlite3.connect(migrated_template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return f"sqlite:///{target}"


@pytest.fixture
def config(db_url: str, policies_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        policies_dir=policies_dir,
        amicable_link_secret=LINK_SECRET,
        amicable_demo=True,
        public_base_url="http://testserver",
        stripe_api_key="",
        stripe_webhook_secret="",
    )


@pytest.fixture
def session(config: Settings) -> Iterator[Session]:
    engine = make_engine(config.database_url)
    factory = make_sessionmaker(engine)
    with factory() as db:
        yield db
        db.rollback()
    engine.dispose()


def body(reference: str = "ACC-1001", creditor: str = "Brightwater Energy", invoices=None, **debtor) -> dict:  # type: ignore[no-untyped-def]
    """tests/factories.account_body (two invoices, 84.20 overdue and 36.30 not yet due: 120.50
    in all) with another creditor or other invoices when given."""
    data = account_body(reference, **debtor)
    data["creditor"] = creditor
    if invoices is not None:
        data["invoices"] = invoices
    return data


def invoice(number: str, amount: str, due_in_days: int, currency: str = "EUR") -> dict:
    """An invoice due `due_in_days` from today (negative: overdue), issued 30 days before."""
    due = date.today() + timedelta(days=due_in_days)
    return {
        "number": number,
        "amount": amount,
        "currency": currency,
        "issued_on": (due - timedelta(days=30)).isoformat(),
        "due_on": due.isoformat(),
    }


@pytest.fixture
def load(session: Session) -> Callable[..., Account]:
    """Load an account through upsert_account, then read it back as the Accounts API does
    (`session.refresh`): see test_accounts.test_new_invoices_hold_decimal_amounts_at_once."""

    def _load(reference: str = "ACC-1001", creditor: str = "Brightwater Energy", invoices=None, **debtor) -> Account:  # type: ignore[no-untyped-def]
        return upsert(session, body(reference, creditor, invoices, **debtor))

    return _load


def upsert(session: Session, data: dict) -> Account:
    account, _, _ = upsert_account(session, AccountIn.model_validate(data))
    session.refresh(account)
    return account
