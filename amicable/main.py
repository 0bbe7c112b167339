"""The web process: API, gateway (conversation and channel webhooks), pay page and web chat,
all on one origin."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from amicable import __version__, language
from amicable.api.docs import add_docs
from amicable.api.limits import BodySizeLimit, NoNulCharacters
from amicable.api.openapi import describe_errors
from amicable.api.routes import (
    accounts,
    agent_console,
    autopay,
    conversations,
    imports,
    outreach,
    payments,
    refunds,
    statements,
)
from amicable.api.security_headers import DocsGuard, SecurityHeaders
from amicable.channels import rest, telegram, twilio_messaging, twilio_voice
from amicable.db.session import make_engine, make_sessionmaker
from amicable.logging import configure_logging
from amicable.policy import check_all
from amicable.ratelimit import Throttle
from amicable.services import ServiceError
from amicable.settings import Settings, check_settings, get_settings

STATIC = Path(__file__).resolve().parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()
    check_settings(settings)
    check_all(settings.policies_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        await run_in_threadpool(language.warm_up)
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
            app.state.http = client
            yield
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

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, error: ServiceError) -> JSONResponse:
        return JSONResponse({"detail": error.message}, status_code=error.status_code)

    @app.exception_handler(IntegrityError)
    async def _conflict(_request: Request, _error: IntegrityError) -> JSONResponse:
        # Two requests created the same thing at once; nothing of this one was stored.
        return JSONResponse({"detail": "a concurrent request changed the same record; please retry"}, status_code=409)

    for module in (
        accounts,
        agent_console,
        autopay,
        conversations,
        imports,
        outreach,
        payments,
        refunds,
        statements,
        rest,
        telegram,
        twilio_messaging,
        twilio_voice,
    ):
        app.include_router(module.router)
    describe_errors(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def web_chat() -> FileResponse:
        return FileResponse(STATIC / "index.html")

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
    app.add_middleware(
        BodySizeLimit,
        default=settings.max_body_bytes,
        larger={"/api/v1/imports": settings.max_import_bytes, "/api/v1/bank-statements": settings.max_import_bytes},
    )
    app.add_middleware(NoNulCharacters)
    # Outside the demo, the docs and the schema only for the admin key; security headers on every
    # response (added last, so outermost: refusals above get them too).
    app.add_middleware(DocsGuard, settings=settings)
    app.add_middleware(SecurityHeaders, settings=settings)
    return app
