"""A debtor calling from their own number: spoken prompts in their language, the date of
birth typed on the keypad, 1 to pay by card, and the payment link sent by SMS."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import TWILIO_TOKEN
from tests.e2e.conftest import make_debtor

pytestmark = pytest.mark.stack


def _turn(stack, caller: str, query: str = "", **params) -> ElementTree.Element:
    url = f"{stack.web_url}/channels/twilio/voice{query}"
    form = {"CallSid": "CA" + "7" * 32, "From": caller, "To": "+3228080000", "Direction": "inbound", **params}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    response = httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.text)


def _said(twiml: ElementTree.Element) -> str:
    return " ".join(node.text or "" for node in twiml.iter("Say"))


def test_a_call_confirms_identity_by_keypad_and_texts_the_payment_link(stack, twilio_api):
    debtor = make_debtor(stack, language="fr", country="BE", phone="+32470555222")
    hello = _turn(stack, "+32470555222")
    assert hello.find("Gather").get("language") == "fr-BE"
    assert "date de naissance" in _said(hello) and "€" not in _said(hello)
    postcode = _turn(stack, "+32470555222", "?turn=1&silence=0", Digits="12031985")
    assert "code postal" in _said(postcode) and "€" not in _said(postcode)
    verified = _turn(stack, "+32470555222", "?turn=1&silence=0", Digits="1000")
    assert "120 euros et 50 centimes" in _said(verified) or "tapez 1" in _said(verified), _said(verified)
    paying = _turn(stack, "+32470555222", "?turn=1&silence=0", Digits="1")
    assert "SMS" in _said(paying) and "http" not in _said(paying)
    [text] = [m for m in twilio_api.messages if m["to"] == "+32470555222"]
    [link] = debtor.account()["payment_links"]
    assert link["url"] in text["body"] and text["from"] == "+3228080000"
