"""How fast a campaign plans and dispatches, on a database of realistic size.

Accounts are written with bulk inserts (a creditor's nightly import would use the CSV
import; here the point is the planner, not the importer). The figure that counts is the
planning time for 100,000 accounts: the target is under a minute on a 2-core machine.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select

from amicable.db.models import Account, Consent, Creditor, Debtor, Dispute, Invoice, OptOut, Plan, Promise
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.settings import Settings

# Country, zone, a mobile prefix to which six digits make a valid number, languages.
COUNTRIES = [
    ("BE", "Europe/Brussels", "+32470", ("en", "fr", "nl")),
    ("NL", "Europe/Amsterdam", "+31610", ("nl", "en")),
    ("FR", "Europe/Paris", "+33610", ("fr",)),
    ("GB", "Europe/London", "+447700", ("en",)),
    ("US", "America/Chicago", "+13122", ("en",)),
]


def seed(settings: Settings, accounts: int, today: date, rng: random.Random) -> None:
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        creditors = [Creditor(name="Brightwater Energy"), Creditor(name="Polder Telecom")]
        session.add_all(creditors)
        session.flush()
        creditor_ids = [c.id for c in creditors]
        start = session.scalar(select(Debtor.id).order_by(Debtor.id.desc()).limit(1)) or 0
        debtors, rows, invoices, opt_outs, disputes, plans, promises, consents = [], [], [], [], [], [], [], []
        for n in range(accounts):
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
            if n % 60 == 3:
                promises.append(
                    {
                        "account_id": debtor_id,
                        "amount": Decimal("50"),
                        "due_on": today + timedelta(days=5),
                        "status": "pending",
                    }
                )
        now = datetime.now(UTC)
        for table, data in (
            (Debtor, debtors),
            (Account, [{**r, "created_at": now, "updated_at": now} for r in rows]),
            (Invoice, invoices),
            (OptOut, [{**o, "created_at": now} for o in opt_outs]),
            (Dispute, [{**d, "created_at": now} for d in disputes]),
            (Plan, [{**p, "created_at": now} for p in plans]),
            (Promise, [{**p, "created_at": now} for p in promises]),
            (Consent, [{**c, "given_at": now} for c in consents]),
        ):
            for chunk in range(0, len(data), 20_000):
                session.execute(insert(table), data[chunk : chunk + 20_000])


def campaign_bench(accounts: int = 100_000, dispatch: int = 2_000) -> dict[str, float]:
    """Plan `accounts` accounts (timed), then send `dispatch` contacts in this process through
    the console sender (timed): the two campaign figures of `make bench`."""
    from amicable.db.migrate import upgrade
    from amicable.outreach import campaign
    from amicable.outreach.demo_history import generate_demo_history
    from amicable.outreach.risk_training import train
    from amicable.settings import ROOT

    workdir = Path(tempfile.mkdtemp(prefix="amicable-campaign-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'campaign.db'}",
        policies_dir=ROOT / "policies",
        risk_models_dir=workdir / "models",
        amicable_api_key="bench-key-0123456789",
        _env_file=None,
    )
    upgrade(settings.database_url)
    today = date.today()
    seed(settings, accounts, today, random.Random(11))
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        generate_demo_history(session, accounts=2000, today=today)
    with transaction(factory) as session:
        train(session, settings, None)
    now = datetime.combine(today, datetime.min.time(), UTC).replace(hour=12)
    with transaction(factory) as session:
        started = time.perf_counter()
        report = campaign.make_plan(session, settings, now)
        planning = time.perf_counter() - started
        session.rollback()
    counts = report.counts()
    # Dispatch: store the plan, then send a slice of what is due, in this process.
    import structlog

    structlog.configure(logger_factory=structlog.ReturnLoggerFactory())  # the console sender stays quiet
    from amicable.outreach import dispatch as sender

    with transaction(factory) as session:
        queued = campaign.store(session, report.planned, now)
    started = time.perf_counter()
    for contact_id in queued[:dispatch]:
        sender.send_contact(factory, settings, contact_id, now)
    sending = time.perf_counter() - started
    sent = min(dispatch, len(queued))
    return {
        "accounts": float(accounts),
        "planning_seconds": planning,
        "accounts_per_second": accounts / planning,
        "send": float(counts.get("send", 0)),
        "defer": float(counts.get("defer", 0)),
        "skip": float(counts.get("skip", 0)),
        "blocked": float(counts.get("blocked", 0)),
        "dispatched": float(sent),
        "dispatch_per_second": sent / sending if sending else 0.0,
    }


def print_campaign_bench(figures: dict[str, float]) -> None:
    print(
        f"\ncampaign planning: {figures['accounts']:,.0f} accounts in {figures['planning_seconds']:.1f} s "
        f"({figures['accounts_per_second']:,.0f} accounts/s; target under 60 s) -> send {figures['send']:,.0f}, "
        f"defer {figures['defer']:,.0f}, skip {figures['skip']:,.0f}, blocked {figures['blocked']:,.0f}"
    )
    print(
        f"campaign dispatch (in-process, console sender, SQLite): {figures['dispatched']:,.0f} contacts at "
        f"{figures['dispatch_per_second']:,.0f} per second"
    )
