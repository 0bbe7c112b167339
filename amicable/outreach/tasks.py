"""Celery workers for dispatch, used when REDIS_URL is set (`celery -A amicable.outreach.tasks
worker`). A task only names the contact: the claim in `dispatch` makes a redelivered or
duplicated task harmless."""

from __future__ import annotations

from functools import lru_cache

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from amicable.settings import Settings, get_settings

app = Celery("amicable", broker=get_settings().redis_url or "memory://")
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    from amicable.db.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(get_settings().database_url))


@app.task(name="amicable.outreach.dispatch_contact")
def dispatch_contact(contact_id: int) -> str:
    from amicable.outreach.dispatch import send_contact

    return send_contact(_factory(), get_settings(), contact_id)


def enqueue(settings: Settings, contact_ids: list[int]) -> None:
    """Hand contacts to the workers through the broker these settings name."""
    app.conf.broker_url = settings.redis_url
    with app.connection_for_write() as connection:
        for contact_id in contact_ids:
            dispatch_contact.apply_async((contact_id,), connection=connection)
