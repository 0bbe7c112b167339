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
    reply = debtor.say(SAYS[outcome][language])
    assert recorded(debtor.account(), outcome), reply
    # The same offline detector the gateway uses reads the reply's language.
    assert detect(reply) == language, reply
