"""A debtor texting from their own number, through Twilio's webhook, the gateway and the bot:
the number joins their file, identity is still confirmed before any figure is said."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import TWILIO_TOKEN
from tests.e2e.conftest import make_debtor

pytestmark = pytest.mark.stack


def _text(stack, sender: str, body: str) -> str:
    url = f"{stack.web_url}/channels/twilio/sms"
    params = {"From": sender, "To": "+3228080000", "Body": body, "MessageSid": "SM1", "NumMedia": "0"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    response = httpx.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=60)
    assert response.status_code == 200, response.text
    return "\n".join(m.text or "" for m in ElementTree.fromstring(response.text).iter("Message"))


def test_an_sms_conversation_confirms_identity_then_answers_in_the_debtors_language(stack):
    debtor = make_debtor(stack, language="nl", country="BE", phone="+32470555111")
    first = _text(stack, "+32470555111", "hallo, ik kreeg een bericht")
    assert "€" not in first  # nothing about the debt before the check
    # The number is the debtor's own: the file is known, the reference is not asked.
    assert "geboortedatum" in first, first
    assert "postcode" in _text(stack, "+32470555111", "12-03-1985")
    _text(stack, "+32470555111", "1000")
    balance = _text(stack, "+32470555111", "hoeveel moet ik nog betalen?")
    assert "120,50" in balance, balance
    assert _text(stack, "+32470555111", "STOP").startswith("U krijgt van ons geen berichten meer")
    assert [o["channel"] for o in debtor.account()["opt_outs"]] == ["sms"]
