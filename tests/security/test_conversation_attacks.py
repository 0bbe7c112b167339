"""Attacks on conversations and the identity check, each as an outsider would try it against
the real app: taking over another channel's thread, riding an old or half-done check,
listing postcodes, locking a debtor out, flooding the webhook, using the action server's key
beyond its reach."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from amicable.db.models import AttemptCounter, ContactEvent, Conversation, OptOut
from amicable.db.session import transaction
from amicable.services import agents, conversations, link_tokens
from amicable.settings import Settings, SettingsError
from server.app import create_app
from tests.conftest import ACTIONS_KEY, API_KEY, AUTH, LINK_SECRET
from tests.factories import account_body, verify, web_sender

BOT = {"Authorization": f"Bearer {ACTIONS_KEY}"}
VICTIM = "+32470123456"


@pytest.fixture
def account(client):
    assert client.post("/api/v1/accounts", json=account_body(), headers=AUTH).status_code == 201


def _say(client, sender: str, text: str, **metadata):
    return client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata})


# ------------------------------------------------------------------ 1. conversation takeover


@pytest.mark.parametrize("sender", [f"sms:{VICTIM}", f"voice:{VICTIM}", "telegram:90001", f"whatsapp:{VICTIM}"])
def test_the_public_webhook_never_reaches_another_channels_thread(client, account, sender):
    # The debtor's SMS thread exists and was verified.
    with transaction(client.app.state.sessionmaker) as session:
        conversations.get_or_create(session, sender, sender.split(":")[0], sender.split(":")[1])
    assert verify(client, sender)["verified"]
    refused = _say(client, sender, "how much do I owe?")
    assert refused.status_code == 403 and "conversations" in refused.json()["detail"]
    assert client.get("/webhooks/rest/messages", params={"sender": sender}).status_code == 403
    with client.app.state.sessionmaker() as session:
        assert [m.text for m in session.get(Conversation, sender).messages] == []


def test_made_up_and_forged_web_ids_are_refused(client):
    real = web_sender(client)
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    other_secret = link_tokens.issue_web_id("another-secret-0123456789")
    for sender in ("web-1", "web-" + "a" * 32, forged, other_secret, "user@example.com"):
        assert _say(client, sender, "hello").status_code == 403, sender
        assert client.get("/webhooks/rest/messages", params={"sender": sender}).status_code == 403


def test_an_agents_reply_is_read_only_by_the_browser_holding_the_id(client, account):
    sender = web_sender(client)
    _say(client, sender, "hi")
    with transaction(client.app.state.sessionmaker) as session:
        conversation = conversations.get(session, sender)
        conversations.record_message(session, conversation, "agent", "Sam, your balance is 120.50 EUR")
    assert [m["text"] for m in client.get("/webhooks/rest/messages", params={"sender": sender}).json()] == [
        "Sam, your balance is 120.50 EUR"
    ]
    assert client.get("/webhooks/rest/messages", params={"sender": web_sender(client)}).json() == []


def test_a_client_cannot_choose_channel_or_address(client, account):
    """A stranger naming the debtor's number in metadata must not opt it out, nor become it."""
    sender = web_sender(client)
    _say(client, sender, "STOP", channel="sms", address=VICTIM)
    assert client.post(f"/api/v1/conversations/{sender}/opt-outs", json={}, headers=AUTH).status_code == 201
    with client.app.state.sessionmaker() as session:
        conversation = session.get(Conversation, sender)
        assert (conversation.channel, conversation.address) == ("web", None)
        assert session.query(OptOut).filter(OptOut.address == VICTIM).count() == 0


# ------------------------------------------------------------------ 2. checks that lapse


def _age(client, sender: str, minutes: int) -> None:
    with transaction(client.app.state.sessionmaker) as session:
        conversation = session.get(Conversation, sender)
        past = datetime.now(UTC) - timedelta(minutes=minutes)
        conversation.verified_at = conversation.last_message_at = past


def test_a_confirmation_lapses_after_the_idle_time(client, account):
    sender = web_sender(client)
    assert verify(client, sender)["verified"]
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 200
    _age(client, sender, 31)
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    # The next message lapses it for good: a digit-bearing guess does not bring it back.
    _say(client, sender, "1234")
    with client.app.state.sessionmaker() as session:
        assert session.get(Conversation, sender).verified is False
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403


def test_a_new_check_never_rides_on_an_old_one(client, account):
    sender = web_sender(client)
    assert verify(client, sender)["verified"]
    wrong = verify(client, sender, date_of_birth="01/01/1970", postcode="9999")
    assert wrong["verified"] is False
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403


def test_hand_back_new_session_and_another_number_each_need_the_check_again(client, account):
    # Handed back by an agent.
    with transaction(client.app.state.sessionmaker) as session:
        agents.create_agent(session, "ana@example.com", "Ana", "supervisor", "correct horse battery staple")
    sender = web_sender(client)
    assert verify(client, sender)["verified"]
    with transaction(client.app.state.sessionmaker) as session:
        conversations.hand_over(session, conversations.get(session, sender), "asked_for_person", "")
    client.post("/agent/api/login", json={"email": "ana@example.com", "password": "correct horse battery staple"})
    released = client.post(f"/agent/api/conversations/{sender}/release", headers={"X-Requested-With": "amicable"})
    assert released.status_code == 200
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    # A new bot session.
    assert verify(client, sender)["verified"]
    client.post(f"/api/v1/conversations/{sender}/session", headers=BOT)
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    # The same thread id reached from another number.
    with transaction(client.app.state.sessionmaker) as session:
        conversations.get_or_create(session, "telegram:5", "telegram", "5")
    assert verify(client, "telegram:5")["verified"]
    with transaction(client.app.state.sessionmaker) as session:
        conversations.get_or_create(session, "telegram:5", "telegram", "6")
    assert client.get("/api/v1/conversations/telegram:5/account", headers=BOT).status_code == 403


# ------------------------------------------------------------------ 3. one answer, one fact; two facts


def test_a_list_of_postcodes_is_not_an_answer(client, account):
    listing = " ".join(str(n) for n in range(1001, 1040)) + " 1000"
    url = "/api/v1/conversations/lister/verification"
    assert client.post(url, json={"reference": "ACC-1001", "answer": "12/03/1985"}, headers=AUTH).json()["next"]
    refused = client.post(url, json={"answer": listing, "fact": "postcode"}, headers=AUTH)
    assert refused.status_code == 422
    assert client.get("/api/v1/conversations/lister/account", headers=AUTH).status_code == 403


@pytest.mark.parametrize("answer", ["12/03/1985 1000", "1001 1002 12/03/1985", "12/03/1985 or 13/03/1985"])
def test_a_date_of_birth_answer_is_one_date(client, account, answer):
    response = client.post(
        "/api/v1/conversations/dates/verification", json={"reference": "ACC-1001", "answer": answer}, headers=AUTH
    )
    assert response.status_code == 422, answer


def test_one_fact_never_suffices(client, account):
    # The right date of birth with a wrong postcode, and the other way round: refused, and
    # the reply never says which one was wrong.
    one = verify(client, "half-1", date_of_birth="12/03/1985", postcode="9999")
    other = verify(client, "half-2", date_of_birth="01/01/1970", postcode="1000")
    unknown = verify(client, "half-3", reference="NOPE-1", date_of_birth="12/03/1985", postcode="1000")
    assert (
        one
        == other
        == unknown
        == {
            "verified": False,
            "attempts_left": 1,
            "next": None,
            "account_reference": None,
            "language": None,
        }
    )


def test_a_stored_postcode_shorter_than_the_countrys_format_cannot_serve(client, monkeypatch):
    client.post("/api/v1/accounts", json=account_body(postcode="10"), headers=AUTH)
    codes: list[str] = []
    monkeypatch.setattr("amicable.services.identity.log.warning", lambda *a, **kw: codes.append(kw["code"]))
    result = verify(client, "short", postcode="1000")
    assert result["verified"] is False and result["next"] == "code"
    url = "/api/v1/conversations/short/verification"
    assert client.post(url, json={"answer": "000000", "fact": "code"}, headers=AUTH).json()["verified"] is False
    assert client.post(url, json={"answer": codes[-1], "fact": "code"}, headers=AUTH).json()["verified"] is True


def test_the_code_goes_to_the_number_on_file_through_twilio(settings, twilio_api):
    from tests.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

    configured = settings.model_copy(
        update={
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_from_number": TWILIO_FROM,
            "twilio_api_base": twilio_api.url,
        }
    )
    with TestClient(create_app(configured)) as client:
        client.post("/api/v1/accounts", json=account_body(postcode=None), headers=AUTH)
        before = len(twilio_api.messages)
        assert verify(client, "otp")["next"] == "code"
        [sms] = [m for m in twilio_api.messages[before:] if m["to"] == VICTIM]
        code = "".join(ch for ch in sms["body"] if ch.isdigit())[:6]
        url = "/api/v1/conversations/otp/verification"
        assert client.post(url, json={"answer": code, "fact": "code"}, headers=AUTH).json()["verified"] is True


# ------------------------------------------------------------------ 5. lock-outs and their limits


def test_a_source_gets_ten_failed_checks_a_day_whatever_files_it_tries(client):
    for n in range(12):
        client.post("/api/v1/accounts", json=account_body(f"F-{n}"), headers=AUTH)
    with transaction(client.app.state.sessionmaker) as session:
        for n in range(12):
            conversations.get_or_create(session, f"src-{n}", "web", source="ip:attacker")
    for n in range(10):
        assert verify(client, f"src-{n}", reference=f"F-{n}", postcode="9999")["verified"] is False
    # Now even the right facts are refused from there; the debtor elsewhere is not affected.
    assert verify(client, "src-11", reference="F-11")["verified"] is False
    assert verify(client, "elsewhere", reference="F-11")["verified"] is True


def test_the_contact_log_stays_bounded_under_a_guessing_flood(client, account):
    for n in range(30):
        verify(client, f"flood-{n}", date_of_birth="01/01/1970")
    with client.app.state.sessionmaker() as session:
        rows = session.query(ContactEvent).filter(ContactEvent.kind == "verification").count()
    assert rows <= 6  # five failures and the lock, not thirty rows


@pytest.mark.postgres
def test_concurrent_attempts_are_all_counted_on_postgresql(postgres, tmp_path):
    from amicable.db.migrate import upgrade
    from tests.conftest import copy_policies

    url = postgres.create_database(f"attempts_{int(time.time())}")
    upgrade(url)
    settings = Settings(
        policies_dir=copy_policies(tmp_path / "p"),
        amicable_api_key=API_KEY,
        amicable_actions_key=ACTIONS_KEY,
        amicable_link_secret=LINK_SECRET,
        amicable_demo=True,
        database_url=url,
        rasa_url="http://127.0.0.1:9",
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        barrier = threading.Barrier(8)

        def guess(n: int) -> None:
            barrier.wait()
            verify(client, f"burst-{n}", date_of_birth="01/01/1970")

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with client.app.state.sessionmaker() as session:
            counted = session.query(AttemptCounter).filter(AttemptCounter.scope == "identity-file").one().count
        assert counted == 8


# ------------------------------------------------------------------ 9. floods and long messages


def test_a_flood_from_one_conversation_gets_a_calm_reply_and_is_not_stored(client):
    sender = web_sender(client)
    statuses = [_say(client, sender, f"message {n}").status_code for n in range(25)]
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}
    refused = _say(client, sender, "one more")
    assert "wait a minute" in refused.json()[0]["text"] and refused.headers["retry-after"] == "60"
    with client.app.state.sessionmaker() as session:
        kept = [m.text for m in session.get(Conversation, sender).messages if m.author == "debtor"]
    assert len(kept) == 20


def test_a_flood_from_one_source_over_many_conversations_is_held_back(client):
    senders = [web_sender(client) for _ in range(30)]
    statuses = [_say(client, senders[n % 30], "hi").status_code for n in range(130)]
    assert statuses.count(429) == 10
    # New conversations from that source are limited too.
    assert all(client.post("/webhooks/rest/conversations").status_code == 429 for _ in range(2))


def test_an_oversized_message_is_refused_before_anything_is_kept(client):
    sender = web_sender(client)
    assert _say(client, sender, "x" * 30_000).status_code == 422
    with client.app.state.sessionmaker() as session:
        assert session.get(Conversation, sender) is None


# ------------------------------------------------------------------ 7. one key per job


def test_the_action_servers_key_opens_conversation_routes_only(client, account):
    assert client.get("/api/v1/accounts/ACC-1001", headers=BOT).status_code == 401
    assert client.post("/api/v1/accounts", json=account_body("X-1"), headers=BOT).status_code == 401
    assert client.get("/api/v1/outreach/plan", headers=BOT).status_code == 401
    # An outcome route, for a file whose identity was not confirmed in that conversation: 403.
    sender = web_sender(client)
    link = {"conversation_id": sender}
    assert client.post("/api/v1/accounts/ACC-1001/payment-links", json=link, headers=BOT).status_code == 403
    assert client.post("/api/v1/accounts/ACC-1001/payment-links", json={}, headers=BOT).status_code == 403
    assert verify(client, sender, headers=BOT)["verified"]
    assert client.post("/api/v1/accounts/ACC-1001/payment-links", json=link, headers=BOT).status_code == 201
    # Verified on one file, it still cannot act on another.
    client.post("/api/v1/accounts", json=account_body("ACC-2002"), headers=AUTH)
    assert client.post("/api/v1/accounts/ACC-2002/payment-links", json=link, headers=BOT).status_code == 403


def test_link_tokens_have_their_own_secret(client, account):
    with client.app.state.sessionmaker() as session:
        account_id = session.query(Conversation).count() or 1
    signed_with_api_key = link_tokens.sign(account_id, API_KEY)
    sender = web_sender(client)
    _say(client, sender, "hello", token=signed_with_api_key)
    with client.app.state.sessionmaker() as session:
        assert session.get(Conversation, sender).account_id is None


# ------------------------------------------------------------------ 4. production fails closed


def test_production_refuses_to_start_without_its_settings(settings):
    bare = settings.model_copy(
        update={"amicable_demo": False, "stripe_api_key": "", "stripe_webhook_secret": "", "amicable_link_secret": ""}
    )
    with pytest.raises(SettingsError) as refused:
        create_app(bare)
    message = str(refused.value)
    for name in ("AMICABLE_LINK_SECRET", "STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"):
        assert name in message
    assert Settings(_env_file=None).stripe_webhook_secret == ""  # no secret written in the source
    shared = settings.model_copy(update={"amicable_demo": False, "amicable_link_secret": API_KEY})
    assert any("differ" in p for p in shared.production_problems())


# ------------------------------------------------------------------ 11. no timing oracle


def test_an_unknown_reference_takes_as_long_as_a_known_one(client, account):
    long_answer = "I was born on the twelfth of March in nineteen eighty-five, I think"[:60]

    def timed(reference: str, n: int) -> float:
        started = time.perf_counter()
        client.post(
            f"/api/v1/conversations/t-{reference}-{n}/verification",
            json={"reference": reference, "answer": long_answer},
            headers=AUTH,
        )
        return time.perf_counter() - started

    known = statistics.median(timed("ACC-1001", n) for n in range(7))
    unknown = statistics.median(timed("NOPE-404", n) for n in range(7))
    assert abs(known - unknown) < 0.05 + 0.5 * min(known, unknown), (known, unknown)
