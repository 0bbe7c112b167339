"""A restarted bot goes on where each conversation was: Rasa keeps its trackers in a SQL store
(endpoints.yml; the stack writes its own), so killing it in the middle of the identity check
loses neither the question it asked nor the answer already given."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.stack


def test_a_conversation_goes_on_after_the_bot_is_killed_and_started_again(stack, debtor):
    opening = debtor.say("hi")
    assert "reference" in opening.lower()
    debtor.say(debtor.reference)
    asked = debtor.say("12 March 1985")
    assert "postcode" in asked
    stack.kill("rasa")
    # Meanwhile the debtor is told the truth: nothing was acted on.
    assert "not acted on your message" in debtor.say("1000")
    stack.restart("rasa")
    # The same question is still open (the postcode), and its answer completes the check.
    after = debtor.say("1000")
    assert "€120.50" in after and "Brightwater Energy" in after, after
