"""The web process: the doors that speak HTTP, on one origin. `api/` (creditors and the
action server), `web/` (pay and autopay pages, the web chat, the agent console) and
`channels/` (the gateway and its channel webhooks) are mounted here with the middleware they
share. Channels import no other door; web pages use the API's dependencies (api/deps.py).
`amicable serve` runs `server.app:create_app`."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from amicable import __version__, language
from amicable.db.session import make_engine, make_sessionmaker
from amicable.logging import configure_logging
from amicable.policy_files import check_all
from amicable.ratelimit import Throttle
from amicable.services import ServiceError
from amicable.settings import Settings, check_settings, get_settings
from amicable.text import care, redaction
from api.docs import add_docs
from api.openapi import describe_errors
from api.routes import accounts, autopay, conversations, exports, imports, outreach, payments, refunds, statements
from channels import email as email_channel
from channels import outbox, rest, telegram, twilio_messaging, twilio_voice
from channels.turns import TurnLocks
from server.abandoned import CancelAbandonedReads
from server.limits import BodySizeLimit, NoNulCharacters
from server.security_headers import DocsGuard, SecurityHeaders
from web import STATIC, agent_console, chat, dashboard, mailbox, pay, unsubscribe
from web import accounts as accounts_pages
from web import autopay as autopay_page


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()
    check_settings(settings)
    check_all(settings.policies_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        await run_in_threadpool(language.warm_up)
        await run_in_threadpool(redaction.warm_up)
        await run_in_threadpool(care.warm_up, settings.policies_dir / "care")
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
            app.state.http = client
            # Made here, in the loop that serves the requests: the bot's queue (channels/outbox.py).
            app.state.bot_gate = outbox.BotGate(settings.bot_concurrency)
            # Messages kept while the bot was away are answered when it is back (channels/outbox.py).
            kept = asyncio.create_task(outbox.run(app))
            try:
                yield
            finally:
                kept.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await kept
        await app.state.turns.close()
        bot = getattr(app.state, "telegram_bot", None)
        if bot is not None:
            await bot.shutdown()
        app.state.engine.dispose()

    app = FastAPI(title="Amicable", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    add_docs(app)  # Swagger UI and ReDoc from the project's own assets, not a CDN
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.throttle = Throttle(settings)
    app.state.turns = TurnLocks(settings)

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, error: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": error.message}, status_code=error.status_code)

    @app.exception_handler(IntegrityError)
    async def _conflict(_request: Request, _error: IntegrityError) -> JSONResponse:
        # Two requests created the same thing at once; nothing of this one was stored.
        return JSONResponse({"detail": "a concurrent request changed the same record; please retry"}, status_code=409)

    api_doors = (accounts, autopay, conversations, exports, imports, outreach, payments, refunds, statements)
    web_doors = (chat, pay, autopay_page, agent_console, dashboard, accounts_pages, unsubscribe, mailbox)
    channel_doors = (rest, telegram, twilio_messaging, twilio_voice, email_channel)
    for module in (*api_doors, *web_doors, *channel_doors):
        app.include_router(module.router)
    describe_errors(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health", tags=["health"])
    def health() -> dict:
        return {"status": "ok", "version": __version__}

    # The web chat is embedded on creditors' sites. No cookies are used, so no credentials are
    # allowed cross-origin; the API itself still needs its Bearer key.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
    )
    # A read whose client went away is stopped (server/abandoned.py).
    app.add_middleware(CancelAbandonedReads)
    app.add_middleware(
        BodySizeLimit,
        default=settings.max_body_bytes,
        larger={
            "/api/v1/imports": settings.max_import_bytes,
            "/api/v1/bank-statements": settings.max_import_bytes,
            "/channels/email/inbound": settings.max_email_bytes,
        },
    )
    app.add_middleware(NoNulCharacters)
    # Outside the demo, the docs and the schema only for the admin key; security headers on every
    # response (added last, so outermost: refusals above get them too).
    app.add_middleware(DocsGuard, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    return app
