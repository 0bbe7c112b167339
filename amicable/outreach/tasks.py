"""Celery workers for dispatch, used when REDIS_URL is set (`celery -A amicable.outreach.tasks
worker`). A task names a batch of contacts (BATCH of them): one broker message and one claim
for many sends. It only names them: the claim in `dispatch` makes a redelivered or duplicated
task harmless."""

from __future__ import annotations

import gc
import logging
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache

from celery import Celery
from celery.signals import setup_logging, worker_init
from sqlalchemy.orm import Session, sessionmaker

from amicable.settings import Settings, get_settings

# Contacts per task: large enough that the broker, the claim and the reading of the files'
# facts cost little per contact, small enough that a batch spreads over the workers and that
# a crashed worker leaves few contacts claimed (`sending`) for a person to look at.
BATCH = 50

app = Celery("amicable", broker=get_settings().redis_url or "memory://")
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)


@setup_logging.connect
def _masked_logs(loglevel: int | str | None = None, **_: object) -> None:
    """The workers log through the same masking as the web process (numbers, texts), at the
    level the worker was started with (`--loglevel`, INFO by default): at INFO the Twilio
    library writes a dozen lines for every message sent, each of them masked."""
    from amicable.logging import configure_logging

    if isinstance(loglevel, str):
        loglevel = logging.getLevelName(loglevel.upper())
    configure_logging(loglevel if isinstance(loglevel, int) else logging.INFO)


@worker_init.connect
def _refuse_without_production_settings(**_: object) -> None:
    """A worker sends messages: it starts only where the web process would."""
    from amicable.settings import check_settings

    check_settings(get_settings())
    # Loaded once here, before the pool forks: every worker process starts with what sending
    # needs (rendering, the providers, the text layer, the policies) instead of each loading
    # it on its first task.
    from amicable.outreach.dispatch import load_once

    load_once(get_settings())
    # What is loaded now lives as long as the worker: out of the collector's sight, a full
    # collection no longer walks it (a tenth of a worker's CPU per contact went there), and
    # the forked processes keep sharing its pages instead of each copying those the collector
    # touched.
    gc.freeze()


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    from amicable.db.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(get_settings().database_url))


@app.task(name="amicable.outreach.dispatch_contact")
def dispatch_contact(contact_id: int, planned_for: str | None = None) -> str:
    """One contact (tasks queued before batches were sent this way still run). The rules are checked at the later of the run's instant and the clock: a task that
    waited in a backlog is judged when it actually sends."""
    from amicable.outreach.dispatch import send_contact

    now = datetime.now(UTC)
    if planned_for:
        now = max(now, datetime.fromisoformat(planned_for))
    return send_contact(_factory(), get_settings(), contact_id, now)


@app.task(name="amicable.outreach.dispatch_contacts")
def dispatch_contacts(contact_ids: list[int], planned_for: str | None = None) -> dict[str, int]:
    """A batch of contacts, each checked at the later of the run's instant and the clock
    when its turn comes; how many of each outcome."""
    from amicable.outreach.dispatch import send_contacts

    not_before = datetime.fromisoformat(planned_for) if planned_for else None
    return dict(Counter(send_contacts(_factory(), get_settings(), contact_ids, not_before=not_before)))


def enqueue(settings: Settings, contact_ids: list[int], planned_for: datetime | None = None, batch: int = BATCH) -> int:
    """Hand contacts to the workers through the broker these settings name, `batch` to a
    task; the number of tasks."""
    app.conf.broker_url = settings.redis_url
    instant = planned_for.isoformat() if planned_for else None
    tasks = 0
    with app.connection_for_write() as connection:
        for start in range(0, len(contact_ids), batch):
            dispatch_contacts.apply_async((contact_ids[start : start + batch], instant), connection=connection)
            tasks += 1
    return tasks
