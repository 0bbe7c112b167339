"""Fixtures shared by the suite: an API on SQLite or on a real PostgreSQL server that the
tests start themselves, and the whole stack as real processes for end-to-end tests."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from glob import glob
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from amicable.db.migrate import upgrade
from amicable.runtime.stack import Stack, free_port
from amicable.settings import ROOT, Settings
from server.app import create_app
from tests.email.mail_server import MailServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio

API_KEY = "test-key-0123456789"
ACTIONS_KEY = "test-actions-key-0123456789"
LINK_SECRET = "test-link-secret-0123456789"
STRIPE_WEBHOOK_SECRET = "whsec_test_0123456789"
TWILIO_TOKEN = "twilio-test-token-0123456789"
TWILIO_SID = "AC" + "1" * 32
TWILIO_FROM = "+3228080000"
TELEGRAM_TOKEN = "123456:telegram-test-token"
TELEGRAM_SECRET = "telegram-webhook-secret-0123456789"
EMAIL_SECRET = "email-inbound-secret-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {API_KEY}"}


def _pg_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True) or [shutil.which(name) or ""]
    if not found[0]:
        pytest.fail(f"PostgreSQL's {name} is not installed; `make test` installs it (scripts/test-services.sh)")
    return found[0]


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free loopback port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="amicable-pg-"))
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, cwd=self.dir)

    def start(self) -> PostgresServer:
        data = self.dir / "data"
        self._run(_pg_bin("initdb"), "-D", str(data), "-U", "amicable", "--auth=trust", "-E", "UTF8")
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        return self

    def create_database(self, name: str) -> str:
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "amicable", name)
        return f"postgresql+psycopg://amicable@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, _pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"],
            capture_output=True,
            cwd=self.dir,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


class RedisServer:
    """A throw-away Redis on a free loopback port, without persistence."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail("redis-server is not installed; `make test` installs it (scripts/test-services.sh)")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        import socket

        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"t{next(_counter)}_{int(time.time())}")
    upgrade(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    policies = copy_policies(tmp_path / "shipped-policies")
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
        rasa_url="http://127.0.0.1:9",  # nothing listens: the gateway's own replies are tested
        twilio_auth_token=TWILIO_TOKEN,
        # The tests drive one key far faster than any client (hypothesis sends thousands of
        # requests a minute); the budget itself is tested with its own figures
        # (tests/api/test_rate_limits.py).
        rate_limits={"api-key": "1000000/minute"},
        _env_file=None,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def copy_policies(destination: Path, collection_policies: bool = True) -> Path:
    """The shipped policies with their strategies, templates and country rules; without the
    collection policies (`*.yml` at the top) when a test writes its own."""
    shutil.copytree(ROOT / "policies", destination, dirs_exist_ok=True)
    if not collection_policies:
        for path in destination.glob("*.yml"):
            path.unlink()
    return destination


ALWAYS_OPEN = "\nhandover:\n  hours:\n" + "".join(
    f'    {day}: "00:00-24:00"\n' for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)


def closed_today_policy() -> str:
    """A creditor whose team works only on the day three days from now: whenever the tests
    run, nobody is on duty, so the out-of-hours path is tested at any hour."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    open_day = days[(date.today().weekday() + 3) % 7]
    hours = "\n".join(f'    {d}: "{"09:00-17:00" if d == open_day else ""}"' for d in days)
    return f"handover:\n  timezone: Europe/Brussels\n  hours:\n{hours}\n"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[FakeTelegram]:
    """Telegram's Bot API, for the stack's web process (a local server in its format)."""
    with FakeTelegram(TELEGRAM_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def twilio_api() -> Iterator[FakeTwilio]:
    """Twilio's REST API (texts sent during calls), for the stack's web process."""
    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as fake:
        yield fake


@pytest.fixture(scope="session")
def stack_mail() -> Iterator[MailServer]:
    """A real SMTP server receiving what the stack's web process sends by email."""
    with MailServer() as server:
        yield server


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    telegram_api: FakeTelegram,
    twilio_api: FakeTwilio,
    stack_mail: MailServer,
) -> Iterator[Stack]:
    """Web, Rasa (trained model) and action server as real processes, on free ports."""
    from amicable.runtime.model import ensure_model

    ensure_model()
    workdir = tmp_path_factory.mktemp("stack")
    policies = copy_policies(workdir / "policies")
    (policies / "night-owl-energy.yml").write_text(closed_today_policy())
    # Everyone else's team is on duty around the clock here, so a hand-over reaches a person
    # at whatever hour the tests run.
    for name in ("brightwater-energy.yml", "polder-telecom.yml", "default.yml"):
        with (policies / name).open("a") as handle:
            handle.write(ALWAYS_OPEN)
    url = f"sqlite:///{workdir / 'stack.db'}"
    upgrade(url)
    running = Stack(
        workdir=workdir,
        api_key=API_KEY,
        database_url=url,
        # Random tokens begin with "-" one time in 64; this one always does, so a command line
        # that would read it as an option fails here, not by chance in a later run.
        rasa_token="-" + secrets.token_urlsafe(24),
        web_env={
            "POLICIES_DIR": str(policies),
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_FROM_NUMBER": TWILIO_FROM,
            "TWILIO_API_BASE": twilio_api.url,
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE": telegram_api.url,
            "SMTP_URL": stack_mail.url,
            "EMAIL_FROM": "Collections <collect@amicable.example>",
            "EMAIL_INBOUND_SECRET": EMAIL_SECRET,
            # Every end-to-end conversation comes from this one machine: the per-source throttles
            # would see one very busy household. Per-conversation throttles stay as shipped.
            "RATE_LIMITS": '{"webhook-source": "100000/minute", "conversation-source": "100000/minute"}',
        },
    ).start()
    yield running
    running.stop()
