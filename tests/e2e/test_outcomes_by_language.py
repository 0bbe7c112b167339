"""Every outcome in every language, through the whole stack: what the debtor says ends in the
right record on the account, and the reply is in their language."""

from __future__ import annotations

import pytest

from amicable.language import detect
from tests.e2e.conftest import make_debtor

pytestmark = pytest.mark.stack

LANGUAGES = {
    "en": {"country": "BE", "answer": "12/03/1985", "greeting": "hi"},
    "fr": {"country": "BE", "answer": "12 mars 1985", "greeting": "bonjour"},
    "nl": {"country": "NL", "answer": "12-03-1985", "greeting": "hallo"},
}
SAYS = {
    "payment_link": {
        "en": "can you send me the link to pay",
        "fr": "envoyez-moi le lien pour payer svp",
        "nl": "stuur me de betaallink maar",
    },
    "promise": {
        "en": "I will pay on friday",
        "fr": "je vais payer vendredi",
        "nl": "ik betaal vrijdag",
    },
    "dispute": {
        "en": "this is not my debt, I never signed anything with you",
        "fr": "ce n'est pas ma dette, je n'ai jamais rien signé chez vous",
        "nl": "dit is niet mijn schuld, ik heb nooit iets bij jullie getekend",
    },
    "handoff": {
        "en": "I want to talk to a real person",
        "fr": "je veux parler à un vrai conseiller",
        "nl": "ik wil met een echte medewerker praten",
    },
    "opt_out": {"en": "STOP", "fr": "STOP", "nl": "STOP"},
}


def recorded(state: dict, outcome: str) -> bool:
    return {
        "payment_link": bool(state["payment_links"]),
        "promise": bool(state["promises"]),
        "dispute": state["status"] == "disputed",
        "handoff": bool(state["handoffs"]),
        "opt_out": bool(state["opt_outs"]),
    }[outcome]


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("outcome", list(SAYS))
def test_outcome_is_recorded_and_answered_in_the_debtors_language(stack, language, outcome):
    settings = LANGUAGES[language]
    debtor = make_debtor(stack, language=language, country=settings["country"])
    debtor.say(settings["greeting"])
    debtor.say(debtor.reference)
    debtor.say(settings["answer"])
    debtor.say(debtor.postcode)
    reply = debtor.say(SAYS[outcome][language])
    assert recorded(debtor.account(), outcome), reply
    # The same offline detector the gateway uses reads the reply's language.
    assert detect(reply) == language, reply


@pytest.mark.parametrize(
    "language, says, shown",
    [
        ("en", "can I pay it all now?", ("€6.03", "€114.47", "€120.50")),
        ("fr", "je veux tout payer maintenant", ("6,03", "114,47", "120,50")),
        ("nl", "ik wil alles in een keer betalen", ("6,03", "114,47", "120,50")),
    ],
)
def test_paying_in_full_offers_the_creditors_discount_with_exact_figures(stack, language, says, shown):
    """Polder Telecom's policy takes 5 % off for paying in full: 6.03 off 120.50."""
    settings = LANGUAGES[language]
    debtor = make_debtor(stack, creditor="Polder Telecom", language=language, country=settings["country"])
    debtor.say(settings["greeting"])
    debtor.say(debtor.reference)
    debtor.say(settings["answer"])
    debtor.say(debtor.postcode)
    reply = debtor.say(says)
    assert all(figure in reply for figure in shown), reply
    [link] = debtor.account()["payment_links"]
    assert (link["amount"], link["discount"]) == ("114.47", "6.03")
    assert link["url"] in reply and detect(reply) == language


def test_a_failed_payment_gets_other_methods_and_the_transfer_reference(stack):
    debtor = make_debtor(stack, language="en", country="BE")
    debtor.verify()
    reply = debtor.say("I tried to pay but my card got declined")
    reference = debtor.account()["payment_reference"]
    assert "BE68 5390 0754 7034" in reply and reference in reply, reply
    assert "€120.50" in reply
