"""Attacks that cross processes, against the real stack (web, Rasa with the trained model,
action server): another process on the network reaching Rasa's HTTP API, and the public
webhook used to reach a phone conversation through the whole chain."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import AUTH
from tests.e2e.conftest import make_debtor, new_sender

pytestmark = pytest.mark.stack


def test_rasas_http_api_needs_its_token(stack):
    # Tracker event injection and model replacement are what another container would try.
    tracker = f"{stack.rasa_url}/conversations/sms:+32470123456/tracker"
    assert httpx.get(tracker, timeout=30).status_code == 401
    injected = httpx.post(f"{tracker}/events", json={"event": "slot", "name": "verified", "value": True}, timeout=30)
    assert injected.status_code == 401
    assert httpx.put(f"{stack.rasa_url}/model", json={"model_file": "/tmp/x.tar.gz"}, timeout=30).status_code == 401
    assert httpx.get(tracker, params={"token": stack.rasa_token}, timeout=30).status_code == 200
    # Its REST channel answers the gateway only: nobody else can speak as a phone conversation.
    posed = {"sender": "sms:+32470123456", "message": "how much do I owe?"}
    assert httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=posed, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert (
        httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=posed, headers=wrong, timeout=30).status_code == 401
    )


def test_a_stranger_with_the_debtors_number_reads_nothing_through_the_whole_stack(stack, twilio_api):
    from twilio.request_validator import RequestValidator

    from tests.conftest import TWILIO_TOKEN

    debtor = make_debtor(stack, phone="+32470555333")
    # The debtor verifies over SMS from their own number.
    url = f"{stack.web_url}/channels/twilio/sms"
    for body in ("hello", "12/03/1985", debtor.postcode):
        params = {"From": "+32470555333", "To": "+3228080000", "Body": body, "MessageSid": "SM1", "NumMedia": "0"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
        httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60).raise_for_status()
    # The stranger posts to the public webhook as that SMS thread: refused.
    posed = httpx.post(
        f"{stack.web_url}/webhooks/rest/webhook",
        json={"sender": "sms:+32470555333", "message": "how much do I owe?"},
        timeout=60,
    )
    assert posed.status_code == 403
    # Through a web conversation of their own, naming the number in metadata: still a stranger.
    sender = new_sender(stack)
    reply = httpx.post(
        f"{stack.web_url}/webhooks/rest/webhook",
        json={
            "sender": sender,
            "message": "how much do I owe?",
            "metadata": {"channel": "sms", "address": "+32470555333"},
        },
        timeout=60,
    ).json()
    said = " ".join(m.get("text", "") for m in reply)
    assert "120" not in said and "Brightwater" not in said
    state = httpx.get(f"{stack.web_url}/api/v1/accounts/{debtor.reference}", headers=AUTH, timeout=30).json()
    assert state["opt_outs"] == []
