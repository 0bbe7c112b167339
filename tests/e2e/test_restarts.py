"""A restarted bot goes on where each conversation was: Rasa keeps its trackers in a SQL store
(endpoints.yml; the stack writes its own), so killing it in the middle of the identity check
loses neither the question it asked nor the answer already given; and what the debtor wrote
while it was down is kept and answered once it is back (channels/outbox.py)."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.stack


def test_a_conversation_goes_on_after_the_bot_is_killed_and_started_again(stack, debtor):
    opening = debtor.say("hi")
    assert "reference" in opening.lower()
    debtor.say(debtor.reference)
    asked = debtor.say("12 March 1985")
    assert "postcode" in asked
    stack.kill("rasa")
    # Meanwhile the debtor is told the truth: the message is kept and will be answered.
    assert "kept your message" in debtor.say("1000")
    stack.restart("rasa")
    # The kept postcode goes to the restarted bot, whose form still asks for it: the check
    # completes, and the answer reaches the web chat without the debtor writing again.
    deadline, late = time.monotonic() + 60, []
    while time.monotonic() < deadline and not late:
        polled = httpx.get(
            f"{stack.web_url}/webhooks/rest/messages", params={"sender": debtor.sender, "after": 0}, timeout=10
        ).json()
        late = [m["text"].replace("\xa0", " ") for m in polled if m.get("author") == "bot"]
        time.sleep(1)
    answer = " ".join(late)
    assert "€120.50" in answer and "Brightwater Energy" in answer, polled
