"""Two doors: the agents' sign-in is throttled per account and per source before any argon2
work, and every response carries the security headers (CSP, framing, nosniff, referrer,
HSTS over https), with the agent cookie Secure and the API docs closed outside the demo."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from amicable.db.session import transaction
from amicable.ratelimit import LOGIN_PER_ACCOUNT, LOGIN_PER_SOURCE
from amicable.services import agents
from server.app import create_app
from server.security_headers import STATIC
from tests.conftest import API_KEY

PASSWORD = "correct horse battery staple"
LOGIN = "/agent/api/login"


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every hash argon2 is asked to verify a password against, in order."""
    seen: list[str] = []
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, hash_: str, password: str) -> bool:
        seen.append(hash_)
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)  # instances have __slots__
    return seen


def _agent(app, email: str) -> str:
    with transaction(app.state.sessionmaker) as session:
        return agents.create_agent(session, email, email.split("@")[0].title(), "agent", PASSWORD).password_hash


def _login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(LOGIN, json={"email": email, "password": password})


def _from(client: TestClient, host: str) -> TestClient:
    """The same app, reached from another address."""
    return TestClient(client.app, client=(host, 40000))


def _assert_calm_429(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60
    assert "please wait" in response.json()["detail"]


# ------------------------------------------------------------------------------ sign-in


def test_wrong_passwords_end_in_429_and_then_no_password_is_hashed(client, verifications):
    _agent(client.app, "ana@example.com")
    limit = LOGIN_PER_ACCOUNT.item.amount
    for _ in range(limit):
        assert _login(client, "ana@example.com", "guess").status_code == 401
    assert len(verifications) == limit
    # Over the limit, the same e-mail however written: refused, calmly, without argon2.
    _assert_calm_429(_login(client, "  Ana@Example.com ", "guess"))
    _assert_calm_429(_login(client, "ana@example.com", PASSWORD))
    assert len(verifications) == limit
    assert client.get("/agent/api/me").status_code == 401


def test_unknown_addresses_cost_and_count_as_known_ones_do(client, verifications):
    stored = _agent(client.app, "ana@example.com")
    limit = LOGIN_PER_ACCOUNT.item.amount
    for email in ("ana@example.com", "nobody@example.com"):
        answers = [_login(client, email, "guess") for _ in range(limit)]
        assert {r.status_code for r in answers} == {401}
        _assert_calm_429(_login(client, email, "guess"))
    assert len(verifications) == 2 * limit
    # One argon2 check each, with the same parameters (memory, time, lanes) for both.
    params = {re.sub(r"\$[^$]*\$[^$]*$", "", h) for h in verifications}
    assert params == {re.sub(r"\$[^$]*\$[^$]*$", "", stored)}
    assert stored in verifications and any(h != stored for h in verifications)


def test_signing_in_neither_counts_nor_clears_the_failures(client):
    _agent(client.app, "ana@example.com")
    limit = LOGIN_PER_ACCOUNT.item.amount
    for _ in range(limit - 1):
        assert _login(client, "ana@example.com", "guess").status_code == 401
    for _ in range(limit):  # the owner signs in, again and again: never locked out by that
        assert _login(client, "ana@example.com").status_code == 200
    assert _login(client, "ana@example.com", "guess").status_code == 401  # the failures still stand
    _assert_calm_429(_login(client, "ana@example.com"))


def test_a_flooding_source_is_refused_but_others_still_sign_in(client):
    _agent(client.app, "ana@example.com")
    _agent(client.app, "bo@example.com")
    attempts = [_login(client, f"guess{i}@example.com", "guess") for i in range(LOGIN_PER_SOURCE.item.amount)]
    assert {r.status_code for r in attempts} == {401}
    # This address has had its share, whatever the account; another address has not.
    _assert_calm_429(_login(client, "bo@example.com"))
    elsewhere = _from(client, "203.0.113.7")
    assert _login(elsewhere, "bo@example.com").status_code == 200
    assert elsewhere.get("/agent/api/me").json()["email"] == "bo@example.com"


def test_x_forwarded_for_does_not_buy_a_new_budget(client):
    for i in range(LOGIN_PER_SOURCE.item.amount):
        client.post(
            LOGIN, json={"email": f"g{i}@example.com", "password": "x"}, headers={"X-Forwarded-For": f"10.0.0.{i}"}
        )
    response = client.post(
        LOGIN, json={"email": "new@example.com", "password": "x"}, headers={"X-Forwarded-For": "10.9.9.9"}
    )
    _assert_calm_429(response)


def test_a_login_flood_is_refused_quickly_and_other_routes_keep_answering(settings, verifications):
    app = create_app(settings)
    flood = 50

    async def attack() -> tuple[list[tuple[int, float]], httpx.Response, float]:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as http:

            async def one(i: int) -> tuple[int, float]:
                started = time.monotonic()
                response = await http.post(LOGIN, json={"email": f"who{i}@example.com", "password": "guess"})
                return response.status_code, time.monotonic() - started

            logins = [asyncio.create_task(one(i)) for i in range(flood)]
            await asyncio.sleep(0.05)
            started = time.monotonic()
            health = await http.get("/health")
            health_seconds = time.monotonic() - started
            return await asyncio.gather(*logins), health, health_seconds

    # A loop of its own, in a thread: a session's browser (Playwright) may hold this thread's.
    with ThreadPoolExecutor(1) as thread:
        results, health, health_seconds = thread.submit(asyncio.run, attack()).result()
    budget = LOGIN_PER_SOURCE.item.amount
    # Only this address's budget reached argon2; everything else was refused before hashing.
    assert len(verifications) == budget
    assert sorted(status for status, _ in results) == [401] * budget + [429] * (flood - budget)
    assert health.status_code == 200 and health_seconds < 5
    assert max(seconds for status, seconds in results if status == 429) < 5


def test_the_throttle_is_shared_through_redis(settings, redis_server, verifications):
    shared = settings.model_copy(update={"redis_url": redis_server.url})
    first, second = (TestClient(create_app(shared)) for _ in range(2))
    first.app.state.throttle.reset()
    _agent(first.app, "ana@example.com")
    for _ in range(LOGIN_PER_ACCOUNT.item.amount):
        assert _login(first, "ana@example.com", "guess").status_code == 401
    # Another web process, the same count.
    _assert_calm_429(_login(second, "ana@example.com", "guess"))
    assert len(verifications) == LOGIN_PER_ACCOUNT.item.amount
    first.app.state.throttle.reset()


# ------------------------------------------------------------------------------ headers


def _production(settings, **changes):
    """Settings that pass production's start-up checks."""
    return settings.model_copy(
        update={
            "amicable_demo": False,
            "amicable_api_key": API_KEY + "-production-only",
            "amicable_actions_key": "actions-key-for-production-0123",
            "amicable_link_secret": "link-secret-for-production-0123",
            "stripe_api_key": "sk_test_not_used_here",
            "rasa_token": "rasa-token-for-production-0123",
            **changes,
        }
    )


def _csp(response: httpx.Response) -> dict[str, list[str]]:
    directives = [d.split() for d in response.headers["content-security-policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def _inline_hashes(page: str) -> set[str]:
    html = (STATIC / page).read_text(encoding="utf-8")
    bodies = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    return {f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies}


@pytest.mark.parametrize(
    "path", ["/agent", "/pay/pl_unknown", "/plans/pl_unknown/autopay", "/health", "/api/v1/accounts"]
)
def test_pages_of_ours_may_not_be_framed_and_run_only_our_scripts(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and response.headers["x-frame-options"] == "DENY"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # http here: see the https test


def test_the_console_and_web_chat_scripts_are_allowed_by_their_hash(client):
    assert _inline_hashes("agent.html") <= set(_csp(client.get("/agent"))["script-src"])
    assert _inline_hashes("index.html") <= set(_csp(client.get("/"))["script-src"])


def test_the_web_chat_stays_embeddable(client, settings):
    page = client.get("/")
    assert page.status_code == 200
    assert "x-frame-options" not in page.headers
    assert _csp(page)["frame-ancestors"] == ["*"]  # CORS_ORIGINS is * in the tests
    assert page.headers["x-content-type-options"] == "nosniff"
    widget = client.get("/static/widget.js", headers={"Origin": "https://creditor.example"})
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    assert widget.headers["x-content-type-options"] == "nosniff"
    assert "cross-origin-resource-policy" not in widget.headers  # a <script> on another site
    only = settings.model_copy(update={"cors_origins": "https://creditor.example, https://other.example"})
    with TestClient(create_app(only)) as restricted:
        framed_by = _csp(restricted.get("/"))["frame-ancestors"]
    assert framed_by == ["https://creditor.example", "https://other.example"]


def test_pay_and_autopay_forms_may_go_on_to_stripe_checkout_only(client):
    assert _csp(client.get("/pay/pl_unknown"))["form-action"] == ["'self'", "https://checkout.stripe.com"]
    assert _csp(client.get("/agent"))["form-action"] == ["'self'"]


def test_hsts_when_the_public_address_is_https(settings):
    with TestClient(create_app(settings.model_copy(update={"public_base_url": "https://pay.example"}))) as client:
        for path in ("/", "/agent", "/health"):
            hsts = client.get(path).headers["strict-transport-security"]
            assert int(re.fullmatch(r"max-age=(\d+).*", hsts).group(1)) >= 180 * 24 * 3600


def test_the_agent_cookie_is_secure_except_in_the_demo_on_plain_http(settings):
    made = iter(range(10))

    def cookie(configured) -> str:
        email = f"agent{next(made)}@example.com"  # one database for all four
        with TestClient(create_app(configured)) as client:
            _agent(client.app, email)
            return _login(client, email).headers["set-cookie"].lower()

    demo_http = cookie(settings.model_copy(update={"public_base_url": "http://localhost:8000"}))
    demo_https = cookie(settings.model_copy(update={"public_base_url": "https://amicable.example"}))
    production_http = cookie(_production(settings, public_base_url="http://amicable.internal"))
    production_https = cookie(_production(settings, public_base_url="https://amicable.example"))
    for value in (demo_http, demo_https, production_http, production_https):
        assert "httponly" in value and "samesite=strict" in value and "path=/;" in value + ";"
    assert "; secure" not in demo_http
    assert all("; secure" in value for value in (demo_https, production_http, production_https))


def test_docs_are_open_in_the_demo_with_their_own_policy(client):
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 200, path
    page = client.get("/docs")
    csp = _csp(page)
    # Swagger UI and ReDoc come from our origin: nothing from a CDN is allowed or asked for.
    assert all("http" not in source for sources in csp.values() for source in sources), csp
    assert "cdn.jsdelivr" not in page.text and "cdn.jsdelivr" not in client.get("/redoc").text
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200
    assert csp["frame-ancestors"] == ["'none'"]


def test_docs_answer_only_the_admin_key_outside_the_demo(settings):
    production = _production(settings)
    with TestClient(create_app(production)) as client:
        for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
            assert client.get(path).status_code == 404, path
            wrong = client.get(path, headers={"Authorization": "Bearer not-the-key"})
            assert wrong.status_code == 404, path
            actions = client.get(path, headers={"Authorization": f"Bearer {production.amicable_actions_key}"})
            assert actions.status_code == 404, path
        admin = {"Authorization": f"Bearer {production.amicable_api_key}"}
        assert client.get("/openapi.json", headers=admin).json()["info"]["title"] == "Amicable"
        assert client.get("/docs", headers=admin).status_code == 200
        assert client.get("/health").status_code == 200
