"""How fast a campaign plans and dispatches, on a database of realistic size.

Accounts are written with bulk inserts (a creditor's nightly import would use the CSV
import; here the point is the planner, not the importer). The figures and their targets on
a 2-core machine: planning 100,000 accounts in under a minute and 1,000,000 in under five
(`--accounts 1000000`), measured, not extrapolated; and dispatch through Celery workers on
PostgreSQL at 500 contacts a second or more, from enqueue to every contact settled in the
database, with everything of ours running and only the SMS/WhatsApp provider stubbed: a
local HTTP server answering Twilio's Messages (and Calls) API as documented.

The run is planned for the next working day (Monday to Friday) at 12:00 UTC, the invoices
dated from it, so the figures do not depend on the day of the week the bench is run.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.orm import Session

from amicable.db.models import (
    Account,
    Consent,
    Conversation,
    Creditor,
    Debtor,
    Dispute,
    Invoice,
    Message,
    OptOut,
    OutreachContact,
    Plan,
    Promise,
)
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.runtime.scaled import pg_bin
from amicable.runtime.stack import free_port
from amicable.settings import ROOT, Settings

# Country, zone, a mobile prefix to which six digits make a valid number, languages.
COUNTRIES = [
    ("BE", "Europe/Brussels", "+32470", ("en", "fr", "nl")),
    ("NL", "Europe/Amsterdam", "+31610", ("nl", "en")),
    ("FR", "Europe/Paris", "+33610", ("fr",)),
    ("GB", "Europe/London", "+447700", ("en",)),
    ("US", "America/Chicago", "+13122", ("en",)),
]


SEED_CHUNK = 50_000


def seed(settings: Settings, accounts: int, today: date, rng: random.Random) -> None:
    """`accounts` accounts of two creditors across five countries, with their invoices,
    consents, opt-outs, disputes, plans and promises, written 50,000 accounts at a time
    (executemany in one transaction): a million take a minute and little memory."""
    engine = make_engine(settings.database_url)
    if settings.database_url.startswith("sqlite"):
        # The bench's own throw-away file: nothing is lost if the machine stops mid-way.
        event.listen(engine, "connect", _unsafe_fast_sqlite)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        creditors = [Creditor(name="Brightwater Energy"), Creditor(name="Polder Telecom")]
        session.add_all(creditors)
        session.flush()
        creditor_ids = [c.id for c in creditors]
        start = session.scalar(select(Debtor.id).order_by(Debtor.id.desc()).limit(1)) or 0
        for first in range(0, accounts, SEED_CHUNK):
            _seed_chunk(session, range(first, min(accounts, first + SEED_CHUNK)), start, creditor_ids, today, rng)
    engine.dispose()


def _unsafe_fast_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _seed_chunk(  # noqa: C901 - one account's rows, table by table
    session: Session, numbers: range, start: int, creditor_ids: list[int], today: date, rng: random.Random
) -> None:
    debtors, rows, invoices, opt_outs, disputes, plans, promises, consents = [], [], [], [], [], [], [], []
    threads, messages = [], []
    now = datetime.now(UTC)
    for n in numbers:
        country, zone, prefix, languages = COUNTRIES[n % len(COUNTRIES)]
        phone = prefix + f"{n % 1_000_000:06d}"
        debtor_id = start + n + 1
        debtors.append(
            {
                "id": debtor_id,
                "name": f"Customer {n}",
                "language": languages[n % len(languages)],
                "phone": phone,
                "timezone": zone,
                "country": country,
            }
        )
        rows.append(
            {
                "id": debtor_id,
                "reference": f"B-{n:06d}",
                "creditor_id": creditor_ids[n % 2],
                "debtor_id": debtor_id,
                "currency": "EUR" if country not in ("GB", "US") else ("GBP" if country == "GB" else "USD"),
                "vulnerable": False,
                "on_hold": n % 97 == 0,
            }
        )
        for k in range(1 + (n % 3 == 0)):
            due = today + timedelta(days=rng.randint(-45, 10))
            invoices.append(
                {
                    "account_id": debtor_id,
                    "number": f"I-{n}-{k}",
                    "amount": Decimal(rng.randint(2000, 40000)) / 100,
                    "currency": rows[-1]["currency"],
                    "issued_on": due - timedelta(days=30),
                    "due_on": due,
                }
            )
        if country == "US" or n % 3 == 0:
            # US numbers were given with the debt (TCPA consent); a third opted in to WhatsApp.
            channel, source = ("sms", "provided_with_debt") if country == "US" else ("whatsapp", "opt_in")
            consents.append({"account_id": debtor_id, "channel": channel, "source": source, "wording": ""})
        if n % 50 == 0:
            opt_outs.append({"account_id": debtor_id, "channel": "sms", "address": phone})
        if n % 100 == 1:
            disputes.append({"account_id": debtor_id, "reason": "wrong_amount", "details": "", "status": "open"})
        if n % 40 == 2:
            plans.append({"id": f"plan_b{n}", "account_id": debtor_id, "status": "active"})
        if n % 5 == 4:
            # One debtor in five wrote to us before (on WhatsApp or by SMS, up to three days
            # ago) and was answered: a portfolio in use has threads for outreach to join.
            channel = "whatsapp" if n % 10 == 9 else "sms"
            wrote = now - timedelta(hours=n % 72, minutes=5)
            threads.append(
                {"id": f"{channel}:{phone}", "channel": channel, "address": phone, "account_id": debtor_id}
                | {"verified": False, "failed_verifications": 0, "handled_by": "bot", "created_at": wrote}
                | {"updated_at": wrote, "last_message_at": wrote}
            )
            messages.append(
                {"conversation_id": f"{channel}:{phone}", "author": "debtor", "text": "Hello", "created_at": wrote}
            )
            messages.append(
                {"conversation_id": f"{channel}:{phone}", "author": "bot", "text": "Hello, how can I help?"}
                | {"created_at": wrote + timedelta(seconds=2)}
            )
        if n % 60 == 3:
            promises.append(
                {
                    "account_id": debtor_id,
                    "amount": Decimal("50"),
                    "due_on": today + timedelta(days=5),
                    "status": "pending",
                }
            )
    for table, data in (
        (Debtor, debtors),
        (Account, [{**r, "created_at": now, "updated_at": now} for r in rows]),
        (Invoice, invoices),
        (OptOut, [{**o, "created_at": now} for o in opt_outs]),
        (Dispute, [{**d, "created_at": now} for d in disputes]),
        (Plan, [{**p, "created_at": now} for p in plans]),
        (Promise, [{**p, "created_at": now} for p in promises]),
        (Consent, [{**c, "given_at": now} for c in consents]),
        (Conversation, threads),
        (Message, messages),
    ):
        if data:
            # Core inserts (executemany): the ORM's bulk path would fetch every new id back.
            session.connection().execute(insert(table.__table__), data)


# The worker's concurrency as deployed: compose, the Kubernetes manifests and `make run-scaled`
# start `celery ... worker --concurrency=2` (tests/test_deployment.py holds them together), so
# the dispatch figure is that of a deployed worker. More processes than cores only add switching:
# at 4 on this machine's 2 cores the same contacts took more CPU each.
WORKER_CONCURRENCY = 2


def working_day(today: date) -> date:
    """Today, or the next Monday to Friday: on a weekend most countries' rules defer
    everything, and there would be nothing to dispatch."""
    while today.weekday() >= 5:
        today += timedelta(days=1)
    return today


def _settings(database_url: str, workdir: Path, **extra: object) -> Settings:
    return Settings(
        database_url=database_url,
        policies_dir=ROOT / "policies",
        risk_models_dir=workdir / "models",
        amicable_api_key="bench-key-0123456789",
        _env_file=None,
        **extra,  # type: ignore[arg-type]
    )


def _prepare(settings: Settings, accounts: int, today: date) -> None:
    from amicable.db.migrate import upgrade
    from amicable.outreach.demo_history import generate_demo_history
    from amicable.outreach.risk_training import train

    upgrade(settings.database_url)
    seed(settings, accounts, today, random.Random(11))
    if settings.database_url.startswith("postgres"):
        # What autovacuum does after a large import: the planner needs the tables' statistics.
        _analyze(settings.database_url)
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        generate_demo_history(session, accounts=2000, today=today)
    with transaction(factory) as session:
        train(session, settings, None)


def _analyze(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def _database(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def campaign_bench(
    accounts: int = 100_000,
    dispatch: int = 2_000,
    database_url: str | None = None,
    worker_contacts: int = 10_000,
    workers: int = WORKER_CONCURRENCY,
    pool: str = "prefork",
) -> dict[str, float | str]:
    """Plan `accounts` accounts (timed, with the process's peak memory), then send `dispatch`
    contacts in this process through the console sender (timed), then `worker_contacts`
    through Celery workers (timed): the campaign figures of `make bench`. On SQLite unless
    `database_url` names a PostgreSQL database; the workers always use PostgreSQL (SQLite
    takes one writer at a time), a throw-away cluster of the bench's own when none is given."""
    from amicable.outreach import campaign

    workdir = Path(tempfile.mkdtemp(prefix="amicable-campaign-bench-"))
    settings = _settings(database_url or f"sqlite:///{workdir / 'campaign.db'}", workdir)
    # Noon on the next working day, which the clock has not reached: the workers judge each
    # contact at the later of the run's instant and the clock, so a run for noon today measured
    # in the evening would find the evening's rules and defer most contacts instead of sending.
    today = working_day(date.today() + timedelta(days=1))
    started = time.perf_counter()
    _prepare(settings, accounts, today)
    seeding = time.perf_counter() - started
    factory = make_sessionmaker(make_engine(settings.database_url))
    now = datetime.combine(today, datetime.min.time(), UTC).replace(hour=12)
    with transaction(factory) as session:
        started = time.perf_counter()
        report = campaign.make_plan(session, settings, now)
        planning = time.perf_counter() - started
        session.rollback()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = report.counts()
    # Dispatch: store the plan, then send a slice of what is due, in this process.
    import structlog

    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # the console sender stays quiet
    from amicable.outreach import dispatch as sender

    with transaction(factory) as session:
        queued = campaign.store(session, report.planned, now)
    del report
    started = time.perf_counter()
    for contact_id in queued[:dispatch]:
        sender.send_contact(factory, settings, contact_id, now)
    sending = time.perf_counter() - started
    sent = min(dispatch, len(queued))
    figures: dict[str, float | str] = {
        "accounts": float(accounts),
        "database": _database(settings.database_url),
        "day": now.strftime("%a %Y-%m-%d %H:%M UTC"),
        "seeding_seconds": seeding,
        "planning_seconds": planning,
        "accounts_per_second": accounts / planning,
        "peak_rss_mb": peak_mb,
        "send": float(counts.get("send", 0)),
        "defer": float(counts.get("defer", 0)),
        "skip": float(counts.get("skip", 0)),
        "blocked": float(counts.get("blocked", 0)),
        "dispatched": float(sent),
        "dispatch_per_second": sent / sending if sending else 0.0,
    }
    if worker_contacts > 0:
        figures.update(
            workers_bench(worker_contacts, database_url, workers, pool, today, (queued[dispatch:], settings))
        )
    factory.kw["bind"].dispose()
    shutil.rmtree(workdir, ignore_errors=True)  # the throw-away database: a gigabyte for a million accounts
    return figures


def workers_bench(
    contacts: int,
    database_url: str | None,
    workers: int,
    pool: str,
    today: date,
    queued: tuple[list[int], Settings] | None = None,
) -> dict[str, float | str]:
    """Enqueue `contacts` queued contacts to `workers` Celery workers (one worker process with
    that concurrency, on a Redis broker of its own) and time them until every one is settled
    (sent, failed, deferred or blocked) in the database. On `database_url` if it is
    PostgreSQL, with the contacts the campaign bench queued there; otherwise on a throw-away
    PostgreSQL cluster, seeded with enough accounts."""
    from amicable.outreach import campaign
    from amicable.outreach.tasks import enqueue

    workdir = Path(tempfile.mkdtemp(prefix="amicable-workers-bench-"))
    now = datetime.combine(today, datetime.min.time(), UTC).replace(hour=12)
    with (
        _postgres(database_url) as url,
        _redis() as redis_url,
        TwilioStub("AC" + "b" * 32, "bench-twilio-token-0123456789") as twilio,
    ):
        extra = {
            "redis_url": redis_url,
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": twilio.auth_token,
            "twilio_from_number": "+3228080000",
            "twilio_api_base": twilio.url,
            "whatsapp_reopen_template_sid": "HX" + "b" * 32,
            "amicable_demo": True,
            "amicable_link_secret": "bench-link-secret-0123456789",
            "public_base_url": "http://127.0.0.1:9",
        }
        if queued is not None and queued[1].database_url == url:
            ids, settings = queued[0], queued[1].model_copy(update=extra)
        else:
            settings = _settings(url, workdir, **extra)
            # About two in three accounts have a message due at noon on a working day.
            _prepare(settings, max(2 * contacts, 1_000), today)
            factory = make_sessionmaker(make_engine(url))
            with transaction(factory) as session:
                ids = campaign.store(session, campaign.make_plan(session, settings, now).planned, now)
        ids = ids[:contacts]
        factory = make_sessionmaker(make_engine(url))
        with _celery_worker(settings, workers, pool, workdir):
            started = time.perf_counter()
            enqueue(settings, ids, now)
            enqueued = time.perf_counter() - started
            open_ = _wait_settled(factory, ids, timeout=max(120.0, contacts / 20))
            elapsed = time.perf_counter() - started
        with transaction(factory) as session:
            outcomes = dict(
                session.execute(
                    select(OutreachContact.status, func.count())
                    .where(OutreachContact.id.in_(ids))
                    .group_by(OutreachContact.status)
                ).all()
            )
    shutil.rmtree(workdir, ignore_errors=True)  # kept when a worker fails: its log says why
    return {
        "workers_database": "PostgreSQL"
        + ("" if url == database_url else " (throw-away cluster, fsync off, as the tests')"),
        "workers": float(workers),
        "workers_pool": pool,
        "workers_contacts": float(len(ids)),
        "workers_enqueue_seconds": enqueued,
        "workers_seconds": elapsed,
        "workers_unsettled": float(open_),
        "workers_sent": float(outcomes.get("sent", 0)),
        "workers_outcomes": ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())),
        "workers_per_second": (len(ids) - open_) / elapsed if elapsed else 0.0,
        "workers_sent_per_second": outcomes.get("sent", 0) / elapsed if elapsed else 0.0,
        "provider_requests": float(twilio.requests),
    }


def _wait_settled(factory, ids: list[int], timeout: float) -> int:  # type: ignore[no-untyped-def]
    """Poll until none of `ids` is queued or sending; how many still are at the deadline."""
    deadline = time.monotonic() + timeout
    # Each look counts a range of ids, less those in it that were never enqueued (counted once
    # here; they stay queued). Naming every contact at each look instead (an IN list, or an
    # array, of thousands) took a third of the database's time from the workers measured.
    unsettled = (
        "SELECT count(*) FROM outreach_contacts WHERE id BETWEEN :low AND :high AND status IN ('queued', 'sending')"
    )
    span = {"low": min(ids), "high": max(ids)}
    with transaction(factory) as session:
        others = session.scalar(text(unsettled + " AND NOT id = ANY(:ids)"), {**span, "ids": list(ids)})
    while True:
        with transaction(factory) as session:
            left = session.scalar(text(unsettled), span) - others
        if not left or time.monotonic() > deadline:
            return int(left)
        time.sleep(0.25)


@contextmanager
def _celery_worker(settings: Settings, concurrency: int, pool: str, workdir: Path) -> Iterator[None]:
    """`celery -A amicable.outreach.tasks worker`, as deployed, with these settings; ready
    (answering a ping) before the clock starts."""
    from amicable.outreach.tasks import app

    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "POLICIES_DIR": str(settings.policies_dir),
        "RISK_MODELS_DIR": str(settings.risk_models_dir),
        "AMICABLE_API_KEY": settings.amicable_api_key,
        "AMICABLE_LINK_SECRET": settings.amicable_link_secret,
        "AMICABLE_DEMO": "1",
        "PUBLIC_BASE_URL": settings.public_base_url,
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM_NUMBER": settings.twilio_from_number,
        "TWILIO_API_BASE": settings.twilio_api_base,
        "WHATSAPP_REOPEN_TEMPLATE_SID": settings.whatsapp_reopen_template_sid,
    }
    log = (workdir / "worker.log").open("wb")
    command = [sys.executable, "-m", "celery", "-A", "amicable.outreach.tasks", "worker"]
    command += [f"--pool={pool}", f"--concurrency={concurrency}", "--loglevel=WARNING", "-n", "bench@%h"]
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        app.conf.broker_url = settings.redis_url
        deadline = time.monotonic() + 120
        while not app.control.ping(timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start: see {workdir / 'worker.log'}")
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


@contextmanager
def _postgres(database_url: str | None) -> Iterator[str]:
    """The PostgreSQL database given, or a throw-away cluster started as the tests start theirs."""
    if database_url and database_url.startswith("postgres"):
        yield database_url
        return
    # A folder of its own (not inside `workdir`, which only root may enter): the cluster runs
    # as the postgres user.
    folder, port = Path(tempfile.mkdtemp(prefix="amicable-bench-pg-")), free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data = str(folder / "data")

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, cwd=folder)

    run(pg_bin("initdb"), "-D", data, "-U", "amicable", "--auth=trust", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    run(pg_bin("pg_ctl"), "-D", data, "-l", str(folder / "log"), "-w", "-o", options, "start")
    try:
        run(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "amicable", "bench")
        yield f"postgresql+psycopg://amicable@127.0.0.1:{port}/bench"
    finally:
        subprocess.run([*as_user, pg_bin("pg_ctl"), "-D", data, "-m", "fast", "stop"], capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _redis() -> Iterator[str]:
    """A throw-away Redis on a free loopback port, without persistence: the workers' broker."""
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server is not installed (scripts/test-services.sh installs it)")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


class TwilioStub:
    """Twilio's REST API as its reference documents it, on a loopback port: POST
    .../Accounts/{sid}/Messages.json (a text, or WhatsApp's approved template by ContentSid)
    and .../Calls.json answer 201 with the resource; wrong credentials 401. The provider
    boundary of the dispatch figure: the twilio library and everything of ours run unchanged."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.requests = 0
        ids, lock, stub = itertools.count(1), threading.Lock(), self
        expected = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        base = f"/2010-04-01/Accounts/{account_sid}"

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Connections stay open between messages, as Twilio's do: the answer goes out in one
            # write, without waiting on Nagle's algorithm (40 ms a message otherwise).
            disable_nagle_algorithm = True
            wbufsize = -1

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode()))
                with lock:
                    stub.requests += 1
                    number = next(ids)
                if self.headers.get("Authorization") != expected:
                    self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
                elif self.path == f"{base}/Messages.json" and params.get("To"):
                    sid = f"SM{number:032d}"
                    body = params.get("Body", "")
                    self._reply(
                        201,
                        {
                            "sid": sid,
                            "account_sid": account_sid,
                            "to": params["To"],
                            "from": params.get("From"),
                            "body": body,
                            "status": "queued",
                            "num_segments": str(max(1, (len(body) + 152) // 153)),
                            "direction": "outbound-api",
                            "api_version": "2010-04-01",
                            "uri": f"{base}/Messages/{sid}.json",
                        },
                    )
                elif self.path == f"{base}/Calls.json" and params.get("To"):
                    sid = f"CA{number:032d}"
                    self._reply(
                        201,
                        {
                            "sid": sid,
                            "account_sid": account_sid,
                            "to": params["To"],
                            "from": params.get("From"),
                            "status": "queued",
                            "direction": "outbound-api",
                            "api_version": "2010-04-01",
                            "uri": f"{base}/Calls/{sid}.json",
                        },
                    )
                else:
                    self._reply(400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400})

            def _reply(self, code: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TwilioStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def print_campaign_bench(figures: dict[str, float | str]) -> None:
    f = figures
    print(
        f"\ncampaign planning ({f['database']}, for {f['day']}; {f['accounts']:,.0f} accounts seeded in "
        f"{f['seeding_seconds']:.0f} s): {f['accounts']:,.0f} accounts in {f['planning_seconds']:.1f} s "
        f"({f['accounts_per_second']:,.0f} accounts/s; target under 60 s for 100,000, under 300 s for 1,000,000; "
        f"peak memory {f['peak_rss_mb']:,.0f} MB) -> send {f['send']:,.0f}, defer {f['defer']:,.0f}, "
        f"skip {f['skip']:,.0f}, blocked {f['blocked']:,.0f}"
    )
    print(
        f"campaign dispatch (in-process, console sender, {f['database']}): {f['dispatched']:,.0f} contacts at "
        f"{f['dispatch_per_second']:,.0f} per second"
    )
    if "workers_seconds" in f:
        print(
            f"campaign dispatch (Celery, {f['workers']:.0f} {f['workers_pool']} workers, Redis broker, "
            f"{f['workers_database']}, Twilio stubbed at its HTTP API): {f['workers_contacts']:,.0f} contacts "
            f"settled in {f['workers_seconds']:.1f} s from enqueue = {f['workers_per_second']:,.0f} per second "
            f"(target 500 or more; {f['workers_sent_per_second']:,.0f} sent per second; {f['workers_outcomes']}; "
            f"{f['provider_requests']:,.0f} provider requests; enqueue took {f['workers_enqueue_seconds']:.1f} s"
            + (f"; {f['workers_unsettled']:,.0f} NOT settled at the deadline" if f["workers_unsettled"] else "")
            + ")"
        )
