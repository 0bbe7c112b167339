"""An outsider's attacks on the running app, over HTTP only, each written so that the test
passes when the app defends itself.

Who attacks: (a) a stranger who knows a debtor's number, name or file reference; (b) a
debtor who wants to pay less or read someone else's file; (c) an agent who wants more than
their role; (d) a process on the same network holding the action server's key but not the
admin key. What they want: any debt detail without the identity check, to change or opt out
someone else's file or number, to pay without money, to lock a debtor out, or a 5xx.

Attacks that succeed today are marked `xfail(strict=True)` with what goes wrong; each asserts
the safe behaviour, so it starts to pass (and must then lose its mark) once fixed. Setting a
scene (a debtor's file, an agent account, the action server verifying the real debtor) uses
the admin key or the database, as the creditor and the real debtor would; the attack itself
is always plain HTTP.
"""

from __future__ import annotations

import base64
import json
import string
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from amicable.db.models import Conversation, OptOut
from amicable.db.session import transaction
from amicable.services import agents, link_tokens
from server.app import create_app
from tests.conftest import ACTIONS_KEY, API_KEY, AUTH, LINK_SECRET, TELEGRAM_SECRET, TELEGRAM_TOKEN, TWILIO_TOKEN
from tests.factories import account_body, verify, web_sender
from tests.fakes.telegram_api import FakeTelegram

BOT = {"Authorization": f"Bearer {ACTIONS_KEY}"}
VICTIM = "+32470123456"  # the factory debtor's number (ACC-1001, born 12/03/1985, postcode 1000)
STRANGER = "+32470999000"
OUR_NUMBER = "+3228080000"
PASSWORD = "correct horse battery staple"
CONSOLE = {"X-Requested-With": "amicable"}
# Everything about the victim's debt that must not reach anyone unverified.
SECRETS = ("Sam", "Peeters", "Brightwater", "84.20", "84,20", "36.30", "120.50", "INV-1", "INV-2")
NOT_VERIFIED = {"verified": False, "attempts_left": 1, "next": None, "account_reference": None, "language": None}


@pytest.fixture
def account(client):
    assert client.post("/api/v1/accounts", json=account_body(), headers=AUTH).status_code == 201


@pytest.fixture
def lenient(settings) -> Iterator[TestClient]:
    """The app as a browser sees it: a server error is a 500 response, not an exception."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _postgres(settings) -> bool:
    return settings.database_url.startswith("postgresql")


def _say(client, sender: str, text: str, **metadata):
    return client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata})


def _twilio(client, path: str, form: dict, *, token: str = TWILIO_TOKEN, signed_path: str | None = None):
    """A Twilio webhook as Twilio signs it (over PUBLIC_BASE_URL + path and the form)."""
    signature = RequestValidator(token).compute_signature(f"http://testserver{signed_path or path}", form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def _sms(client, body: str, sender: str = VICTIM, **kwargs):
    form = {"MessageSid": "SM" + "0" * 32, "From": sender, "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}
    return _twilio(client, "/channels/twilio/sms", form, **kwargs)


def _call(client, caller: str, call_sid: str):
    """The first turn of an inbound call, as Twilio posts it (signed)."""
    form = {"CallSid": call_sid, "From": caller, "To": OUR_NUMBER, "Direction": "inbound"}
    response = _twilio(client, "/channels/twilio/voice", form)
    assert response.status_code == 200, response.text
    return response


def _thread(client, channel: str, address: str) -> str:
    """The id of the debtor's own thread on a channel, whatever form it takes."""
    with client.app.state.sessionmaker() as session:
        found = session.scalar(
            select(Conversation.id).where(Conversation.channel == channel, Conversation.address == address)
        )
    assert found, f"no {channel} thread for {address}"
    return found


def _opt_outs_of(client, address: str) -> list[tuple[str, int | None]]:
    with client.app.state.sessionmaker() as session:
        rows = session.scalars(select(OptOut).where(OptOut.address == address)).all()
        return [(row.channel, row.account_id) for row in rows]


def _balance(client) -> str:
    return client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["balance"]


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _agent(client, email: str, role: str) -> dict[str, str]:
    """An agent account (made by an administrator), signed in over HTTP; returns the headers
    their browser sends with each change (cookie and the console's header)."""
    with transaction(client.app.state.sessionmaker) as session:
        agents.create_agent(session, email, email.split("@")[0].title(), role, PASSWORD)
    response = client.post("/agent/api/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token = response.cookies["amicable_agent"]
    client.cookies.clear()
    return {"Cookie": f"amicable_agent={token}", **CONSOLE}


# ============================================================== (a) conversations and threads


@pytest.mark.parametrize(
    "make",
    [
        lambda real: f"sms:{VICTIM}",
        lambda real: f"whatsapp:{VICTIM}",
        lambda real: f"voice:{VICTIM}",
        lambda real: real + "\n",
        lambda real: " " + real,
        lambda real: "WEB-" + real[4:],
        lambda real: real.replace(".", ":", 1),
        lambda real: f"{real}/../sms:{VICTIM}",
        lambda real: "../" + real,
        lambda real: f"web-sms%3A%2B{VICTIM[1:]}",
    ],
    ids=["sms", "whatsapp", "voice", "newline", "space", "upper", "colon", "dotdot-after", "dotdot-before", "encoded"],
)
def test_lookalike_conversation_ids_reach_no_thread(client, account, make):
    """Names the debtor's SMS/voice thread, or a real web id with a newline, a space, an upper-case prefix or path characters, on the public webhook and the agent-reply poll."""
    _sms(client, "hello")
    assert verify(client, f"sms:{VICTIM}", headers=BOT)["verified"]  # the debtor proved it in their thread
    sender = make(web_sender(client))
    said = _say(client, sender, "how much do I owe?")
    assert 400 <= said.status_code < 500 and not _leaks(said.text)
    polled = client.get("/webhooks/rest/messages", params={"sender": sender})
    assert polled.status_code == 403
    with client.app.state.sessionmaker() as session:
        assert [m.text for m in session.get(Conversation, f"sms:{VICTIM}").messages if m.author == "debtor"] == [
            "hello"
        ]


def test_a_web_id_cannot_be_respelled_into_another_valid_id(client):
    """Takes one server-issued web id and changes the padding bits of its last nonce character."""
    real = web_sender(client)
    nonce, mac = real[len("web-") :].split(".")
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    index = alphabet.index(nonce[-1])
    respelled = "web-" + nonce[:-1] + alphabet[index // 16 * 16 + (index + 1) % 16] + "." + mac
    assert respelled != real
    assert _say(client, respelled, "hello").status_code == 403


def test_a_client_naming_a_channel_address_or_language_in_metadata_changes_nothing(client, account):
    """Web-chat metadata claiming the debtor's SMS channel and number, a non-string token and a list language."""
    sender = web_sender(client)
    said = _say(client, sender, "STOP", channel="sms", address=VICTIM, token={"id": 1}, language=["en"], verified=True)
    assert said.status_code == 200
    assert client.post(f"/api/v1/conversations/{sender}/opt-outs", json={}, headers=BOT).status_code == 201
    assert _opt_outs_of(client, VICTIM) == []
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["opt_outs"] == []


def test_malformed_and_oversized_bodies_get_a_4xx(client, account):
    """Non-JSON, a JSON list, wrong types, a form body to JSON routes, and 2 MB streamed without Content-Length."""
    sender = web_sender(client)
    attempts = [
        ("/webhooks/rest/webhook", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("/webhooks/rest/webhook", {"json": ["sender", sender]}),
        ("/webhooks/rest/webhook", {"json": {"sender": sender, "message": {"text": "hi"}}}),
        ("/webhooks/rest/webhook", {"json": {"sender": sender, "message": "hi", "metadata": []}}),
        ("/webhooks/rest/webhook", {"data": {"sender": sender, "message": "hi"}}),
        ("/agent/api/login", {"content": b"email=a&password=b", "headers": {"content-type": "text/plain"}}),
        ("/api/v1/conversations/x/verification", {"json": {"answer": ["12/03/1985"]}, "headers": BOT}),
        ("/api/v1/conversations/x/verification", {"json": {"answer": "1", "fact": "name"}, "headers": BOT}),
    ]
    for path, kwargs in attempts:
        response = client.post(path, **kwargs)
        assert 400 <= response.status_code < 500, (path, kwargs, response.status_code)

    def stream() -> Iterator[bytes]:
        yield b'{"sender": "' + sender.encode() + b'", "message": "'
        for _ in range(2_000):
            yield b"x" * 1_000
        yield b'"}'

    huge = client.post("/webhooks/rest/webhook", content=stream(), headers={"content-type": "application/json"})
    assert huge.status_code in (400, 413)  # refused once past the limit, whichever layer words it
    with client.app.state.sessionmaker() as session:
        assert session.get(Conversation, sender) is None


def test_a_huge_after_does_not_crash_the_agent_reply_poll(lenient):
    """Polls agent replies of one's own web conversation with after=10**30."""
    sender = web_sender(lenient)
    response = lenient.get("/webhooks/rest/messages", params={"sender": sender, "after": 10**30})
    assert response.status_code < 500


@pytest.mark.parametrize("route", ["pay", "pay-done", "autopay", "login", "web-message"])
def test_a_nul_byte_does_not_crash_public_routes(lenient, settings, route):
    """Sends a NUL byte in a pay-link id, a plan id, the login e-mail, and a web-chat message."""
    if not _postgres(settings):
        pytest.skip("SQLite stores NUL bytes; only PostgreSQL refuses them")
    if route == "pay":
        response = lenient.get("/pay/pl_%00x")
    elif route == "pay-done":
        response = lenient.get("/pay/pl_%00x/done")
    elif route == "autopay":
        response = lenient.get("/plans/plan_%00x/autopay")
    elif route == "login":
        response = lenient.post("/agent/api/login", json={"email": "a\x00@example.com", "password": "x"})
    else:
        response = _say(lenient, web_sender(lenient), "hello\x00there")
    assert response.status_code < 500


# ============================================================== (a) signed links


def test_a_replayed_link_token_binds_a_strangers_chat_but_discloses_nothing(client, account):
    """Replays the debtor's signed web-chat token into a stranger's own conversation, then guesses."""
    token = client.post("/api/v1/accounts/ACC-1001/links", headers=AUTH).json()["token"]
    sender = web_sender(client)
    replies = _say(client, sender, "hello", token=token)
    assert replies.status_code == 200 and not _leaks(replies.text)
    assert client.get(f"/api/v1/conversations/{sender}/binding", headers=BOT).json() == {"bound": True}
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    guess = verify(client, sender, reference="", date_of_birth="01/01/1980", postcode="9999", headers=BOT)
    assert guess == NOT_VERIFIED
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    assert (
        client.post(
            "/api/v1/accounts/ACC-1001/payment-links", json={"conversation_id": sender}, headers=BOT
        ).status_code
        == 403
    )
    assert client.get("/webhooks/rest/messages", params={"sender": sender}).json() == []


def test_tampered_expired_and_foreign_link_tokens_bind_nothing(client, account):
    """Link tokens with a changed account id, a flipped MAC, cut short, expired, signed with the API key, or padded."""
    good = client.post("/api/v1/accounts/ACC-1001/links", headers=AUTH).json()["token"]
    account_id = link_tokens.read(good, LINK_SECRET)
    assert account_id is not None
    raw = bytearray(base64.urlsafe_b64decode(good + "=" * (-len(good) % 4)))
    other_account, flipped_mac = bytearray(raw), bytearray(raw)
    other_account[3] ^= 0x01
    flipped_mac[-1] ^= 0x01
    forged = [
        link_tokens._b64(bytes(other_account)),
        link_tokens._b64(bytes(flipped_mac)),
        good[:-2],
        good + "AA",
        link_tokens.sign(account_id, LINK_SECRET, today=date.today() - timedelta(days=31)),
        link_tokens.sign(account_id, API_KEY),
        link_tokens.sign(account_id, ""),
        "A" * 24,
        good * 3,
    ]
    for token in forged:
        sender = web_sender(client)
        assert _say(client, sender, "hello", token=token).status_code == 200
        assert client.get(f"/api/v1/conversations/{sender}/binding", headers=BOT).json() == {"bound": False}, token


def test_a_token_for_another_file_cannot_rebind_a_verified_conversation(client, account):
    """A debtor verified on their own file sends the victim's token to swap the conversation onto the victim's file."""
    client.post("/api/v1/accounts", json=account_body("EVE-1", name="Eve", date_of_birth="1990-01-01"), headers=AUTH)
    sender = web_sender(client)
    assert verify(client, sender, reference="EVE-1", date_of_birth="01/01/1990", headers=BOT)["verified"]
    token = client.post("/api/v1/accounts/ACC-1001/links", headers=AUTH).json()["token"]
    _say(client, sender, "hello", token=token)
    summary = client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).json()
    assert summary["reference"] == "EVE-1"
    link = {"conversation_id": sender}
    assert client.post("/api/v1/accounts/ACC-1001/payment-links", json=link, headers=BOT).status_code == 403


def test_a_token_bound_but_unverified_telegram_chat_receives_no_reminders(settings):
    """Replays the debtor's token as /start in the stranger's Telegram chat, then asks the outreach plan."""
    with FakeTelegram(TELEGRAM_TOKEN) as fake:
        configured = settings.model_copy(
            update={
                "telegram_bot_token": TELEGRAM_TOKEN,
                "telegram_webhook_secret": TELEGRAM_SECRET,
                "telegram_api_base": fake.url,
            }
        )
        with TestClient(create_app(configured)) as client:
            assert client.post("/api/v1/accounts", json=account_body(phone=None), headers=AUTH).status_code == 201
            token = client.post("/api/v1/accounts/ACC-1001/links", headers=AUTH).json()["token"]
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 1_790_000_000,
                    "chat": {"id": 666, "type": "private"},
                    "from": {"id": 666, "is_bot": False, "first_name": "Eve"},
                    "text": f"/start {token}",
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
            assert client.post("/channels/telegram", json=update, headers=headers).status_code == 200
            assert not any(_leaks(m["text"]) for m in fake.sent)
            moment = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
            [planned] = client.get("/api/v1/outreach/plan", params={"now": moment.isoformat()}, headers=AUTH).json()
            assert planned["channel"] != "telegram" or planned["action"] in ("skip", "blocked"), planned


# ============================================================== (a) provider webhooks


def test_forged_twilio_requests_cannot_opt_out_or_speak_for_the_debtors_number(client, account):
    """STOP as the debtor's number: unsigned, wrong token, SMS signature replayed on WhatsApp, From swapped or duplicated after signing."""
    stop = {"MessageSid": "SM" + "1" * 32, "From": VICTIM, "To": OUR_NUMBER, "Body": "STOP"}
    assert client.post("/channels/twilio/sms", data=stop).status_code == 403
    assert _twilio(client, "/channels/twilio/sms", stop, token="guessed-token").status_code == 403
    assert _twilio(client, "/channels/twilio/whatsapp", stop, signed_path="/channels/twilio/sms").status_code == 403
    assert _twilio(client, "/channels/twilio/voice", stop, signed_path="/channels/twilio/sms").status_code == 403
    # Signed for the stranger's own number, then the number changed.
    own = {**stop, "From": STRANGER}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature("http://testserver/channels/twilio/sms", own)
    swapped = client.post("/channels/twilio/sms", data=stop, headers={"X-Twilio-Signature": signature})
    assert swapped.status_code == 403
    # The debtor's number added as a second From, before or after the signed one.
    for body in (
        f"MessageSid={own['MessageSid']}&From=%2B{STRANGER[1:]}&To=%2B{OUR_NUMBER[1:]}&Body=STOP&From=%2B{VICTIM[1:]}",
        f"From=%2B{VICTIM[1:]}&MessageSid={own['MessageSid']}&From=%2B{STRANGER[1:]}&To=%2B{OUR_NUMBER[1:]}&Body=STOP",
    ):
        headers = {"X-Twilio-Signature": signature, "content-type": "application/x-www-form-urlencoded"}
        assert client.post("/channels/twilio/sms", content=body, headers=headers).status_code in (200, 403)
    # STOP from the stranger's own, properly signed number.
    assert _sms(client, "STOP", sender=STRANGER).status_code == 200
    assert _opt_outs_of(client, VICTIM) == []
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["opt_outs"] == []


def test_forged_telegram_updates_are_refused_with_or_without_a_configured_secret(client, account, settings):
    """Telegram updates for a chat with an empty, missing or guessed secret header, on an app with and without a secret."""
    token = client.post("/api/v1/accounts/ACC-1001/links", headers=AUTH).json()["token"]
    update = {
        "update_id": 7,
        "message": {
            "message_id": 7,
            "date": 1_790_000_000,
            "chat": {"id": 4242, "type": "private"},
            "text": f"/start {token}",
        },
    }
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": ""}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        assert client.post("/channels/telegram", json=update, headers=headers).status_code == 403
    configured = settings.model_copy(update={"telegram_webhook_secret": TELEGRAM_SECRET})
    with TestClient(create_app(configured)) as other:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET.upper()}):
            assert other.post("/channels/telegram", json=update, headers=headers).status_code == 403
    with client.app.state.sessionmaker() as session:
        assert session.get(Conversation, "telegram:4242") is None


def test_a_forged_stripe_event_pays_nothing(client, account):
    """A checkout.session.completed for the victim's link, unsigned, with a made-up signature, and signed with the once-published secret."""
    import json
    import time

    import stripe

    link = client.post("/api/v1/accounts/ACC-1001/payment-links", json={}, headers=AUTH).json()
    event = {
        "id": "evt_forged_1",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_forged",
                "client_reference_id": link["id"],
                "amount_total": 1,
                "currency": "eur",
                "payment_status": "paid",
                "metadata": {"payment_link_id": link["id"]},
            }
        },
    }
    payload = json.dumps(event)
    now = int(time.time())
    published = stripe.WebhookSignature._compute_signature(f"{now}.{payload}", "whsec_amicable_local_provider")
    for headers in (
        {},
        {"Stripe-Signature": f"t={now},v1={'0' * 64}"},
        {"Stripe-Signature": f"t={now},v1={published}"},
    ):
        assert client.post("/webhooks/stripe", content=payload, headers=headers).status_code == 400
    assert _balance(client) == "120.50"


def test_payment_pages_need_the_exact_link_id(client, account):
    """Guessed, case-changed, truncated and extended payment-link and plan ids on the pay, done and autopay pages."""
    link_id = client.post("/api/v1/accounts/ACC-1001/payment-links", json={}, headers=AUTH).json()["id"]
    for guess in (
        link_id.upper(),
        link_id.lower(),
        link_id[:-1],
        link_id + "A",
        "pl_",
        "pl_%25",
        "pl_*",
        " " + link_id,
    ):
        for path in (f"/pay/{guess}", f"/pay/{guess}/done", f"/plans/{guess}/autopay"):
            response = client.get(path)
            assert response.status_code == 404 and not _leaks(response.text), (path, response.status_code)
        assert client.post(f"/pay/{guess}", data={"method": "card"}).status_code == 404
    assert _balance(client) == "120.50"


# ============================================================== (a)/(b) the identity check


@pytest.mark.parametrize("fact, answer", [("postcode", "1000"), ("code", "123456")])
def test_a_later_step_sent_first_is_refused_and_opens_nothing(client, account, fact, answer):
    """Skips the date of birth: the postcode step, or a code, sent first."""
    sender = web_sender(client)
    url = f"/api/v1/conversations/{sender}/verification"
    refused = client.post(url, json={"reference": "ACC-1001", "answer": answer, "fact": fact}, headers=BOT)
    assert refused.status_code == 409
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code in (403, 404)
    # Nor after a date of birth: the code step is not the postcode step.
    client.post(url, json={"reference": "ACC-1001", "answer": "12/03/1985"}, headers=BOT)
    assert client.post(url, json={"answer": "123456", "fact": "code"}, headers=BOT).status_code == 409
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403


def test_the_file_cannot_be_switched_between_the_steps(client, account):
    """A debtor proves their own date of birth, then names the victim's reference in the postcode step."""
    client.post(
        "/api/v1/accounts",
        json=account_body("EVE-1", name="Eve", phone="+32470555666", date_of_birth="1990-01-01", postcode="2000"),
        headers=AUTH,
    )
    sender = web_sender(client)
    url = f"/api/v1/conversations/{sender}/verification"
    assert (
        client.post(url, json={"reference": "EVE-1", "answer": "01/01/1990"}, headers=BOT).json()["next"] == "postcode"
    )
    done = client.post(url, json={"reference": "ACC-1001", "answer": "2000", "fact": "postcode"}, headers=BOT).json()
    assert done["verified"] and done["account_reference"] == "EVE-1"
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).json()["reference"] == "EVE-1"
    for route in ("payment-links", "promises", "disputes"):
        body = {"conversation_id": sender, **({"due_on": date.today().isoformat()} if route == "promises" else {})}
        assert client.post(f"/api/v1/accounts/ACC-1001/{route}", json=body, headers=BOT).status_code == 403
    # Starting a check on the victim's file drops the debtor's own confirmation at once.
    client.post(url, json={"reference": "ACC-1001", "answer": "01/01/1990"}, headers=BOT)
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403


@pytest.mark.parametrize(
    "reference",
    ["ACC-100_", "ACC-100%", "%", "' OR '1'='1", "ACC-10O1", "ACC-1001-1"],
)
def test_wildcard_and_near_miss_references_open_nothing_and_say_nothing(client, account, settings, reference):
    """The right date of birth and postcode with a reference of SQL wildcards, a quote, or one that is off by a character."""
    sender = web_sender(client)
    assert verify(client, sender, reference=reference, headers=BOT) == NOT_VERIFIED
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403


@pytest.mark.parametrize("reference", ["ＡＣＣ-１００１", "ACC\u20101001", "ACC-1001\u200b", "acc 1001", "ACC%1001"])
def test_a_reference_typed_another_way_is_the_same_file_and_still_needs_both_facts(client, account, reference):
    """A reference typed with other separators or letters names the same file: it opens nothing without the facts."""
    sender = web_sender(client)
    assert verify(client, sender, reference=reference, postcode="9999", headers=BOT) == NOT_VERIFIED
    assert client.get(f"/api/v1/conversations/{sender}/account", headers=BOT).status_code == 403
    again = web_sender(client)
    assert verify(client, again, reference=reference, headers=BOT)["verified"] is True


def test_a_one_time_code_works_only_in_the_conversation_it_was_sent_for(client, monkeypatch):
    """Replays the code sent in one conversation into another conversation on the same file."""
    client.post("/api/v1/accounts", json=account_body(postcode=None), headers=AUTH)
    codes: list[str] = []
    monkeypatch.setattr("amicable.services.identity.log.warning", lambda *a, **kw: codes.append(kw.get("code")))
    first, second = web_sender(client), web_sender(client)
    assert verify(client, first, headers=BOT)["next"] == "code"
    assert verify(client, second, headers=BOT)["next"] == "code"
    code_first, code_second = codes[-2], codes[-1]
    if code_first == code_second:
        pytest.skip("the two random codes happen to be equal")
    url = f"/api/v1/conversations/{second}/verification"
    assert client.post(url, json={"answer": code_first, "fact": "code"}, headers=BOT).json()["verified"] is False
    assert client.get(f"/api/v1/conversations/{second}/account", headers=BOT).status_code == 403


def test_concurrent_code_guesses_are_each_counted(lenient, monkeypatch):
    """Sends twenty-four wrong one-time codes at the same instant in one conversation, then the right one (three rounds)."""
    client = lenient
    client.post("/api/v1/accounts", json=account_body(postcode=None), headers=AUTH)
    codes: list[str] = []
    monkeypatch.setattr("amicable.services.identity.log.warning", lambda *a, **kw: codes.append(kw.get("code")))
    for _ in range(3):  # a race is a race: three rounds, so that one calm round does not hide it
        sender = web_sender(client)
        assert verify(client, sender, headers=BOT)["next"] == "code"  # the attacker knows the date of birth
        right = codes[-1]
        url = f"/api/v1/conversations/{sender}/verification"
        guesses = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 25)]
        barrier = threading.Barrier(len(guesses))
        answers: list[dict] = []

        def guess(code: str, url: str = url, barrier: threading.Barrier = barrier, answers: list = answers) -> None:
            barrier.wait()
            response = client.post(url, json={"answer": code, "fact": "code"}, headers=BOT)
            answers.append(response.json() if response.status_code == 200 else {"status": response.status_code})

        threads = [threading.Thread(target=guess, args=(code,)) for code in guesses]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        still_asking = [a for a in answers if a.get("next") == "code"]
        assert len(still_asking) <= 2, f"{len(still_asking)} wrong codes were answered 'try again'"
        last = client.post(url, json={"answer": right, "fact": "code"}, headers=BOT)
        assert last.status_code != 200 or last.json()["verified"] is False


def test_a_locked_file_does_not_tell_right_facts_from_wrong_ones(client, account):
    """Locks the file with five wrong guesses, then compares the answers to right and to wrong facts."""
    for n in range(6):
        verify(client, f"lock-{n}", date_of_birth="01/01/1970", headers=BOT)
    right = verify(client, "oracle-right", headers=BOT)
    wrong = verify(client, "oracle-wrong", date_of_birth="02/02/1970", headers=BOT)
    assert right == wrong


def test_the_action_key_alone_gets_no_more_guesses_than_one_web_source(client):
    """With the action key, eleven wrong checks on eleven files from made-up conversation ids, then the right facts for a twelfth."""
    for n in range(12):
        client.post("/api/v1/accounts", json=account_body(f"F-{n}", phone=f"+3247012{n:04d}"), headers=AUTH)
    for n in range(11):
        url = f"/api/v1/conversations/made-up-{n}/verification"
        first = client.post(url, json={"reference": f"F-{n}", "answer": "12/03/1985"}, headers=BOT)
        if first.status_code != 200:
            return  # made-up threads are refused: no guessing at all
        client.post(url, json={"answer": "9999", "fact": "postcode"}, headers=BOT)
    url = "/api/v1/conversations/made-up-last/verification"
    client.post(url, json={"reference": "F-11", "answer": "12/03/1985"}, headers=BOT)
    assert client.post(url, json={"answer": "1000", "fact": "postcode"}, headers=BOT).json()["verified"] is False


def test_two_failed_checks_do_not_lock_a_number_out_for_ever(client, account):
    """Fails the check twice in the debtor's SMS thread; later, in a new session, the debtor gives the right facts."""
    _sms(client, "hello")
    thread = _thread(client, "sms", VICTIM)
    for _ in range(2):
        verify(client, thread, date_of_birth="01/01/1970", headers=BOT)
    assert client.post(f"/api/v1/conversations/{thread}/session", headers=BOT).status_code == 200
    _sms(client, "hello again")
    assert verify(client, thread, headers=BOT)["verified"] is True


# ============================================================== (a) the phone


def test_a_new_call_from_the_debtors_number_starts_unverified(client, account):
    """Calls with the debtor's caller id right after the debtor hung up a verified call."""
    _call(client, VICTIM, "CA" + "1" * 32)
    thread = _thread(client, "voice", VICTIM)
    assert verify(client, thread, headers=BOT)["verified"]  # the debtor's own call
    spoofed = _call(client, VICTIM, "CA" + "2" * 32)  # another call, same caller id
    assert not _leaks(spoofed.text)
    assert client.get(f"/api/v1/conversations/{thread}/account", headers=BOT).status_code == 403


# ============================================================== (d) the action server's key


def test_the_action_key_stays_inside_the_verified_file(client, account):
    """With the action key: admin routes, another file, the reference in another case, no conversation, and a conversation verified for someone else."""
    client.post("/api/v1/accounts", json=account_body("EVE-1", name="Eve", date_of_birth="1990-01-01"), headers=AUTH)
    for method, path in [
        ("GET", "/api/v1/accounts/ACC-1001"),
        ("GET", "/api/v1/accounts/ACC-1001/ledger"),
        ("POST", "/api/v1/accounts/ACC-1001/links"),
        ("POST", "/api/v1/accounts/ACC-1001/calls"),
        ("GET", "/api/v1/outreach/plan"),
        ("GET", "/api/v1/bank-statements/unmatched"),
    ]:
        assert client.request(method, path, headers=BOT).status_code == 401, path
    sender = web_sender(client)
    assert verify(client, sender, reference="EVE-1", date_of_birth="01/01/1990", headers=BOT)["verified"]
    for reference in ("ACC-1001", "acc-1001", "ACC-1001 "):
        for body in ({"conversation_id": sender}, {}, {"conversation_id": None}):
            response = client.post(f"/api/v1/accounts/{reference}/payment-links", json=body, headers=BOT)
            assert response.status_code in (403, 404), (reference, body)
    reason = {"reason": "illness", "conversation_id": sender}
    assert client.put("/api/v1/accounts/ACC-1001/reason", json=reason, headers=BOT).status_code == 403
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["reason"] is None


@pytest.mark.xfail(
    strict=True,
    reason="SMS, WhatsApp, voice and Telegram threads are named by the number or chat id (sms:+32...), and every "
    "conversation route takes any id from the action key (api/routes/conversations.py, accounts._account_for): "
    "while the debtor is verified there, the key alone reads the file and records disputes, plans and reasons",
)
def test_the_action_key_cannot_read_or_change_a_file_by_naming_the_debtors_number(client, account):
    """While the debtor is verified in their SMS thread, reads the file and records a dispute through sms:<their number>."""
    _sms(client, "hello")
    assert verify(client, _thread(client, "sms", VICTIM), headers=BOT)["verified"]  # the real debtor, via the bot
    named = f"sms:{VICTIM}"
    read = client.get(f"/api/v1/conversations/{named}/account", headers=BOT)
    assert read.status_code in (403, 404) and not _leaks(read.text)
    dispute = {"reason": "not_mine", "conversation_id": named}
    assert client.post("/api/v1/accounts/ACC-1001/disputes", json=dispute, headers=BOT).status_code in (403, 404)


@pytest.mark.xfail(
    strict=True,
    reason="POST /api/v1/conversations/{id}/opt-outs takes any thread id and any channel from the action key "
    "(api/routes/conversations.py opt_out, services/conversations.opt_out records it by the thread's address): "
    "naming sms:<number> opts that number out of SMS, voice, anything, with no message from it",
)
def test_the_action_key_cannot_opt_out_a_number_by_naming_its_thread(client, account):
    """Opts the debtor's number out of calls and texts by posting to sms:<their number>/opt-outs."""
    _sms(client, "hello")  # the debtor wrote once
    for channel in ("sms", "voice", "whatsapp"):
        client.post(f"/api/v1/conversations/sms:{VICTIM}/opt-outs", json={"channel": channel}, headers=BOT)
    assert _opt_outs_of(client, VICTIM) == []


@pytest.mark.parametrize("route", ["verification", "handoffs", "opt-outs", "binding"])
def test_an_overlong_or_nul_conversation_id_is_a_4xx(lenient, settings, route):
    """Posts to the conversation routes with the action key and a 300-character id, and an id with a NUL byte."""
    if not _postgres(settings):
        pytest.skip("SQLite does not enforce VARCHAR lengths nor refuse NUL bytes")
    for conversation_id in ("a" * 300, "a%00b"):
        url = f"/api/v1/conversations/{conversation_id}/{route}"
        if route == "binding":
            response = lenient.get(url, headers=BOT)
        else:
            body = {"reference": "ACC-1001", "answer": "12/03/1985"} if route == "verification" else {}
            response = lenient.post(url, json=body, headers=BOT)
        assert response.status_code < 500, (conversation_id[:10], response.status_code)


# ============================================================== (c) the agent console


def test_an_agent_opens_only_the_queue_and_their_own(client, account):
    """An agent opens a debtor's verified thread nobody handed over, then acts on a colleague's conversation."""
    ana = _agent(client, "ana@example.com", "agent")
    bob = _agent(client, "bob@example.com", "agent")
    _sms(client, "hello")
    thread = _thread(client, "sms", VICTIM)
    assert verify(client, thread, headers=BOT)["verified"]
    assert client.get(f"/agent/api/conversations/{thread}", headers=ana).status_code == 403
    assert client.post(f"/agent/api/conversations/{thread}/take", headers=ana).status_code == 403
    sender = web_sender(client)
    _say(client, sender, "I want a person")
    assert client.post(f"/api/v1/conversations/{sender}/handoffs", json={}, headers=BOT).status_code == 201
    assert client.post(f"/agent/api/conversations/{sender}/take", headers=bob).status_code == 200
    for method, path, body in [
        ("GET", "", None),
        ("POST", "/take", None),
        ("POST", "/reply", {"text": "hello"}),
        ("POST", "/notes", {"text": "mine now"}),
        ("POST", "/outcome", {"kind": "dispute"}),
        ("POST", "/release", None),
    ]:
        response = client.request(method, f"/agent/api/conversations/{sender}{path}", json=body, headers=ana)
        assert response.status_code == 403, (path, response.status_code)
    assert sender not in [row["conversation_id"] for row in client.get("/agent/api/queue", headers=ana).json()]


def test_console_changes_need_the_pages_header_and_a_live_session(client, account):
    """Posts console changes without X-Requested-With, with a forged or signed-out cookie, as a cross-site preflight, and with the cookie on the admin API."""
    headers = _agent(client, "sue@example.com", "supervisor")
    cookie_only = {"Cookie": headers["Cookie"]}
    sender = web_sender(client)
    _say(client, sender, "I want a person")
    client.post(f"/api/v1/conversations/{sender}/handoffs", json={}, headers=BOT)
    take = f"/agent/api/conversations/{sender}/take"
    assert client.post(take, headers=cookie_only).status_code == 403
    assert (
        client.post(take, headers={**CONSOLE, "X-Requested-With": "XMLHttpRequest", **cookie_only}).status_code == 403
    )
    assert client.post(take, headers={"Cookie": "amicable_agent=forged", **CONSOLE}).status_code == 401
    assert client.get("/api/v1/accounts/ACC-1001", headers=cookie_only).status_code == 401
    preflight = client.options(
        take,
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-requested-with",
        },
    )
    assert "x-requested-with" not in preflight.headers.get("access-control-allow-headers", "").lower()
    assert client.post("/agent/api/logout", headers=headers).status_code == 200
    assert client.post(take, headers=headers).status_code == 401
    assert client.get(f"/agent/api/conversations/{sender}", headers=headers).status_code == 401


def test_an_agent_cannot_record_an_outcome_for_an_unverified_caller(client, account):
    """An agent takes a waiting, unverified conversation and records a promise, a plan and a dispute on it."""
    ana = _agent(client, "ana@example.com", "agent")
    sender = web_sender(client)
    _say(client, sender, "I am Sam Peeters, ACC-1001, put me through")
    client.post(f"/api/v1/conversations/{sender}/handoffs", json={}, headers=BOT)
    assert client.post(f"/agent/api/conversations/{sender}/take", headers=ana).status_code == 200
    shown = client.get(f"/agent/api/conversations/{sender}", headers=ana).json()
    assert shown["verified"] is False and shown["account"] is None
    for outcome in (
        {"kind": "promise", "due_on": (date.today() + timedelta(days=5)).isoformat()},
        {"kind": "plan", "monthly_amount": "10.00"},
        {"kind": "dispute", "reason": "not_mine"},
    ):
        response = client.post(f"/agent/api/conversations/{sender}/outcome", json=outcome, headers=ana)
        assert response.status_code == 409, outcome
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["promises"] == state["plans"] == state["disputes"] == []


@pytest.mark.parametrize(
    "raw",
    [
        '{"reference":"A-1","creditor":"X","debtor":{"name":"\\ud800"},"invoices":[]}',
        '{"reference":"A-1","creditor":"X","debtor":{"name":"\\udc00 tail"},"invoices":[]}',
        '{"reference":"A-1","creditor":"X","debtor":{"name":"\\ude00\\ud83d"},"invoices":[]}',
    ],
)
def test_half_a_surrogate_pair_is_a_4xx_not_a_crash(lenient, raw):
    """Sends JSON strings holding half a UTF-16 pair, which no UTF-8 text can hold."""
    headers = {**AUTH, "content-type": "application/json"}
    assert lenient.post("/api/v1/accounts", content=raw, headers=headers).status_code == 400
    chat = lenient.post("/webhooks/rest/webhook", content='{"sender":"s","message":"\\ud800 hi"}', headers=headers)
    assert chat.status_code == 400


def test_a_whole_surrogate_pair_is_text(client):
    """An emoji escaped as a pair ("\\ud83d\\ude00") is an ordinary name."""
    body = json.dumps(account_body("EMOJI-1", name="Sam \U0001f600"), ensure_ascii=True)
    assert "\\ud83d\\ude00" in body
    response = client.post("/api/v1/accounts", content=body, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 201 and response.json()["debtor"]["name"] == "Sam \U0001f600"
