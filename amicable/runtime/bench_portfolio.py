"""How fast the portfolio list answers on 100,000 accounts: the queries an operator's screen
makes (first page, a status filter, a search, a sort by balance, a deep page, with the total),
each timed as the list route does it (its own session, the query, the count, the items as
JSON), without HTTP: the core does not import the web door."""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from amicable.db.migrate import upgrade
from amicable.db.session import make_engine, make_sessionmaker
from amicable.runtime.bench_campaign import seed
from amicable.services import portfolio
from amicable.settings import ROOT, Settings

KEY = "bench-key-0123456789"
Filters = portfolio.Filters
QUERIES = {
    "first page (50, by reference)": (Filters(), "reference", 50),
    "status=overdue": (Filters(status=("overdue",)), "reference", 50),
    "search q=Customer 4242": (Filters(q="Customer 4242"), "reference", 50),
    "sort=-balance": (Filters(), "-balance", 50),
    "overdue 30+ days, balance >= 200": (
        Filters(overdue_min_days=30, balance_min=Decimal("200")),
        "reference",
        50,
    ),
    "creditor + language, 200 a page": (Filters(creditor="Polder Telecom", language="nl"), "reference", 200),
}


def portfolio_bench(
    accounts: int = 100_000, repeat: int = 15, database_url: str | None = None
) -> list[tuple[str, float, float]]:
    """(query, p50 ms, p95 ms) for each of QUERIES, and for following a cursor 20 pages deep."""
    workdir = Path(tempfile.mkdtemp(prefix="amicable-portfolio-bench-"))
    settings = Settings(
        database_url=database_url or f"sqlite:///{workdir / 'portfolio.db'}",
        policies_dir=ROOT / "policies",
        amicable_api_key=KEY,
        amicable_demo=True,
        _env_file=None,
    )
    upgrade(settings.database_url)
    seed(settings, accounts, date.today(), random.Random(7))
    if settings.database_url.startswith("postgres"):
        # What autovacuum does after a large import: the planner needs the tables' statistics.
        engine = make_engine(settings.database_url)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
    factory = make_sessionmaker(make_engine(settings.database_url))
    today = date.today()

    def listed(filters: portfolio.Filters, sort: str, limit: int, cursor: str | None) -> str | None:
        with factory() as session, session.begin():
            found = portfolio.page(session, filters, today, sort=sort, limit=limit, cursor=cursor)
            json.dumps({"items": [r.public(today) for r in found.rows], "total": found.total})
        return found.next_cursor

    figures = []
    for name, (filters, sort, limit) in QUERIES.items():
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            listed(filters, sort, limit, None)
            times.append((time.perf_counter() - started) * 1000)
        figures.append((name, *_p50_p95(times)))
    times, cursor = [], None
    for _ in range(20):
        started = time.perf_counter()
        cursor = listed(portfolio.Filters(), "reference", 50, cursor)
        times.append((time.perf_counter() - started) * 1000)
    figures.append(("next page, 20 pages deep", *_p50_p95(times)))
    return figures


def _p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def print_portfolio_bench(figures: list[tuple[str, float, float]], accounts: int, database: str) -> None:
    print(f"\nportfolio list on {accounts:,} accounts ({database}), the list route's work without HTTP:")
    print("| query | p50 ms | p95 ms |\n|---|---|---|")
    for name, p50, p95 in figures:
        print(f"| {name} | {p50:.0f} | {p95:.0f} |")
