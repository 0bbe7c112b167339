"""Illness and bereavement: empathy first, collection paused at once, the vulnerability
noted only after the debtor's explicit yes where their country requires it, then a person."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import make_debtor

pytestmark = pytest.mark.stack


def test_illness_pauses_asks_consent_then_offers_a_person(debtor):
    debtor.verify()
    reply = debtor.say("I've been in hospital for weeks with my heart")
    assert "paused" in reply or "on hold" in reply
    assert "note on your file" in reply
    state = debtor.account()
    assert state["status"] == "on_hold" and state["vulnerable"] is False
    reply = debtor.say("yes that's fine")
    assert debtor.account()["vulnerable"] is True
    assert "colleague" in reply or "someone" in reply
    debtor.say("yes please")
    assert debtor.account()["handoffs"], "a yes to the colleague hands over"


def test_a_french_no_to_noting_keeps_the_pause_and_records_nothing(french_debtor):
    french_debtor.verify()
    reply = french_debtor.say("mon mari est décédé le mois dernier")
    assert "condoléances" in reply.lower()
    reply = french_debtor.say("non")
    state = french_debtor.account()
    assert state["status"] == "on_hold" and state["vulnerable"] is False
    assert "pause" in reply


def test_where_no_consent_is_required_the_bot_does_not_ask(stack):
    debtor = make_debtor(stack, country="US", timezone="America/New_York")
    debtor.verify("March 12, 1985")  # 12/03/1985 reads as December 3rd in the US
    reply = debtor.say("my mother passed away last week")
    assert "note on your file" not in reply
    assert debtor.account()["vulnerable"] is True


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "honestly I can't handle any of this at the moment, it's all too much"),
        ("fr", "je suis à bout, je n'arrive plus à gérer tout ça"),
        ("nl", "sorry maar dit wordt me nu echt allemaal te veel, ik kan het niet aan"),
    ],
)
def test_being_overwhelmed_leads_to_a_pause_and_a_person_not_a_payment_date(stack, language, said):
    debtor = make_debtor(stack, language=language)
    debtor.verify()
    reply = debtor.say(said)
    state = debtor.account()
    assert state["status"] == "on_hold" and state["reason"] == "overwhelmed"
    assert not state["promises"] and not state["payment_links"]
    assert reply  # care in their language, then a person is offered (or consent asked first)
