"""Dispatch on Celery workers through a real Redis: each contact is sent once, however many
times its task is delivered."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from amicable.db.models import OutreachContact
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.outreach import campaign
from amicable.outreach.tasks import enqueue
from amicable.settings import ROOT
from tests.conftest import AUTH
from tests.outreach.test_campaign import moment, next_open_day, overdue


def test_contacts_are_sent_by_workers_once(client, settings, redis_server, tmp_path):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the workers path is database-neutral; SQLite is enough")
    day = next_open_day(1)
    for n in range(3):
        client.post("/api/v1/accounts", json=overdue(f"W-{n}", 2 - day, phone=f"+3247000020{n}"), headers=AUTH)
    configured = settings.model_copy(update={"redis_url": redis_server.url})
    factory = make_sessionmaker(make_engine(settings.database_url))
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_server.url,
        "POLICIES_DIR": str(settings.policies_dir),
        "AMICABLE_API_KEY": settings.amicable_api_key,
        "AMICABLE_LINK_SECRET": settings.amicable_link_secret,
        "AMICABLE_DEMO": "1",
        "PUBLIC_BASE_URL": settings.public_base_url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "amicable.outreach.tasks",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        report = campaign.run(factory, configured, moment(day, 10, 5))
        assert report.queued_on_workers == 3 and report.sent == 0
        with transaction(factory) as session:
            ids = list(session.scalars(select(OutreachContact.id)))
        enqueue(configured, ids, moment(day, 10, 5))  # delivered again: changes nothing
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with transaction(factory) as session:
                statuses = list(session.scalars(select(OutreachContact.status)))
            if statuses == ["sent"] * 3:
                break
            time.sleep(0.3)
        assert statuses == ["sent"] * 3
        time.sleep(1.0)  # the duplicate tasks have run by now
        with transaction(factory) as session:
            from amicable.db.models import ContactEvent

            sent = session.scalars(select(ContactEvent).where(ContactEvent.kind == "outreach_sent")).all()
        assert len(sent) == 3
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output
