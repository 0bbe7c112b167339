"""The accounts, account and outreach pages (web/accounts.py) on SQLite and PostgreSQL: the
sign-in they need, an operator of a creditor held to that creditor (another's file is a 404),
filters that narrow the list as the API's do, paging by cursor, the CSV the API's export, the
timeline in the operator's language, the plan read-only."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amicable.db.migrate import upgrade
from amicable.db.models import (
    Account,
    ContactEvent,
    Conversation,
    Message,
    OutreachContact,
    Promise,
)
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.services import agents
from amicable.services.accounts import upsert_account
from amicable.services.shapes import AccountIn
from amicable.settings import Settings
from server.app import create_app
from tests.conftest import ACTIONS_KEY, API_KEY, AUTH, LINK_SECRET, copy_policies
from tests.factories import account_body
from web import accounts_texts

PASSWORD = "correct horse battery staple"
AGENCY = "boss@agency.example"
OPERATOR = "ops@polder.example"
BULK = 22
_numbers = count()


def _invoice(number: str, amount: str, due_in_days: int) -> dict:
    due = date.today() + timedelta(days=due_in_days)
    return {
        "number": number,
        "amount": amount,
        "currency": "EUR",
        "issued_on": (due - timedelta(days=30)).isoformat(),
        "due_on": due.isoformat(),
    }


def _body(reference: str, creditor: str, name: str, country: str, language: str, phone: str, invoices=None) -> dict:  # type: ignore[no-untyped-def]
    body = account_body(reference, name=name, country=country, language=language, phone=phone)
    body["creditor"] = creditor
    body["debtor"]["email"] = f"{reference.lower().replace('/', '-')}@example.com"
    if invoices is not None:
        body["invoices"] = invoices
    return body


def seed(session: Session) -> None:
    """Five files worth telling apart, 22 more for paging, an agency supervisor and an operator
    of Polder Telecom; BW-1 with a conversation, a promise, a reminder sent in an A/B test, a
    blocked one and a log line.

        BW-1            Brightwater  BE en  120.50  overdue 10 days (84.20), 36.30 due in 5
        BW-2            Brightwater  NL nl  500.00  overdue 60 days
        BW-3            Brightwater  FR fr   30.00  due in 20 days (open)
        FAC/2025/00123  Brightwater  BE nl   45.00  overdue 3 days
        PT-1            Polder       NL nl   75.00  overdue 40 days
        BULK-01..22     Bulk Energy  LU en   10.00  overdue 1 day
    """
    rows = [
        _body("BW-1", "Brightwater Energy", "Sam Peeters", "BE", "en", "+32470123456"),
        _body(
            "BW-2", "Brightwater Energy", "Lotte de Vries", "NL", "nl", "+31612345678", [_invoice("N1", "500.00", -60)]
        ),
        _body(
            "BW-3", "Brightwater Energy", "Camille Dubois", "FR", "fr", "+33612345678", [_invoice("F1", "30.00", 20)]
        ),
        _body(
            "FAC/2025/00123",
            "Brightwater Energy",
            "Jan Janssens",
            "BE",
            "nl",
            "+32470999888",
            [_invoice("J1", "45.00", -3)],
        ),
        _body("PT-1", "Polder Telecom", "Piet Polder", "NL", "nl", "+31687654321", [_invoice("P1", "75.00", -40)]),
    ]
    rows += [
        _body(f"BULK-{n:02}", "Bulk Energy", f"Bulk {n}", "LU", "en", f"+35269100{n:04}", [_invoice("B", "10.00", -1)])
        for n in range(1, BULK + 1)
    ]
    for row in rows:
        upsert_account(session, AccountIn.model_validate(row))
    session.flush()
    account = session.scalar(select(Account).where(Account.reference == "BW-1"))
    assert account is not None
    moment = datetime.now(UTC) - timedelta(days=2)
    conversation = Conversation(id="sms-bw1", channel="sms", account=account, verified=True, created_at=moment)
    session.add(conversation)
    session.flush()
    session.add_all(
        [
            Message(conversation=conversation, author="debtor", text="Can I pay next week?", created_at=moment),
            Message(
                conversation=conversation,
                author="bot",
                text="Yes: when exactly?",
                created_at=moment + timedelta(minutes=1),
            ),
            Promise(
                account=account, amount=Decimal("120.50"), due_on=date.today() + timedelta(days=7), created_at=moment
            ),
            ContactEvent(
                account=account, channel="sms", kind="promise", detail="120.50 by next week", created_at=moment
            ),
            OutreachContact(
                account=account,
                cycle=date.today() - timedelta(days=10),
                step="reminder",
                status="blocked",
                channel="sms",
                template="reminder",
                tone="neutral",
                send_at=moment - timedelta(days=1),
                rule="quiet_hours_exhausted",
                reason="no hour left today inside the law's window",
            ),
            # In an A/B test: Brightwater's, which Polder Telecom's operator must not see.
            OutreachContact(
                account=account,
                cycle=date.today() - timedelta(days=10),
                step="nudge",
                status="sent",
                channel="sms",
                template="nudge",
                tone="warm",
                variant="reminder-tone:warm",
                send_at=moment - timedelta(days=3),
                sent_at=moment - timedelta(days=3),
                text="A friendly reminder.",
            ),
        ]
    )
    agents.create_agent(session, AGENCY, "Bea", "supervisor", PASSWORD)
    agents.create_agent(session, OPERATOR, "Olaf", "agent", PASSWORD, creditor="Polder Telecom")


def settings_for(url: str, policies: Path) -> Settings:
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
    )


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The app on a seeded database, once per module and database, without its start-up (the
    language models the conversations need take half a minute these pages do not)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('accounts-pages') / 'pages.db'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"pages{next(_numbers)}_{int(time.time())}")
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        seed(session)
    engine.dispose()
    application = create_app(settings_for(url, copy_policies(tmp_path_factory.mktemp("accounts-policies"))))
    yield application
    application.state.engine.dispose()


def _signed_in(application, email: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(application)
    response = client.post("/agent/api/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture(scope="module")
def agency(app) -> TestClient:  # type: ignore[no-untyped-def]
    return _signed_in(app, AGENCY)


@pytest.fixture(scope="module")
def operator(app) -> TestClient:  # type: ignore[no-untyped-def]
    return _signed_in(app, OPERATOR)


@pytest.fixture
def anonymous(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    yield TestClient(app)


ROW = re.compile(r'<th scope="row" data-label="[^"]*"><a href="/accounts/([^"?]+)\?')


def references(html: str) -> list[str]:
    """The accounts a list page shows, in order."""
    return [unquote(found) for found in ROW.findall(html)]


def listed(client: TestClient, **params: object) -> list[str]:
    response = client.get("/accounts", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return references(response.text)


BRIGHTWATER = ["BW-1", "BW-2", "BW-3", "FAC/2025/00123"]


def test_every_page_sends_a_stranger_to_the_sign_in(anonymous):
    for path in ("/accounts", "/accounts/BW-1", "/accounts/export.csv", "/outreach"):
        response = anonymous.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/agent"), path
    anonymous.cookies.set("amicable_agent", "forged")
    assert anonymous.get("/accounts", follow_redirects=False).status_code == 303


def test_the_agency_sees_every_creditor_and_the_filters_narrow_the_list(agency):
    everything = listed(agency)
    assert len(everything) == 5 + BULK and everything[:5] == ["BULK-01", "BULK-02", "BULK-03", "BULK-04", "BULK-05"]
    assert listed(agency, creditor="Brightwater Energy") == BRIGHTWATER
    assert listed(agency, country="NL") == ["BW-2", "PT-1"]
    assert listed(agency, country="be", language="nl") == ["FAC/2025/00123"]
    assert listed(agency, status="open") == ["BW-3"]
    assert listed(agency, status=["open", "overdue"], creditor="Brightwater Energy") == [
        "BW-2",
        "BW-3",
        "FAC/2025/00123",
    ]
    assert listed(agency, status="promised") == ["BW-1"]
    assert listed(agency, overdue_min_days=30) == ["BW-2", "PT-1"]
    assert listed(agency, balance_min="50", balance_max="120,50") == ["BW-1", "PT-1"]
    assert listed(agency, q="lotte") == ["BW-2"]
    assert listed(agency, q="0470 99") == ["FAC/2025/00123"]
    assert listed(agency, sort="-balance", creditor="Brightwater Energy") == ["BW-2", "BW-1", "FAC/2025/00123", "BW-3"]
    page = agency.get("/accounts", params={"country": "NL"}).text
    assert "2 accounts match." in page and 'id="demo"' in page
    assert ">Clear the filters</a>" in page and "built-in method" not in page
    # The form shows what was asked: the box ticked, the country chosen.
    assert 'value="open" checked' in agency.get("/accounts", params={"status": "open"}).text
    assert '<option value="NL" selected>' in page


def test_the_same_filters_as_the_api(agency):
    for params in ({"country": "NL"}, {"status": "overdue", "sort": "-balance"}, {"q": "bulk 1", "limit": 100}):
        api = agency.get("/api/v1/accounts", params={"limit": 100, **params}, headers=AUTH).json()
        assert listed(agency, **params) == [item["reference"] for item in api["items"]], params


def test_paging_by_cursor(agency):
    first = agency.get("/accounts", params={"limit": 25, "sort": "-balance"})
    shown = references(first.text)
    assert len(shown) == 25 and shown[0] == "BW-2"
    found = re.search(r'href="/accounts\?([^"]+)" rel="next"', first.text)
    assert found is not None
    second = agency.get("/accounts?" + found.group(1).replace("&amp;", "&"))
    rest = references(second.text)
    assert len(rest) == 2 and not set(rest) & set(shown)
    assert 'rel="next"' not in second.text and "First page" in second.text


def test_what_is_not_understood_is_said_and_not_applied(agency):
    page = agency.get("/accounts", params={"balance_min": "lots", "status": "asleep", "country": "NL"})
    assert page.status_code == 200
    assert "Not understood and not applied: Status, Balance from." in page.text
    assert references(page.text) == ["BW-2", "PT-1"]
    wrong_cursor = agency.get("/accounts", params={"cursor": "not-a-cursor"})
    assert wrong_cursor.status_code == 200 and "Not understood and not applied: Next page." in wrong_cursor.text
    assert len(references(wrong_cursor.text)) == 5 + BULK


def test_an_operator_sees_their_creditor_only_whatever_the_url_asks(operator):
    assert listed(operator) == ["PT-1"]
    assert listed(operator, creditor="Brightwater Energy") == ["PT-1"]
    assert listed(operator, country="BE") == []
    page = operator.get("/accounts").text
    assert 'name="creditor"' not in page and "Olaf · Polder Telecom" in page
    assert operator.get("/accounts/PT-1").status_code == 200
    for reference in ("BW-1", "FAC/2025/00123", "NOPE-1"):
        missing = operator.get(f"/accounts/{reference}")
        assert missing.status_code == 404 and "not one you may see" in missing.text, reference
        assert "Sam Peeters" not in missing.text
    csv_text = operator.get("/accounts/export.csv", params={"creditor": "Brightwater Energy"}).text
    assert [line.split(",")[0] for line in csv_text.splitlines()[1:]] == ["PT-1"]
    plan = operator.get("/outreach").text
    assert "/accounts/PT-1?" in plan and "/accounts/BW-" not in plan and "/accounts/BULK-" not in plan
    assert "No A/B test has sent anything yet." in plan and "reminder-tone" not in plan


def test_the_csv_is_the_apis_export(agency):
    for params in ({}, {"country": "BE"}, {"status": "overdue", "sort": "-balance", "q": "bulk"}):
        mine = agency.get("/accounts/export.csv", params=params)
        api = agency.get("/api/v1/exports/accounts.csv", params=params, headers=AUTH)
        assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/csv")
        assert "attachment" in mine.headers["content-disposition"]
        assert mine.content == api.content, params
    assert agency.get("/accounts/export.csv", params={"balance_max": "x"}).status_code == 422


def test_the_account_page_with_its_timeline(agency):
    page = agency.get("/accounts/BW-1")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    # The pages' strict policy: our own scripts and styles only, never framed.
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    html = page.text
    assert "Account BW-1" in html and "€120.50" in html and "Sam Peeters" in html and "bw-1@example.com" in html
    assert html.count('<th scope="row" data-label="Number">') == 2
    for words in (
        "Can I pay next week?",
        "Yes: when exactly?",
        "The debtor wrote",
        "The assistant replied",
        "Outreach step reminder blocked (rule quiet_hours_exhausted)",
        "no hour left today inside the law&#39;s window",
        "Promise to pay €120.50",
        "Contact log: promise",
        "Conversation on SMS (identity confirmed)",
        "Invoice INV-1 issued: €84.20",
        "Outreach step nudge sent",
        "A friendly reminder.",
    ):
        assert words in html, words
    kinds = re.findall(r'data-kind="([a-z_]+)"', html)
    assert kinds[0] == "invoice_due" and kinds.index("message") < kinds.index("conversation")
    only_messages = re.findall(r'data-kind="([a-z_]+)"', agency.get("/accounts/BW-1", params={"show": "messages"}).text)
    assert set(only_messages) == {"message", "conversation", "contact"}
    # A reference with slashes has its page too.
    assert "Account FAC/2025/00123" in agency.get("/accounts/FAC/2025/00123").text


def test_the_pages_speak_the_operators_language(agency):
    french = agency.get("/accounts/BW-1", headers={"accept-language": "fr-BE,fr;q=0.9,en;q=0.5"}).text
    assert '<html lang="fr">' in french and "Dossier BW-1" in french and "120,50\xa0€" in french
    assert "Le débiteur a écrit" in french and "Étape de relance reminder bloquée" in french
    dutch = agency.get("/accounts", params={"lang": "nl", "country": "NL"}).text
    assert "2 dossiers voldoen." in dutch and "achterstallig" in dutch
    assert "Aanmaningsplan" in agency.get("/outreach", params={"lang": "nl"}).text


def test_each_page_marks_itself_and_only_itself_in_the_pages_list(agency):
    for path, current in (("/accounts", "/accounts"), ("/outreach", "/outreach"), ("/accounts/BW-1", None)):
        html = agency.get(path, params={"lang": "nl"}).text
        marked = re.findall(r'<a href="([^"?]+)\?lang=nl" aria-current="page">', html)
        assert marked == ([current] if current else []), (path, marked)
        assert html.count('<a href="/dashboard?lang=nl">') == 1 and '<a class="skip" href="#main">' in html


def test_every_language_has_every_word():
    english = set(accounts_texts.TEXTS["en"])
    for lang in accounts_texts.LANGUAGES:
        assert set(accounts_texts.TEXTS[lang]) == english, lang
        assert set(accounts_texts.STATUSES[lang]) == set(accounts_texts.STATUSES["en"]), lang
        assert set(accounts_texts.CHANNELS[lang]) == set(accounts_texts.CHANNELS["en"]), lang


def plan_decisions(html: str) -> list[str]:
    """The decision of each row of the plan's table."""
    table = re.search(r'<table class="list" id="plan">.*?</table>', html, re.DOTALL)
    return re.findall(r'class="status status-([a-z]+)"', table.group(0)) if table else []


def test_the_outreach_plan_is_shown_and_nothing_is_stored(app, agency):
    engine = make_engine(app.state.settings.database_url)

    def stored() -> int:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(func.count(OutreachContact.id))) or 0

    before = stored()
    page = agency.get("/outreach")
    assert page.status_code == 200
    html = page.text
    assert f"{5 + BULK} accounts planned." in html and 'id="demo"' in html
    assert all(f"/accounts/{reference}?" in html for reference in ("BW-1", "PT-1", "BULK-01"))
    ab = re.search(r'<table class="list" id="ab">.*?</table>', html, re.DOTALL)
    assert ab is not None and ">reminder-tone</th>" in ab.group(0) and ">warm</td>" in ab.group(0)
    only = agency.get("/outreach", params={"creditor": "Polder Telecom"}).text
    assert "1 account planned." in only and "/accounts/BW-1?" not in only
    assert "No A/B test has sent anything yet." in only
    skipped = plan_decisions(agency.get("/outreach", params={"action": "skip"}).text)
    assert skipped == ["skip"] * plan_decisions(html).count("skip") and skipped
    later = agency.get("/outreach", params={"at": "2031-06-02T10:00"})
    assert later.status_code == 200 and 'value="2031-06-02T10:00"' in later.text
    assert "Not understood" in agency.get("/outreach", params={"at": "someday"}).text
    assert stored() == before
    engine.dispose()
