"""Security headers on every response, and the API's docs kept to the admin outside the demo.

The headers are built and set by `secure` (secure.py): `SecurityHeaders` only picks, by path,
which of a few fixed `Secure` policies applies, and hands the request to secure's own ASGI
middleware for it. Every response gets a Content-Security-Policy, `X-Content-Type-Options:
nosniff`, `Referrer-Policy: no-referrer` (a pay link's address is its key) and, when
PUBLIC_BASE_URL is https, HSTS. The policies:

- pages of ours (the agent console, the pay and autopay pages, the API, /static): scripts and
  styles from our origin only, plus the inline ones our static pages carry, allowed by their
  SHA-256 (computed from the files at start-up, so editing a page needs no change here); never
  framed (`frame-ancestors 'none'` and `X-Frame-Options: DENY`). Forms post to us, and the pay
  and autopay forms may be redirected on to Stripe Checkout.
- the web chat page `/`: the same, but it may be framed by the sites allowed to embed the chat
  (CORS_ORIGINS). The widget itself is a <script> on the creditor's page and its CSS a <link>:
  both load cross-origin, so no Cross-Origin-Resource-Policy is set.
- /docs and /redoc: Swagger UI and ReDoc from our origin (api/docs.py), with the
  inline start-up script FastAPI writes into those pages.
- the results dashboard (/dashboard): scripts from our origin only (Plotly's bundle is served
  by us, and the page has no inline script); styles from our origin, the empty `<style>`
  element Plotly creates to write its rules into through the CSSOM (which CSP does not
  govern), and the stylesheets Plotly's bundle carries, each by its hash; images also as
  data: URLs. Plotly needs no eval.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from pathlib import Path

from secure import (
    ContentSecurityPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from amicable.settings import Settings

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"  # the pages whose inline code gets CSP hashes
STRIPE_CHECKOUT = "https://checkout.stripe.com"
DOCS_PAGES = ("/docs", "/docs/oauth2-redirect", "/redoc")
DOCS_PATHS = (*DOCS_PAGES, "/openapi.json")
# Pages that post a form which may be redirected on to Stripe Checkout.
CHECKOUT_PAGES = ("/pay/", "/plans/")
HSTS_SECONDS = 365 * 24 * 3600
DASHBOARD = "/dashboard"
# The hash of an empty <style> element: Plotly adds one and fills it with insertRule.
EMPTY_STYLE = f"'sha256-{base64.b64encode(hashlib.sha256(b'').digest()).decode()}'"

_INLINE = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)


def inline_hashes(directory: Path = STATIC) -> tuple[list[str], list[str]]:
    """CSP sources ('sha256-...') for the inline scripts and styles of the pages in `directory`."""
    scripts: list[str] = []
    styles: list[str] = []
    for page in sorted(directory.glob("*.html")):
        for match in _INLINE.finditer(page.read_text(encoding="utf-8")):
            kind, attributes, body = match.group(1).lower(), match.group(2) or "", match.group(3)
            if kind == "script" and re.search(r"\bsrc\s*=", attributes, re.IGNORECASE):
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
            (scripts if kind == "script" else styles).append(f"'sha256-{digest}'")
    return scripts, styles


def _embedders(settings: Settings) -> list[str]:
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    return ["*"] if "*" in origins else origins or ["'self'"]


def _secure(settings: Settings, csp: ContentSecurityPolicy, *, never_framed: bool) -> Secure:
    https = settings.public_base_url.startswith("https://")
    return Secure(
        csp=csp,
        hsts=StrictTransportSecurity().max_age(HSTS_SECONDS) if https else None,
        referrer=ReferrerPolicy().no_referrer(),
        xcto=XContentTypeOptions().nosniff(),
        xfo=XFrameOptions().deny() if never_framed else None,
    )


def _page_csp(
    scripts: list[str], styles: list[str], forms_to: list[str], framed_by: list[str]
) -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", *scripts)
        .style_src("'self'", *styles)
        .object_src("'none'")
        .base_uri("'none'")
        .form_action("'self'", *forms_to)
        .frame_ancestors(*framed_by)
    )


def _docs_csp() -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", "'unsafe-inline'")
        .style_src("'self'", "'unsafe-inline'")
        .font_src("'self'", "data:")
        .img_src("'self'", "data:")
        .worker_src("'self'", "blob:")
        .object_src("'none'")
        .base_uri("'none'")
        .form_action("'self'")
        .frame_ancestors("'none'")
    )


def _mail_preview_csp() -> ContentSecurityPolicy:
    """An email as a debtor's client shows it (the demo mailbox): its inline styles, nothing
    it could load or run, framed only by our own mailbox page."""
    return (
        ContentSecurityPolicy()
        .default_src("'none'")
        .style_src("'unsafe-inline'")
        .img_src("data:")
        .base_uri("'none'")
        .form_action("'none'")
        .frame_ancestors("'self'")
        .sandbox("allow-popups", "allow-popups-to-escape-sandbox")
    )


def _dashboard_csp() -> ContentSecurityPolicy:
    """No inline script at all; Plotly's empty rule sheet and the stylesheets its bundle
    carries, by hash; images also from data: URLs (Plotly draws a chart into one to save it
    as a PNG, and probes the browser with one)."""
    from web.dashboard import carried_styles

    return _page_csp([], [EMPTY_STYLE, *carried_styles()], [], ["'none'"]).img_src("'self'", "data:")


def policies(settings: Settings) -> dict[str, Secure]:
    """The `Secure` policy of each kind of path: `web_chat`, `checkout`, `docs`, `mail_preview`,
    `dashboard`, `default`."""
    scripts, styles = inline_hashes()
    return {
        "web_chat": _secure(settings, _page_csp(scripts, styles, [], _embedders(settings)), never_framed=False),
        "checkout": _secure(settings, _page_csp(scripts, styles, [STRIPE_CHECKOUT], ["'none'"]), never_framed=True),
        "docs": _secure(settings, _docs_csp(), never_framed=True),
        "mail_preview": _secure(settings, _mail_preview_csp(), never_framed=False),
        "dashboard": _secure(settings, _dashboard_csp(), never_framed=True),
        "default": _secure(settings, _page_csp(scripts, styles, [], ["'none'"]), never_framed=True),
    }


def policy_for(path: str) -> str:
    if path == "/":
        return "web_chat"
    if path in DOCS_PAGES:
        return "docs"
    if path.startswith(CHECKOUT_PAGES):
        return "checkout"
    if path.startswith("/mailbox/") and path.endswith("/html"):
        return "mail_preview"
    if path == DASHBOARD or path.startswith(DASHBOARD + "/"):
        return "dashboard"
    return "default"


class SecurityHeaders:
    """Sets, on every HTTP response, the headers of the policy its path falls under."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.by_policy = {name: SecureASGIMiddleware(app, secure=s) for name, s in policies(settings).items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.by_policy[policy_for(scope["path"])](scope, receive, send)


class DocsGuard:
    """Outside the demo, /docs, /redoc and /openapi.json answer only a request that carries the
    admin API key (`Authorization: Bearer ...`); anyone else gets the 404 of a missing page."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.open = settings.amicable_demo
        self.key = settings.amicable_api_key

    def _admin(self, scope: Scope) -> bool:
        scheme, _, given = Headers(scope=scope).get("authorization", "").partition(" ")
        given = given.strip()
        return bool(
            self.key
            and scheme.lower() == "bearer"
            and given
            and secrets.compare_digest(given.encode(), self.key.encode())
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.open and scope["path"] in DOCS_PATHS and not self._admin(scope):
            await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)
