"""SMS and WhatsApp through Twilio: signatures checked with the real twilio library (and
its published test vector), STOP and HELP before anything else, numbers read as E.164,
replies as TwiML split sensibly, delivery callbacks recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from amicable.db.models import Message
from amicable.providers.outbound import whatsapp_window_open
from amicable.providers.twilio import e164
from amicable.services import conversations
from channels.twilio_messaging import keyword, split_text
from tests.conftest import AUTH, TWILIO_TOKEN
from tests.factories import account_body

NUMBER = "+32470123456"  # the factory debtor's phone


def test_the_validator_matches_twilios_published_vector():
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    validator = RequestValidator("12345")
    assert validator.compute_signature(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert validator.validate(url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not validator.validate(url, {**params, "Digits": "9999"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


def _post(client, path: str, params: dict, *, sign_url: str | None = None, token: str = TWILIO_TOKEN):
    url = sign_url or f"http://testserver{path}"
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def _sms(client, body: str, sender: str = NUMBER, channel: str = "sms", **extra):
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    params = {
        "MessageSid": "SM" + "0" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": prefix + sender,
        "To": prefix + "+3228080000",
        "Body": body,
        "NumMedia": "0",
        **extra,
    }
    return _post(client, f"/channels/twilio/{channel}", params)


def _messages(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return [node.text or "" for node in ElementTree.fromstring(response.text).iter("Message")]


def test_unsigned_forged_or_misaddressed_requests_are_refused(client):
    params = {"From": NUMBER, "Body": "hello"}
    assert client.post("/channels/twilio/sms", data=params).status_code == 403
    assert _post(client, "/channels/twilio/sms", params, token="not-the-token").status_code == 403
    # Signed for another address than the one Twilio was configured with (PUBLIC_BASE_URL).
    assert (
        _post(client, "/channels/twilio/sms", params, sign_url="https://evil.example/channels/twilio/sms").status_code
        == 403
    )
    assert (
        _post(client, "/channels/twilio/whatsapp", {**params, "Body": "STOP"}, sign_url="http://x/").status_code == 403
    )


@pytest.mark.parametrize("word", ["STOP", "stop", "  Stop! ", "ARRÊT", "arret.", "Stoppen", "afmelden"])
def test_stop_in_any_form_records_the_opt_out_without_the_bot(client, word):
    client.post("/api/v1/accounts", json=account_body(language="fr"), headers=AUTH)
    [reply] = _messages(_sms(client, word))
    # Answered in the debtor's language, by the gateway itself (the bot is not even running).
    assert "Vous ne recevrez plus de messages" in reply
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert [o["channel"] for o in state["opt_outs"]] == ["sms"]
    # Twice is still one opt-out.
    _sms(client, word)
    assert len(client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["opt_outs"]) == 1


def test_stop_on_whatsapp_is_an_opt_out_for_whatsapp(client):
    client.post("/api/v1/accounts", json=account_body(language="nl"), headers=AUTH)
    [reply] = _messages(_sms(client, "STOP", channel="whatsapp"))
    assert "geen berichten meer" in reply
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert [o["channel"] for o in state["opt_outs"]] == ["whatsapp"]


def test_help_and_media_get_a_calm_answer_that_discloses_nothing(client):
    [help_text] = _messages(_sms(client, "help", sender="+32470999888"))
    assert "STOP" in help_text and "€" not in help_text
    [media] = _messages(_sms(client, "", NumMedia="1", MediaUrl0="https://api.twilio.com/x.jpg"))
    assert "only read text" in media


def test_a_message_continues_the_numbers_conversation(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    [reply] = _messages(_sms(client, "hello, about my bill"))
    # No bot in this test: the gateway says so calmly, and keeps the message for it.
    assert "I have kept your message and will answer it here" in reply
    with client.app.state.sessionmaker() as session:
        conversation = conversations.get(session, f"sms:{NUMBER}")
        assert conversation.address == NUMBER and conversation.channel == "sms"
        assert [m.text for m in conversation.messages if m.author == "debtor"] == ["hello, about my bill"]
        assert whatsapp_window_open(session, f"sms:{NUMBER}")


def test_delivery_callbacks_are_recorded(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    params = {"MessageSid": "SM123", "MessageStatus": "undelivered", "ErrorCode": "30003", "To": NUMBER}
    assert _post(client, "/channels/twilio/status", params).status_code == 204
    log = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["contact_log"]
    assert any(c["kind"] == "delivery" and c["detail"] == "SM123 undelivered error 30003" for c in log)
    assert _post(client, "/channels/twilio/status", {"MessageSid": "SM1"}).status_code == 400
    call = {"CallSid": "CA9", "CallStatus": "no-answer", "To": NUMBER}
    assert _post(client, "/channels/twilio/status", call).status_code == 204
    log = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["contact_log"]
    assert any(c["channel"] == "voice" and c["detail"] == "CA9 no-answer" for c in log)


def test_long_texts_are_split_at_sentence_ends_without_cutting_words_or_links():
    link = "https://pay.example/pay/pl_abcdefghijklmnop"
    text = ("Here is what I can offer you today. " * 12) + f"Pay here: {link} when it suits you."
    parts = split_text(text, 320)
    assert all(len(part) <= 320 for part in parts) and len(parts) > 1
    assert " ".join(parts).split() == text.split()
    assert any(link in part for part in parts)
    assert all(part.endswith((".", ":")) for part in parts[:-1])


def test_keywords_numbers_and_the_whatsapp_window():
    assert keyword(" Stop!! ") == "STOP" and keyword("Arrêt") == "ARRET" and keyword("stop it") == "STOPIT"
    assert e164("whatsapp:+32 470 12 34 56") == "+32470123456"
    assert e164("+1555") is None and e164("not a number") is None


def test_the_whatsapp_window_closes_24_hours_after_the_debtor_last_wrote(client):
    with client.app.state.sessionmaker() as session, session.begin():
        conversation = conversations.get_or_create(session, "whatsapp:+32470123456", "whatsapp", NUMBER)
        session.add(Message(conversation=conversation, author="debtor", text="hi"))
    with client.app.state.sessionmaker() as session:
        now = datetime.now(UTC)
        assert whatsapp_window_open(session, "whatsapp:+32470123456", now + timedelta(hours=23))
        assert not whatsapp_window_open(session, "whatsapp:+32470123456", now + timedelta(hours=25))
        assert not whatsapp_window_open(session, "whatsapp:+32499999999", now)


@given(st.text(alphabet="+0123456789 -().whatsapp:tel", max_size=30))
def test_one_reading_of_phone_numbers_never_fails_loudly(raw):
    """Inbound messages, outreach, agents' replies and one-time codes all read numbers with the
    same function: any input gives an E.164 number or None, never an exception."""
    read = e164(raw)
    assert read is None or (read.startswith("+") and read[1:].isdigit())


def test_every_sender_reads_numbers_the_same_way():
    from amicable.outreach import dispatch
    from amicable.providers import twilio
    from amicable.services import conversations as conversation_service
    from channels import twilio_messaging, twilio_voice

    for module in (dispatch, conversation_service, twilio_messaging, twilio_voice):
        assert module.e164 is twilio.e164, module.__name__
