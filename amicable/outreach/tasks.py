"""Celery workers for dispatch, used when REDIS_URL is set (`celery -A amicable.outreach.tasks
worker`). A task only names the contact: the claim in `dispatch` makes a redelivered or
duplicated task harmless."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from celery import Celery
from celery.signals import setup_logging, worker_init
from sqlalchemy.orm import Session, sessionmaker

from amicable.settings import Settings, get_settings

app = Celery("amicable", broker=get_settings().redis_url or "memory://")
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)


@setup_logging.connect
def _masked_logs(**_: object) -> None:
    """The workers log through the same masking as the web process (numbers, texts)."""
    from amicable.logging import configure_logging

    configure_logging()


@worker_init.connect
def _refuse_without_production_settings(**_: object) -> None:
    """A worker sends messages: it starts only where the web process would."""
    from amicable.settings import check_settings

    check_settings(get_settings())


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    from amicable.db.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(get_settings().database_url))


@app.task(name="amicable.outreach.dispatch_contact")
def dispatch_contact(contact_id: int, planned_for: str | None = None) -> str:
    """The rules are checked at the later of the run's instant and the clock: a task that
    waited in a backlog is judged when it actually sends."""
    from amicable.outreach.dispatch import send_contact

    now = datetime.now(UTC)
    if planned_for:
        now = max(now, datetime.fromisoformat(planned_for))
    return send_contact(_factory(), get_settings(), contact_id, now)


def enqueue(settings: Settings, contact_ids: list[int], planned_for: datetime | None = None) -> None:
    """Hand contacts to the workers through the broker these settings name."""
    app.conf.broker_url = settings.redis_url
    instant = planned_for.isoformat() if planned_for else None
    with app.connection_for_write() as connection:
        for contact_id in contact_ids:
            dispatch_contact.apply_async((contact_id, instant), connection=connection)
