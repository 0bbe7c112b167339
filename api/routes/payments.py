"""Stripe's webhook: signed events, verified and applied once (the pay page is in web/pay.py)."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from amicable.services import ServiceError, payment_events
from api.deps import SessionDep, SettingsDep

log = structlog.get_logger()
router = APIRouter(tags=["payments"])


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, session: SessionDep, settings: SettingsDep) -> dict:
    payload = await request.body()
    try:
        # Off the event loop: booking may wait on a row another delivery holds, and that
        # delivery's commit needs the loop.
        result = await run_in_threadpool(
            payment_events.process_webhook, session, settings, payload, request.headers.get("stripe-signature")
        )
    except ServiceError as error:
        log.warning("payment webhook refused", reason=error.message)
        raise
    return {"received": True, "result": result}
