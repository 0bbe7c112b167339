"""The phone through Twilio Voice: signed webhooks answered with TwiML in the debtor's
language and regional voice, keypad fallbacks, silence handled twice before a person."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from channels.twilio_voice import for_speech, hints_for, region
from tests.conftest import AUTH, TWILIO_TOKEN
from tests.factories import account_body

PATH = "/channels/twilio/voice"


def _call(client, caller: str, query: str = "", **params):
    url = f"http://testserver{PATH}{query}"
    form = {"CallSid": "CA" + "0" * 32, "From": caller, "To": "+3228080000", "Direction": "inbound", **params}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    response = client.post(f"{PATH}{query}", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.text)


@pytest.mark.parametrize(
    "debtor, language, voice",
    [
        ({"language": "fr", "country": "BE"}, "fr-BE", "Polly.Isabelle"),
        ({"language": "nl", "country": "NL"}, "nl-NL", "Polly.Laura"),
        ({"language": "nl", "country": "BE"}, "nl-BE", "Polly.Lisa"),
        ({"language": "en", "country": "GB"}, "en-GB", "Polly.Amy"),
    ],
)
def test_a_known_number_is_answered_in_the_debtors_language_and_voice(client, debtor, language, voice):
    client.post("/api/v1/accounts", json=account_body(**debtor), headers=AUTH)
    twiml = _call(client, "+32470123456")
    gather = twiml.find("Gather")
    assert gather.get("input") == "speech dtmf" and gather.get("language") == language
    assert gather.get("actionOnEmptyResult") == "true"
    # Nobody is verified on the first turn: the recogniser listens for a date or a postcode.
    assert gather.get("hints") == hints_for(language[:2], False, [])
    say = gather.find("Say")
    assert say.get("voice") == voice and say.get("language") == language


def test_hints_follow_the_question():
    assert "date de naissance" in hints_for("fr", False, []) and "janvier" in hints_for("fr", False, [])
    chosen = hints_for("nl", True, ["Betalingsregeling", "Nu betalen"]).split(", ")
    assert chosen[:2] == ["Betalingsregeling", "Nu betalen"] and "medewerker" in chosen
    assert "geboortedatum" not in chosen and len(chosen) == len(set(chosen)) <= 100


def test_unsigned_calls_are_refused_and_unknown_numbers_get_english(client):
    assert client.post(PATH, data={"From": "+32470123456"}).status_code == 403
    twiml = _call(client, "+447700900123")
    assert twiml.find("Gather").get("language") == "en-GB"


def test_silence_is_asked_about_once_then_a_person_is_offered(client, settings):
    twiml = _call(client, "+447700900123", "?turn=1&silence=0", SpeechResult="")
    assert "didn't hear anything" in twiml.find("Gather/Say").text
    assert "silence=1" in twiml.find("Gather").get("action")
    twiml = _call(client, "+447700900123", "?turn=1&silence=1", SpeechResult="")
    # No agent line configured: a promise of a call back, then the call ends politely.
    assert "call you back" in twiml.find("Say").text and twiml.find("Hangup") is not None


def test_with_an_agent_line_the_second_silence_dials_it(settings):
    from fastapi.testclient import TestClient

    from server.app import create_app

    with TestClient(create_app(settings.model_copy(update={"agent_phone_number": "+3225551234"}))) as client:
        twiml = _call(client, "+447700900123", "?turn=1&silence=1", SpeechResult="")
        assert twiml.find("Dial").text == "+3225551234"


def test_amounts_are_spoken_as_money_and_links_never_read_out():
    assert for_speech("You owe €120.50 in total.", "en") == "You owe 120 euros and 50 cents in total."
    assert for_speech("Le solde est de 120,50 €.", "fr") == "Le solde est de 120 euros et 50 centimes."
    assert for_speech("Nog € 1.234,00 te betalen", "nl") == "Nog 1234 euro te betalen."
    spoken = for_speech("Here is a secure link to pay €120.50: http://x/pay/pl_1\nYou can pay by card.", "en")
    assert "http" not in spoken and "pay_" not in spoken and "120 euros and 50 cents" in spoken
    assert region("fr", "FR") == ("fr-FR", "Polly.Lea") and region("nl", None) == ("nl-BE", "Polly.Lisa")


def test_an_outbound_call_is_placed_with_our_voice_webhook(settings):
    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests.conftest import TWILIO_SID
    from tests.fakes.twilio_api import FakeTwilio

    # Calls follow the compliance rules; here Belgium's window is open around the clock, so the
    # test passes at whatever hour it runs.
    rules = settings.policies_dir / "compliance" / "BE.yml"
    always = "".join(f'  {d}: "00:00-24:00"\n' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    rules.write_text(rules.read_text() + f"contact_hours:\n{always}public_holidays: true\n")
    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as fake:
        configured = settings.model_copy(
            update={"twilio_account_sid": TWILIO_SID, "twilio_from_number": "+3228080000", "twilio_api_base": fake.url}
        )
        with TestClient(create_app(configured)) as client:
            client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
            placed = client.post("/api/v1/accounts/ACC-1001/calls", headers=AUTH)
            assert placed.status_code == 201, placed.text
            [call] = fake.calls
            assert call["to"] == "+32470123456" and call["url"] == "http://testserver/channels/twilio/voice"
            assert call["status_callback"] == "http://testserver/channels/twilio/status"
            # The outbound call's webhook reads the debtor from the number called.
            twiml = _outbound(client, call["sid"])
            assert twiml.find("Gather").get("language") == "en-GB"


def test_no_call_without_configuration_or_after_an_opt_out(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    refused = client.post("/api/v1/accounts/ACC-1001/calls", headers=AUTH)
    assert refused.status_code == 409 and "TWILIO_ACCOUNT_SID" in refused.json()["detail"]


def test_a_call_the_rules_forbid_is_refused_with_the_rule(settings):
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from amicable.db.models import Account
    from amicable.db.session import transaction
    from server.app import create_app
    from tests.conftest import TWILIO_SID

    configured = settings.model_copy(update={"twilio_account_sid": TWILIO_SID, "twilio_from_number": "+3228080000"})
    with TestClient(create_app(configured)) as client:
        client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
        with transaction(client.app.state.sessionmaker) as session:
            session.scalar(select(Account)).on_hold = True
        refused = client.post("/api/v1/accounts/ACC-1001/calls", headers=AUTH)
        assert refused.status_code == 409 and refused.json()["detail"].startswith("not now (hold)")


def _outbound(client, sid: str):
    url = f"http://testserver{PATH}"
    form = {"CallSid": sid, "From": "+3228080000", "To": "+32470123456", "Direction": "outbound-api"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    response = client.post(PATH, data=form, headers={"X-Twilio-Signature": signature})
    return ElementTree.fromstring(response.text)
