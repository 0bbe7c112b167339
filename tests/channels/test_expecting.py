"""What the bot's question expects travels with its answer (the `Bot-Expecting` header of its
channel, bot/expecting.py) and the gateway keeps it with the conversation: the next message is
redacted and read for care cues with it in mind, and the gateway never asks the bot for its
tracker on an ordinary turn."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from amicable.db.models import Conversation
from bot.answers import ANOTHER_AMOUNT, YES_NO, expected
from server.app import create_app
from tests.factories import web_sender
from tests.fakes.local_server import JsonHandler, LocalServer


class _Bot(LocalServer):
    """A bot that asks for a date of birth, then for nothing in particular; it counts the
    requests for a tracker, which an ordinary turn must not make."""

    def __init__(self, script: list[str | None]) -> None:
        self.seen: list[dict] = []
        self.tracker_reads = 0
        outer = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.tracker_reads += 1
                self._reply(200, {"slots": {}, "events": []})

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.seen.append(body)
                step = script[min(len(outer.seen), len(script)) - 1]
                headers = {} if step == "<unsaid>" else {"Bot-Expecting": step or ""}
                self._reply(200, [{"recipient_id": body["sender"], "text": f"next: {step}"}], headers)

        self._start(Handler)


def _client(settings, bot):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    return TestClient(create_app(settings.model_copy(update={"rasa_url": bot.url, "rasa_token": "t"})))


def test_the_expected_answer_is_kept_from_the_bots_answer_and_used_for_the_next_message(settings):
    with _Bot(["identity_answer", None, "<unsaid>"]) as bot, _client(settings, bot) as client:
        sender = web_sender(client)
        say = lambda text: client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})  # noqa: E731
        assert say("hello").status_code == 200
        with client.app.state.sessionmaker() as session:
            assert session.get(Conversation, sender).bot_expecting == "identity_answer"
        say("12/03/1985")  # a date of birth, given for the check: kept masked
        with client.app.state.sessionmaker() as session:
            conversation = session.get(Conversation, sender)
            texts = [m.text for m in conversation.messages if m.author == "debtor"]
            assert texts == ["hello", "[DATE_OF_BIRTH]"]
            assert conversation.bot_expecting is None  # the bot said: nothing in particular now
        say("12/03/1985")  # asked nothing: a date is kept as typed
        say("hello again")  # the bot did not say (header absent): what was known stands
        with client.app.state.sessionmaker() as session:
            conversation = session.get(Conversation, sender)
            assert [m.text for m in conversation.messages if m.author == "debtor"][-2] == "12/03/1985"
            assert conversation.bot_expecting is None
        assert bot.tracker_reads == 0
        # The bot is told our message id, not what it expects: it knows that better itself.
        assert all("expecting" not in body["metadata"] for body in bot.seen)
        assert all(isinstance(body["metadata"]["gateway_message_id"], int) for body in bot.seen)


slot_names = st.sampled_from(["account_reference", "identity_answer", "identity_postcode", "plan_amount"])
offers = st.one_of(st.none(), st.sampled_from(["schedule", "pay_in_full", ANOTHER_AMOUNT]))


@given(st.one_of(st.none(), st.sampled_from(["verify_form", "plan_form"])), st.one_of(st.none(), slot_names), offers)
def test_what_is_expected_follows_the_open_form_then_the_offer(loop, slot, offer):
    said = expected(loop, {"requested_slot": slot, "offer": offer})
    if loop:
        assert said == slot  # an open form's question comes first, whatever was offered
    elif offer == ANOTHER_AMOUNT:
        assert said == ANOTHER_AMOUNT
    else:
        assert said == (YES_NO if offer else None)
