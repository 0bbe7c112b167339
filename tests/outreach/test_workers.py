"""Dispatch on Celery workers through a real Redis: each contact is sent once, however many
times its task is delivered, and a worker killed in the middle of a batch leaves every contact
either sent and recorded, or marked for a person to check; never sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from amicable.db.models import ContactEvent, Message, OutreachContact
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.outreach import campaign, dispatch
from amicable.outreach.tasks import enqueue
from amicable.settings import ROOT, Settings
from tests.conftest import AUTH
from tests.fakes.twilio_api import FakeTwilio
from tests.outreach.test_campaign import moment, next_open_day, overdue

TWILIO_SID, TWILIO_TOKEN = "AC" + "7" * 32, "worker-test-twilio-token"


def start_worker(settings: Settings, redis_url: str, **extra_env: str) -> subprocess.Popen:
    """A Celery worker process (one at a time, `--pool=solo`) on these settings."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": redis_url,
        "POLICIES_DIR": str(settings.policies_dir),
        "AMICABLE_API_KEY": settings.amicable_api_key,
        "AMICABLE_LINK_SECRET": settings.amicable_link_secret,
        "AMICABLE_DEMO": "1",
        "PUBLIC_BASE_URL": settings.public_base_url,
        **extra_env,
    }
    return subprocess.Popen(
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


def wait_for(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_contacts_are_sent_by_workers_once(client, settings, redis_server, tmp_path):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the workers path is database-neutral; SQLite is enough")
    day = next_open_day(1)
    for n in range(3):
        client.post("/api/v1/accounts", json=overdue(f"W-{n}", 2 - day, phone=f"+3247000020{n}"), headers=AUTH)
    configured = settings.model_copy(update={"redis_url": redis_server.url})
    factory = make_sessionmaker(make_engine(settings.database_url))
    worker = start_worker(settings, redis_server.url)
    try:
        report = campaign.run(factory, configured, moment(day, 10, 5))
        assert report.queued_on_workers == 3 and report.sent == 0
        with transaction(factory) as session:
            ids = list(session.scalars(select(OutreachContact.id)))
        enqueue(configured, ids, moment(day, 10, 5))  # delivered again: changes nothing
        wait_for(lambda: _statuses(factory) == ["sent"] * 3)
        assert _statuses(factory) == ["sent"] * 3
        time.sleep(1.0)  # the duplicate tasks have run by now
        with transaction(factory) as session:
            sent = session.scalars(select(ContactEvent).where(ContactEvent.kind == "outreach_sent")).all()
        assert len(sent) == 3
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode(errors="replace")
    assert "Traceback" not in output, output


def test_a_worker_killed_mid_batch_sends_nothing_twice_and_leaves_nothing_unexplained(client, settings, redis_server):
    """The worker is killed (SIGKILL, no chance to clean up) while a batch is half sent through
    a slow provider. Its tasks delivered again, to a new worker, send nothing more: the contacts
    are claimed. The next run's sweep marks what was left claimed as interrupted, in each file's
    contact log; every contact is then sent-and-recorded or interrupted, and the provider got at
    most one message per debtor."""
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the workers path is database-neutral; SQLite is enough")
    day = next_open_day(1)
    phones = [f"+3247000031{n}" for n in range(8)]
    for n, phone in enumerate(phones):
        client.post("/api/v1/accounts", json=overdue(f"K-{n}", 2 - day, phone=phone), headers=AUTH)
    factory = make_sessionmaker(make_engine(settings.database_url))
    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as twilio:
        twilio.delay = 0.4
        provider = {
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_FROM_NUMBER": "+3228080000",
            "TWILIO_API_BASE": twilio.url,
            "WHATSAPP_REOPEN_TEMPLATE_SID": "HX" + "7" * 32,
        }
        configured = settings.model_copy(update={"redis_url": redis_server.url})
        worker = start_worker(settings, redis_server.url, **provider)
        try:
            report = campaign.run(factory, configured, moment(day, 10, 5))
            assert report.queued_on_workers == len(phones)
            wait_for(lambda: len(twilio.messages) >= 3)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=20)
        finally:
            if worker.poll() is None:
                worker.kill()
        time.sleep(2 * twilio.delay)  # a request the worker had in flight still reaches the provider
        received = len(twilio.messages)
        assert 3 <= received < len(phones), "the worker should have died in the middle of its batch"
        with transaction(factory) as session:
            statuses = dict(session.execute(select(OutreachContact.id, OutreachContact.status)).all())
        assert "sending" in statuses.values(), statuses

        # The same tasks again, on a new worker: what the killed one claimed is not sent again.
        # A contact planned since, named last in the same batch, tells when the batch has run.
        client.post("/api/v1/accounts", json=overdue("K-late", 2 - day, phone="+32470000399"), headers=AUTH)
        with transaction(factory) as session:
            plan = campaign.make_plan(session, configured, moment(day, 10, 5))
            [late] = campaign.store(session, [p for p in plan.planned if p.reference == "K-late"], moment(day, 10, 5))
        again = start_worker(settings, redis_server.url, **provider)
        try:
            enqueue(configured, [*statuses, late], moment(day, 10, 5))
            wait_for(lambda: again.poll() is not None or _status(factory, late) != "queued")
        finally:
            again.terminate()
            output = again.communicate(timeout=20)[0].decode(errors="replace")
        assert _status(factory, late) == "sent", output
        assert [message["to"] for message in twilio.messages[received:]] == ["+32470000399"]
        assert "Traceback" not in output, output

        # The next run's sweep, an hour and more later: the claims left behind become interrupted.
        assert dispatch.interrupted(factory, moment(day, 12, 0)) == list(statuses.values()).count("sending")

    recipients = [message["to"] for message in twilio.messages]
    assert len(recipients) == len(set(recipients)), "a debtor got the same contact twice"
    with transaction(factory) as session:
        contacts = session.scalars(select(OutreachContact)).all()
        for contact in contacts:
            phone = contact.account.debtor.phone
            if contact.status == "sent":
                assert phone in recipients
                kept = session.scalars(
                    select(Message).where(Message.text == contact.text, Message.author == "bot")
                ).all()
                assert kept, f"sent but not in the transcript: {contact.account.reference}"
            else:
                # Perhaps sent just before the kill (the provider has it) and perhaps not: a person checks.
                assert (contact.status, contact.rule) == ("failed", "interrupted"), contact.status
                logged = session.scalars(
                    select(ContactEvent).where(
                        ContactEvent.account_id == contact.account_id, ContactEvent.kind == "outreach_failed"
                    )
                ).all()
                assert logged and "check whether it reached the debtor" in logged[0].detail
        # Sends are recorded `RECORD_EVERY` at a time: what the killed worker sent since its
        # last record is among the interrupted contacts, never more than that many of them.
        unrecorded = [c for c in contacts if c.status != "sent" and c.account.debtor.phone in recipients]
        assert 0 < len(unrecorded) <= dispatch.RECORD_EVERY
        assert sum(contact.status == "sent" for contact in contacts) >= 1


def _status(factory, contact_id: int) -> str:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        return session.get(OutreachContact, contact_id).status


def _statuses(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        return list(session.scalars(select(OutreachContact.status)))
