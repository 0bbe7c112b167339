"""Celery workers for dispatch, used when REDIS_URL is set (`celery -A amicable.outreach.tasks
worker`). A task only names the contact: the claim in `dispatch` makes a redelivered or
duplicated task harmless."""

from __future__ import annotations

from celery import Celery

from amicable.settings import get_settings

settings = get_settings()
app = Celery("amicable", broker=settings.redis_url or "memory://")
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=1, broker_connection_retry_on_startup=True)


@app.task(name="amicable.outreach.dispatch_contact")
def dispatch_contact(contact_id: int) -> str:
    from amicable.outreach.dispatch import send_contact

    factory = _factory()
    return send_contact(factory, get_settings(), contact_id)


_FACTORY = None


def _factory():  # type: ignore[no-untyped-def]
    global _FACTORY
    if _FACTORY is None:
        from amicable.db.session import make_engine, make_sessionmaker

        _FACTORY = make_sessionmaker(make_engine(get_settings().database_url))
    return _FACTORY
