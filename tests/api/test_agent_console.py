"""The agent console's rules: hashed passwords and expiring sessions, who may open what,
replies on the debtor's channel, notes, outcomes, and handing back to the bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amicable.db.models import Agent
from amicable.db.session import transaction
from amicable.services import agents, conversations, link_tokens
from tests.conftest import AUTH, LINK_SECRET
from tests.factories import account_body, verify

CSRF = {"X-Requested-With": "amicable"}
PASSWORD = "correct horse battery staple"
# A web conversation id as the server issues them (the public webhook takes no other kind).
WEB = link_tokens.issue_web_id(LINK_SECRET)


def _agent(client, email: str, role: str = "agent") -> None:
    with transaction(client.app.state.sessionmaker) as session:
        agents.create_agent(session, email, email.split("@")[0].title(), role, PASSWORD)


def _login(client, email: str) -> None:
    response = client.post("/agent/api/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


def _handoff(client, conversation_id: str = WEB, verified: bool = True) -> None:
    """A web conversation that asked for a person (verified on ACC-1001 when asked)."""
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    if verified:
        verify(client, conversation_id)
    with transaction(client.app.state.sessionmaker) as session:
        conversation = conversations.get_or_create(session, conversation_id, "web")
        conversations.record_message(session, conversation, "debtor", "I want to talk to someone")
        conversations.hand_over(session, conversation, "request_human", "asked for a person after a plan")


def test_passwords_are_hashed_and_wrong_ones_refused_without_saying_which(client):
    _agent(client, "ana@example.com")
    with client.app.state.sessionmaker() as session:
        stored = session.query(Agent).one().password_hash
    assert stored.startswith("$argon2") and PASSWORD not in stored
    wrong = client.post("/agent/api/login", json={"email": "ana@example.com", "password": "nope"})
    unknown = client.post("/agent/api/login", json={"email": "who@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert client.get("/agent/api/queue").status_code == 401


def test_a_session_expires_after_idle_time_and_at_sign_out(client):
    _agent(client, "ana@example.com")
    with transaction(client.app.state.sessionmaker) as session:
        token = agents.sign_in(session, "ana@example.com", PASSWORD, throttle=None)
    with transaction(client.app.state.sessionmaker) as session:
        assert agents.agent_for(session, token) is not None
        later = datetime.now(UTC) + agents.IDLE + timedelta(minutes=1)
        assert agents.agent_for(session, token, later) is None
    _login(client, "ana@example.com")
    assert client.get("/agent/api/me").json()["role"] == "agent"
    client.post("/agent/api/logout", headers=CSRF)
    assert client.get("/agent/api/me").status_code == 401


def test_the_queue_shows_the_waiting_conversation_with_its_reason_and_summary(client):
    _agent(client, "ana@example.com")
    _handoff(client)
    _login(client, "ana@example.com")
    [row] = client.get("/agent/api/queue").json()
    assert (row["conversation_id"], row["reason"], row["account_reference"]) == (WEB, "request_human", "ACC-1001")
    assert row["summary"] == "asked for a person after a plan" and row["status"] == "waiting"
    opened = client.get(f"/agent/api/conversations/{WEB}").json()
    assert opened["messages"][0]["text"] == "I want to talk to someone"
    assert opened["account"]["balance"] == "120.50"


def test_changes_need_the_console_header(client):
    _agent(client, "ana@example.com")
    _handoff(client)
    _login(client, "ana@example.com")
    assert client.post(f"/agent/api/conversations/{WEB}/take").status_code == 403


def test_an_agent_replies_notes_records_a_promise_and_hands_back(client):
    _agent(client, "ana@example.com")
    _handoff(client)
    _login(client, "ana@example.com")
    url = f"/agent/api/conversations/{WEB}"
    assert client.post(f"{url}/take", headers=CSRF).json()["status"] == "active"
    sent = client.post(f"{url}/reply", json={"text": "Hello Sam, I'm Ana. How can I help?"}, headers=CSRF).json()
    assert sent == {"recorded": True, "delivered": True, "detail": "shown in the web chat"}
    # The web chat picks the reply up on its next poll.
    polled = client.get("/webhooks/rest/messages", params={"sender": WEB, "after": 0}).json()
    # The debtor is told a person joined (the creditor named: identity is confirmed here),
    # and each of the colleague's messages carries their name.
    assert [m["text"] for m in polled] == [
        "Ana from Brightwater Energy has joined the conversation. You are now talking with a person.",
        "Hello Sam, I'm Ana. How can I help?",
    ]
    assert {m["name"] for m in polled} == {"Ana"}
    # Taking it again announces nothing new.
    assert client.post(f"{url}/take", headers=CSRF).json()["announced"] is None
    # While a person holds it, the bot stays silent for that debtor.
    quiet = client.post("/webhooks/rest/webhook", json={"sender": WEB, "message": "thanks"}).json()
    assert "colleague has your conversation" in quiet[0]["text"]
    client.post(f"{url}/notes", json={"text": "Lost her job in October; call after the 25th"}, headers=CSRF)
    due = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    recorded = client.post(f"{url}/outcome", json={"kind": "promise", "due_on": due}, headers=CSRF)
    assert recorded.status_code == 201, recorded.text
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["promises"][0]["due_on"] == due
    assert client.get(url).json()["notes"][0]["text"].startswith("Lost her job")
    assert client.post(f"{url}/release", headers=CSRF).json() == {"handled_by": "bot"}
    assert client.get("/agent/api/queue").json() == []
    last = client.get("/webhooks/rest/messages", params={"sender": WEB, "after": polled[-1]["id"]}).json()
    assert [m["text"] for m in last] == ["Ana has left the conversation; the assistant answers again."]


def test_an_agent_cannot_open_a_colleagues_conversation_but_a_supervisor_can(client):
    _agent(client, "ana@example.com")
    _agent(client, "bo@example.com")
    _agent(client, "sue@example.com", role="supervisor")
    _handoff(client)
    _login(client, "ana@example.com")
    client.post(f"/agent/api/conversations/{WEB}/take", headers=CSRF)
    client.cookies.clear()
    _login(client, "bo@example.com")
    assert client.get("/agent/api/queue").json() == []
    assert client.get(f"/agent/api/conversations/{WEB}").status_code == 403
    client.cookies.clear()
    _login(client, "sue@example.com")
    assert client.get(f"/agent/api/conversations/{WEB}").status_code == 200


def test_outcomes_need_a_confirmed_identity(client):
    _agent(client, "ana@example.com")
    _handoff(client, "web-unverified", verified=False)
    _login(client, "ana@example.com")
    client.post("/agent/api/conversations/web-unverified/take", headers=CSRF)
    refused = client.post("/agent/api/conversations/web-unverified/outcome", json={"kind": "dispute"}, headers=CSRF)
    assert refused.status_code == 409 and "identity" in refused.json()["detail"]


@pytest.mark.parametrize("bad", [{"email": "x@y.z", "password": "short"}, {"role": "admin"}])
def test_agents_are_created_only_with_a_long_password_and_a_known_role(client, bad):
    with pytest.raises(Exception, match="12 characters|role"), transaction(client.app.state.sessionmaker) as session:
        agents.create_agent(
            session, bad.get("email", "a@b.c"), "A", bad.get("role", "agent"), bad.get("password", PASSWORD)
        )


def test_replies_reach_sms_through_twilio_and_whatsapp_only_inside_its_window(settings):
    from fastapi.testclient import TestClient

    from amicable.db.models import Message
    from server.app import create_app
    from tests.conftest import TWILIO_SID, TWILIO_TOKEN
    from tests.fakes.twilio_api import FakeTwilio

    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as fake:
        configured = settings.model_copy(
            update={"twilio_account_sid": TWILIO_SID, "twilio_from_number": "+3228080000", "twilio_api_base": fake.url}
        )
        with TestClient(create_app(configured)) as client:
            _agent(client, "ana@example.com")
            with transaction(client.app.state.sessionmaker) as session:
                for channel in ("sms", "whatsapp"):
                    conversation = conversations.get_or_create(
                        session, f"{channel}:+32470123456", channel, "+32470123456"
                    )
                    session.add(
                        Message(
                            conversation=conversation,
                            author="debtor",
                            text="help",
                            created_at=datetime.now(UTC) - timedelta(hours=30 if channel == "whatsapp" else 0),
                        )
                    )
                    conversations.hand_over(session, conversation, "request_human", "")
            _login(client, "ana@example.com")
            for channel in ("sms", "whatsapp"):
                client.post(f"/agent/api/conversations/{channel}:+32470123456/take", headers=CSRF)
            sms = client.post(
                "/agent/api/conversations/sms:+32470123456/reply", json={"text": "Hi, Ana here."}, headers=CSRF
            )
            assert sms.json()["delivered"] is True
            # The debtor is told a person joined (the creditor unnamed: nobody has proved who
            # they are yet), then reads the colleague's message under their name.
            joined, message = fake.messages
            assert joined["body"] == (
                "Ana from our team has joined the conversation. You are now talking with a person."
            )
            assert (message["to"], message["from"], message["body"]) == (
                "+32470123456",
                "+3228080000",
                "Ana: Hi, Ana here.",
            )
            late = client.post(
                "/agent/api/conversations/whatsapp:+32470123456/reply", json={"text": "Hi"}, headers=CSRF
            ).json()
            assert late["recorded"] is True and late["delivered"] is False and "24 hours" in late["detail"]
        # With an approved template configured, that is what goes instead of free text.
        with_template = configured.model_copy(update={"whatsapp_reopen_template_sid": "HX" + "0" * 32})
        with TestClient(create_app(with_template)) as client:
            _login(client, "ana@example.com")
            sent = client.post(
                "/agent/api/conversations/whatsapp:+32470123456/reply", json={"text": "Hi"}, headers=CSRF
            ).json()
            assert sent["delivered"] is True and "template" in sent["detail"]
            assert fake.messages[-1]["content_sid"] == "HX" + "0" * 32
            assert fake.messages[-1]["to"] == "whatsapp:+32470123456" and fake.messages[-1]["body"] == ""


def test_the_queue_reads_as_a_sentence_not_intent_names(client):
    _agent(client, "ana@example.com")
    _handoff(client)
    _login(client, "ana@example.com")
    [row] = client.get("/agent/api/queue").json()
    assert row["reason_label"][0].isupper() and "_" not in row["reason_label"]
    assert row["waiting_minutes"] >= 0 and isinstance(row["outcomes"], list)
    assert "identity_confirmed" in row["outcomes"]
    assert row["last_message"]


def test_a_supervisor_manages_the_team_in_the_console(client):
    _agent(client, "sue@example.com", role="supervisor")
    _agent(client, "ana@example.com")
    _login(client, "ana@example.com")
    assert client.get("/agent/api/agents").status_code == 403
    client.cookies.clear()
    _login(client, "sue@example.com")
    new = {"email": "Bo@Example.com", "name": "Bo Jansen", "role": "agent", "password": "a long first password"}
    made = client.post("/agent/api/agents", json=new, headers=CSRF)
    assert made.status_code == 201, made.text
    assert made.json()["email"] == "bo@example.com" and "password" not in made.json()
    assert client.post("/agent/api/agents", json=new, headers=CSRF).status_code == 409
    short = client.post("/agent/api/agents", json={**new, "email": "x@example.com", "password": "short"}, headers=CSRF)
    assert short.status_code == 422
    team = {a["email"]: a for a in client.get("/agent/api/agents").json()}
    assert set(team) == {"sue@example.com", "ana@example.com", "bo@example.com"}
    # Bo signs in elsewhere; deactivated, his session ends at once.
    from fastapi.testclient import TestClient

    with TestClient(client.app) as bo:
        assert (
            bo.post("/agent/api/login", json={"email": "bo@example.com", "password": new["password"]}).status_code
            == 200
        )
        assert bo.get("/agent/api/me").status_code == 200
        bo_id = team["bo@example.com"]["id"]
        changed = client.patch(f"/agent/api/agents/{bo_id}", json={"active": False}, headers=CSRF)
        assert changed.status_code == 200 and changed.json()["active"] is False
        assert bo.get("/agent/api/me").status_code == 401
        assert (
            bo.post("/agent/api/login", json={"email": "bo@example.com", "password": new["password"]}).status_code
            == 401
        )
    promoted = client.patch(
        f"/agent/api/agents/{team['ana@example.com']['id']}", json={"role": "supervisor"}, headers=CSRF
    )
    assert promoted.json()["role"] == "supervisor"
    # Nobody locks the team out by removing their own access.
    own = client.patch(f"/agent/api/agents/{team['sue@example.com']['id']}", json={"active": False}, headers=CSRF)
    assert own.status_code == 409
    assert client.patch("/agent/api/agents/99999", json={"active": False}, headers=CSRF).status_code == 404
    # Changes need the console's header, like every other change.
    assert client.patch(f"/agent/api/agents/{bo_id}", json={"active": True}).status_code == 403


def test_the_console_is_told_when_its_queue_or_a_transcript_changes(client):
    """The server-sent stream: `changed` on a new hand-over and on a new message, `alive`
    otherwise, `ended` once the agent's access is removed."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from sqlalchemy import select

    from web.agent_console import changes

    _agent(client, "ana@example.com")
    factory = client.app.state.sessionmaker
    with transaction(factory) as session:
        ana = session.scalar(select(Agent).where(Agent.email == "ana@example.com")).id

    async def connected() -> bool:
        return False

    request = SimpleNamespace(app=client.app, is_disconnected=lambda: connected())

    async def run() -> list[str]:
        stream = changes(request, ana, every=0.01, lifetime=30)
        seen = [await anext(stream), await anext(stream), await anext(stream)]
        _handoff(client)
        seen.append(await anext(stream))
        with transaction(factory) as session:
            conversations.record_message(session, conversations.get_or_create(session, WEB, "web"), "debtor", "hello?")
        seen.append(await anext(stream))
        with transaction(factory) as session:
            session.get(Agent, ana).active = False
        seen.append(await anext(stream))
        return [event.split("\n")[0] for event in seen]

    # A loop of its own in its own thread: a browser test run before this one in the same
    # process leaves Playwright's loop running in this thread.
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, run()).result()
    assert seen == [
        "retry: 3000",
        "event: changed",
        "event: alive",
        "event: changed",
        "event: changed",
        "event: ended",
    ]


def test_the_file_panel_shows_the_file_in_the_agents_language(client):
    """Balance, invoices, promises and the latest history, formatted for people in the
    console's language; the whole file one link away."""
    _agent(client, "ana@example.com")
    _handoff(client)
    _login(client, "ana@example.com")
    url = f"/agent/api/conversations/{WEB}"
    client.post(f"{url}/take", headers=CSRF)
    due = (datetime.now(UTC) + timedelta(days=10)).date()
    client.post(f"{url}/outcome", json={"kind": "promise", "due_on": due.isoformat()}, headers=CSRF)
    english = client.get(f"{url}/file", params={"lang": "en"}).json()["file"]
    assert english["reference"] == "ACC-1001" and english["debtor"] == "Sam Peeters"
    assert english["balance"] == "€120.50" and english["creditor"] == "Brightwater Energy"
    assert [(i["number"], i["amount"], i["amount_due"]) for i in english["invoices"]] == [
        ("INV-1", "€84.20", "€84.20"),
        ("INV-2", "€36.30", "€36.30"),
    ]
    assert english["promises"][0]["amount"] == "€120.50"
    assert english["url"] == "/accounts/ACC-1001?lang=en"
    titles = [h["title"] for h in english["history"]]
    assert any(title.startswith("Promise to pay €120.50") for title in titles), titles
    assert english["history_total"] >= len(english["history"]) > 0
    french = client.get(f"{url}/file", params={"lang": "fr"}).json()["file"]
    assert french["balance"].replace("\u202f", " ").replace("\xa0", " ") == "120,50 €"
    assert any(h["title"].startswith("Promesse") for h in french["history"]), french["history"]
    dutch = client.get(f"{url}/file", params={"lang": "nl"}).json()["file"]
    assert "120,50" in dutch["balance"]


def test_the_file_panel_stays_closed_until_identity_is_confirmed_and_to_other_colleagues(client):
    _agent(client, "ana@example.com")
    _agent(client, "bo@example.com")
    _handoff(client, "web-unverified", verified=False)
    _login(client, "ana@example.com")
    assert client.get("/agent/api/conversations/web-unverified/file").json() == {"file": None}
    _handoff(client)
    client.post(f"/agent/api/conversations/{WEB}/take", headers=CSRF)
    client.cookies.clear()
    _login(client, "bo@example.com")
    assert client.get(f"/agent/api/conversations/{WEB}/file").status_code == 403
    client.cookies.clear()
    assert client.get(f"/agent/api/conversations/{WEB}/file").status_code == 401
