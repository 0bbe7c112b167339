"""The same conversations in French and Dutch: replies follow the debtor's language, with
amounts and dates in their format."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.stack


def test_a_french_speaker_who_forgot_gets_a_french_payment_link(french_debtor):
    opening = french_debtor.say("bonjour")
    assert "référence" in opening
    french_debtor.say(french_debtor.reference)
    french_debtor.say("12/03/1985")
    after = french_debtor.say(french_debtor.postcode)
    assert "120,50" in after and "€" in after
    reply = french_debtor.say("désolé j'ai complètement oublié de payer")
    state = french_debtor.account()
    assert state["reason"] == "forgot"
    assert state["payment_links"][0]["url"] in reply
    assert "carte bancaire" in reply and "Bancontact" in reply


def test_a_dutch_promise_is_confirmed_in_dutch_with_a_dutch_date(dutch_debtor):
    dutch_debtor.say("goedemorgen")
    dutch_debtor.say(dutch_debtor.reference)
    dutch_debtor.say("12-03-1985")
    dutch_debtor.say("3511AB")
    reply = dutch_debtor.say("ik kan volgende week vrijdag betalen")
    promises = dutch_debtor.account()["promises"]
    assert len(promises) == 1, reply
    due = datetime.fromisoformat(promises[0]["due_on"]).date()
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    assert due.weekday() == 4 and 0 < (due - today).days <= 14
    assert "vrijdag" in reply and "120,50" in reply


def test_a_message_clearly_in_french_gets_french_even_on_an_english_account(debtor):
    debtor.say("bonjour, je voudrais savoir combien je dois")
    debtor.say(debtor.reference)
    debtor.say("12 mars 1985")
    after = debtor.say(debtor.postcode)
    assert "120,50" in after  # French number format, French words
    assert "Thank you" not in after


@pytest.mark.parametrize(("opening", "forgot", "language", "on_page"), [
    ("bonjour", "désolé, j'ai complètement oublié de payer", "fr", "Paiement à"),
    ("goedemiddag", "sorry, ik ben helemaal vergeten te betalen", "nl", "Betaling aan"),
])  # fmt: skip
def test_the_conversations_language_becomes_the_debtors_and_the_pay_page_follows(
    stack, opening, forgot, language, on_page
):
    import httpx

    from tests.e2e.conftest import make_debtor

    debtor = make_debtor(stack, language="en")
    debtor.say(opening)
    debtor.say(debtor.reference)
    debtor.say("12/03/1985")
    debtor.say(debtor.postcode)
    reply = debtor.say(forgot)
    state = debtor.account()
    assert state["language"] == language
    page = httpx.get(state["payment_links"][0]["url"], timeout=30).text
    assert on_page in page, reply
