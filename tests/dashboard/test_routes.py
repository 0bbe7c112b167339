"""The dashboard's routes on the seeded portfolio (tests/dashboard/portfolio.py): who may see
what, the operator's creditor imposed whatever the URL asks, the CSV the same numbers as the
JSON, the operator's language, and Plotly served from the installed package."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from amicable.settings import Settings
from server.app import create_app
from server.security_headers import EMPTY_STYLE
from tests.conftest import ACTIONS_KEY, API_KEY, LINK_SECRET, copy_policies
from tests.dashboard.portfolio import AGENCY, OPERATOR_A, OPERATOR_B, PASSWORD, Seeded

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}


def _settings(url: str, policies: Path, **changes: object) -> Settings:
    return Settings(
        policies_dir=policies,
        amicable_api_key=API_KEY,
        amicable_actions_key=ACTIONS_KEY,
        amicable_link_secret=LINK_SECRET,
        amicable_demo=True,
        database_url=url,
        public_base_url="http://testserver",
        rate_limits={"api-key": "1000000/minute"},  # one app for the module's many requests
        _env_file=None,
    ).model_copy(update=changes)


@pytest.fixture(scope="module")
def app(portfolio: tuple[str, Seeded], tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app without its start-up (no `with`): the start-up only loads the language models
    the conversations need, half a minute the dashboard does not."""
    policies = copy_policies(tmp_path_factory.mktemp("dashboard-policies"))
    application = create_app(_settings(portfolio[0], policies))
    yield TestClient(application)
    application.state.engine.dispose()


@pytest.fixture
def as_(app: TestClient):  # type: ignore[no-untyped-def]
    """Sign in as someone (the console's sign-in), returning the client with their cookie."""

    def sign_in(email: str) -> TestClient:
        app.cookies.clear()
        response = app.post("/agent/api/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return app

    yield sign_in
    app.cookies.clear()


def _nets(client: TestClient, **params: object) -> list[tuple[str, str, str]]:
    rows = client.get("/dashboard/data", params={**PERIOD, **params}).json()["figures"]["collected"]["rows"]
    return [(r["period"], r["currency"], r["net"]) for r in rows]


def test_without_signing_in_the_page_sends_to_the_sign_in_and_the_data_is_refused(app):
    app.cookies.clear()
    page = app.get("/dashboard", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/agent"
    assert app.get("/dashboard/data").status_code == 401
    assert app.get("/dashboard/collected.csv").status_code == 401
    app.cookies.set("amicable_agent", "forged")
    assert app.get("/dashboard/data").status_code == 401


def test_an_operator_sees_their_creditor_only_whatever_the_url_asks(as_, ids):
    mine = [("2026-01-01", "EUR", "100.00"), ("2026-02-01", "EUR", "30.00"), ("2026-03-01", "EUR", "170.00")]
    mine.append(("2026-03-01", "GBP", "80.00"))
    client = as_(OPERATOR_A)
    assert _nets(client) == mine
    assert _nets(client, creditor=ids.b) == mine
    data = client.get("/dashboard/data", params={**PERIOD, "creditor": ids.b}).json()
    assert data["filters"]["creditor"] == ids.a
    assert [r["variant"] for r in data["figures"]["ab_tests"]["rows"]] == ["warm"]
    page = client.get("/dashboard", params={**PERIOD, "creditor": ids.b}).text
    assert "Polder Telecom" not in page and "reminder-tone:neutral" not in page
    assert 'name="creditor"' not in page  # no creditor to choose
    client = as_(OPERATOR_B)
    assert _nets(client, creditor=ids.a) == [("2026-01-01", "EUR", "200.00")]
    csv_text = client.get("/dashboard/reasons.csv", params={**PERIOD, "creditor": ids.a}).text
    assert "income_loss" not in csv_text and "forgot" in csv_text


def test_the_agency_sees_every_creditor_or_the_one_it_chooses(as_, ids):
    client = as_(AGENCY)
    assert _nets(client)[0] == ("2026-01-01", "EUR", "300.00")
    assert _nets(client, creditor=ids.b) == [("2026-01-01", "EUR", "200.00")]
    page = client.get("/dashboard", params=PERIOD).text
    assert 'name="creditor"' in page and "Polder Telecom" in page and "Brightwater Energy" in page


def test_the_csv_is_the_table_of_the_json(as_, ids):
    client = as_(AGENCY)
    params = {**PERIOD, "creditor": ids.a}
    data = client.get("/dashboard/data", params=params).json()["figures"]
    for name, figure in data.items():
        response = client.get(f"/dashboard/{name}.csv", params=params)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv"), name
        assert (
            "attachment" in response.headers["content-disposition"] and response.headers["cache-control"] == "no-store"
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == len(figure["rows"]) + 1, name
    rows = list(
        csv.DictReader(io.StringIO(client.get("/dashboard/collected.csv", params=params).text.lstrip("\ufeff")))
    )
    assert [(r["period (YYYY-MM-DD, first day)"], r["currency"], r["net (decimal point)"]) for r in rows] == [
        ("2026-01-01", "EUR", "100.00"),
        ("2026-02-01", "EUR", "30.00"),
        ("2026-03-01", "EUR", "170.00"),
        ("2026-03-01", "GBP", "80.00"),
    ]
    ab = list(csv.DictReader(io.StringIO(client.get("/dashboard/ab_tests.csv", params=params).text.lstrip("\ufeff"))))
    assert ab[0]["variant"] == "warm" and float(ab[0]["payment_ci_low (0-1)"]) == pytest.approx(0.2065, abs=1e-4)
    assert client.get("/dashboard/nothing.csv", params=params).status_code == 404


def test_filters_narrow_the_figures_and_bad_ones_are_refused(as_, ids):
    client = as_(OPERATOR_A)
    assert _nets(client, language="fr") == [("2026-02-01", "EUR", "30.00"), ("2026-03-01", "EUR", "170.00")]
    assert _nets(client, channel="sms") == [("2026-01-01", "EUR", "100.00")]
    assert _nets(client, by="week")[0] == ("2026-01-05", "EUR", "100.00")
    figures = client.get("/dashboard/data", params={**PERIOD, "days": 40}).json()["figures"]
    assert figures["first_message"]["rows"][0] == {
        "channel": "email",
        "accounts": 1,
        "paid_any": 1,
        "paid_any_rate": 1.0,
        "paid_in_full": 1,
        "paid_in_full_rate": 1.0,
    }
    # The period, swapped when given backwards; cleared: all time (B's January is still there).
    assert _nets(client, **{"from": "2026-03-31", "to": "2026-01-01"})[0] == ("2026-01-01", "EUR", "100.00")
    assert len(_nets(client, **{"from": "", "to": ""})) == 4
    # A period with nothing in it: every figure says so, no chart is drawn.
    empty = client.get("/dashboard", params={"from": "2027-01-01", "to": "2027-01-31"}).text
    assert empty.count("No data for these filters.") == 12 and 'id="plots">{}<' in empty
    for bad in ({"from": "yesterday"}, {"days": "0"}, {"days": "many"}, {"by": "year"}, {"channel": "x" * 81}):
        assert client.get("/dashboard/data", params=bad).status_code == 422, bad


def test_the_page_in_the_operators_language(as_, ids):
    client = as_(OPERATOR_A)
    french = client.get("/dashboard", params={**PERIOD, "lang": "fr"})
    assert french.status_code == 200 and '<html lang="fr">' in french.text
    assert "Résultats" in french.text and "Perte de revenus" in french.text
    dutch = client.get("/dashboard", params=PERIOD, headers={"Accept-Language": "de-DE, nl;q=0.8, en;q=0.5"})
    assert '<html lang="nl">' in dutch.text and "Inkomen verloren" in dutch.text
    plot = client.get("/dashboard/data", params={**PERIOD, "lang": "fr"}).json()["figures"]["reasons"]["plot"]
    assert plot["data"][0]["y"] == ["Perte de revenus", "Fin de mois difficile", "Oubli"]
    assert plot["data"][0]["x"] == [2, 1, 1]
    # Numbers as the language writes them: "100,00 €" in Belgian French.
    assert "100,00\xa0€" in french.text
    spaced = client.get("/dashboard", params=PERIOD, headers={"Accept-Language": "en; q=0.2, fr-BE ; q=0.9"}).text
    assert '<html lang="fr">' in spaced
    english = client.get("/dashboard", params=PERIOD, headers={"Accept-Language": "es"}).text
    assert '<html lang="en">' in english and "Lost income" in english


def test_the_page_says_demo_in_the_demo_and_holds_its_charts(as_):
    page = as_(AGENCY).get("/dashboard", params=PERIOD)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'id="demo"' in page.text and "Demo" in page.text
    assert '<script type="application/json" id="plots">' in page.text
    assert 'src="/dashboard/plotly.min.js?v=6.5.0"' in page.text
    assert "cdn" not in page.text.lower()


def test_outside_the_demo_no_demo_banner(portfolio, tmp_path):
    settings = _settings(
        portfolio[0],
        copy_policies(tmp_path / "policies"),
        amicable_demo=False,
        amicable_api_key=API_KEY + "-production-only",
        amicable_actions_key="actions-key-for-production-0123",
        amicable_link_secret="link-secret-for-production-0123",
        stripe_api_key="sk_test_not_used_here",
        stripe_webhook_secret="whsec_test_0123456789",
        rasa_token="rasa-token-for-production-0123",
        public_base_url="https://amicable.example",
    )
    application = create_app(settings)
    client = TestClient(application, base_url="https://testserver")
    client.post("/agent/api/login", json={"email": AGENCY, "password": PASSWORD}).raise_for_status()
    page = client.get("/dashboard", params=PERIOD)
    application.state.engine.dispose()
    assert page.status_code == 200 and 'id="demo"' not in page.text


def test_plotly_comes_from_the_installed_package_cached_for_a_year(app):
    app.cookies.clear()
    script = app.get("/dashboard/plotly.min.js?v=6.5.0", headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "max-age=31536000" in script.headers["cache-control"] and "immutable" in script.headers["cache-control"]
    assert script.headers["content-encoding"] == "gzip"
    assert script.text.startswith("/**\n* plotly.js v3.")  # httpx has unzipped it
    raw = app.get("/dashboard/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and raw.content == script.content
    assert int(script.headers["content-length"]) < len(raw.content) / 2


def test_the_page_runs_only_our_scripts(as_):
    response = as_(AGENCY).get("/dashboard", params=PERIOD)
    directives = dict(
        (d.split()[0], d.split()[1:]) for d in response.headers["content-security-policy"].split(";") if d.strip()
    )
    assert directives["script-src"] == ["'self'"]  # no inline script at all on this page
    assert "'unsafe-inline'" not in directives["style-src"]
    # Plotly writes its own rules through an empty <style> element (CSSOM, which CSP allows):
    # only the empty element's hash is added, on this page only.
    assert EMPTY_STYLE in directives["style-src"]
    assert response.headers["x-frame-options"] == "DENY"
