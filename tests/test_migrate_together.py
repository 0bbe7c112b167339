"""Several processes migrating one PostgreSQL database at once (two replicas' start-up jobs, a
deploy and a migration by hand) all succeed: the second waits for the first and then finds
nothing left to do, instead of failing half-way on a table the other just created."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from amicable.paths import ROOT

pytestmark = pytest.mark.postgres

MIGRATE = "import sys; from amicable.db.migrate import upgrade; upgrade(sys.argv[1])"


def test_migrations_started_together_all_succeed_and_run_once(postgres):
    url = postgres.create_database(f"migrate_together_{int(time.time() * 1000)}")
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert [code for code, _ in results] == [0] * 4, "\n".join(err[-2000:] for code, err in results if code)
    engine = create_engine(url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        tables = connection.execute(text("SELECT count(*) FROM pg_tables WHERE tablename = 'conversations'")).scalar()
    engine.dispose()
    assert len(versions) == 1 and tables == 1
