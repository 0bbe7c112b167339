"""How fast the portfolio list answers on 100,000 accounts: the queries an operator's screen
makes (first page, a status filter, a search, a sort by balance, a deep page, the total), each
timed through the JSON API in this process, so routing, the query and serialisation count."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from amicable.db.migrate import upgrade
from amicable.db.session import make_engine
from amicable.runtime.bench_campaign import seed
from amicable.settings import ROOT, Settings

KEY = "bench-key-0123456789"
QUERIES = {
    "first page (50, by reference)": {},
    "status=overdue": {"status": "overdue"},
    "search q=Customer 4242": {"q": "Customer 4242"},
    "sort=-balance": {"sort": "-balance"},
    "overdue 30+ days, balance >= 200": {"overdue_min_days": "30", "balance_min": "200"},
    "creditor + language, 200 a page": {"creditor": "Polder Telecom", "language": "nl", "limit": "200"},
}


def portfolio_bench(
    accounts: int = 100_000, repeat: int = 15, database_url: str | None = None
) -> list[tuple[str, float, float]]:
    """(query, p50 ms, p95 ms) for each of QUERIES, and for following a cursor 20 pages deep."""
    from server.app import create_app

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
    headers = {"Authorization": f"Bearer {KEY}"}
    figures = []
    with TestClient(create_app(settings)) as client:
        for name, params in QUERIES.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get("/api/v1/accounts", params=params, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            figures.append((name, *_p50_p95(times)))
        times, cursor = [], None
        for _ in range(20):
            started = time.perf_counter()
            response = client.get("/api/v1/accounts", params={"cursor": cursor} if cursor else {}, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            cursor = response.json()["next_cursor"]
        figures.append(("next page, 20 pages deep", *_p50_p95(times)))
    return figures


def _p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def print_portfolio_bench(figures: list[tuple[str, float, float]], accounts: int, database: str) -> None:
    print(f"\nportfolio list on {accounts:,} accounts ({database}), through the JSON API in one process:")
    print("| query | p50 ms | p95 ms |\n|---|---|---|")
    for name, p50, p95 in figures:
        print(f"| {name} | {p50:.0f} | {p95:.0f} |")
