"""Whole conversations through the gateway, the real Rasa server with the trained model and
the real action server, each outcome checked through the Accounts API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import AUTH
from tests.e2e.conftest import make_debtor, new_sender

pytestmark = pytest.mark.stack


def test_identity_first_then_balance_and_the_question(debtor):
    opening = debtor.say("hi")
    assert "automated assistant" in opening and "reference" in opening.lower()
    assert "120" not in opening and "Brightwater" not in opening
    debtor.say(debtor.reference)
    asked = debtor.say("12 March 1985")
    assert "postcode" in asked and "120" not in asked  # two facts before anything is said
    after = debtor.say("1000")
    assert "€120.50" in after and "Brightwater Energy" in after
    assert "?" in after.splitlines()[-1]  # asks what prevents paying
    log = debtor.account()["contact_log"]
    assert log[-1]["kind"] == "verification" and log[-1]["detail"] == "identity confirmed"


def test_forgot_gets_a_payment_link_that_pays(debtor):
    debtor.verify()
    reply = debtor.say("sorry I completely forgot about it")
    state = debtor.account()
    assert state["reason"] == "forgot"
    assert len(state["payment_links"]) == 1
    link = state["payment_links"][0]
    assert link["amount"] == "120.50" and link["url"] in reply
    assert "Bancontact" in reply


def test_promise_to_pay_made_before_verification_is_resumed_after_it(debtor):
    debtor.say("I can pay next Friday")
    debtor.say(debtor.reference)
    debtor.say("12/03/1985")
    reply = debtor.say("1000")  # the postcode
    promises = debtor.account()["promises"]
    assert len(promises) == 1, reply
    due = datetime.fromisoformat(promises[0]["due_on"]).date()
    today = datetime.now(ZoneInfo("Europe/Brussels")).date()
    assert due.weekday() == 4 and 0 < (due - today).days <= 7
    assert promises[0]["amount"] == "120.50"
    assert "Friday" in reply
    assert debtor.account()["status"] == "promised"


def test_already_paid_records_a_dispute_and_pauses_collection(debtor):
    debtor.verify()
    reply = debtor.say("but I already paid this last week!")
    state = debtor.account()
    assert [d["reason"] for d in state["disputes"]] == ["already_paid"]
    assert state["status"] == "disputed"
    assert "paused" in reply or "hold" in reply


def test_asking_for_a_person_hands_over_and_the_bot_steps_back(debtor):
    debtor.verify()
    reply = debtor.say("can I speak to a real person please")
    assert "colleague" in reply
    state = debtor.account()
    assert state["handoffs"][0]["status"] == "waiting"
    assert state["status"] == "with_agent"
    assert "colleague has your conversation" in debtor.say("hello? anyone?")


def test_stop_records_an_opt_out_for_the_channel(debtor):
    debtor.verify()
    reply = debtor.say("STOP")
    assert "won't receive" in reply
    assert [o["channel"] for o in debtor.account()["opt_outs"]] == ["web"]


def test_two_wrong_answers_end_politely_and_disclose_nothing(debtor):
    debtor.say("hello")
    debtor.say(debtor.reference)
    debtor.say("01/01/1990")
    assert "match" in debtor.say("1000")  # which fact was wrong is never said
    debtor.say(debtor.reference)
    debtor.say("02/02/1991")
    final = debtor.say("1000")
    assert "couldn't confirm" in final
    everything = "\n".join(debtor.heard)
    assert "120" not in everything and "Brightwater" not in everything and "INV-" not in everything
    debtor.say("how much do I owe?")
    assert "120" not in "\n".join(debtor.heard)


def test_two_misunderstandings_in_a_row_offer_a_person_and_yes_hands_over(debtor):
    first = debtor.say("😀😀😀")
    assert "understand" in first or "followed" in first
    second = debtor.say("who won the football last night")
    assert "colleague" in second
    assert "colleague" in debtor.say("yes please")
    # Nobody was verified, so the hand-over is kept on the conversation, not on this account.
    assert debtor.account()["handoffs"] == []
    assert "colleague has your conversation" in debtor.say("hello?")


@pytest.mark.parametrize(
    ("language", "answer", "ask", "huh"),
    [
        ("en", "12/03/1985", "how much do I owe", "sorry, what?"),
        ("fr", "12 mars 1985", "combien je dois", "pardon, je ne comprends pas"),
        ("nl", "12-03-1985", "hoeveel moet ik betalen", "wat bedoel je?"),
    ],
)
def test_what_gets_the_last_answer_in_other_words(stack, language, answer, ask, huh):
    debtor = make_debtor(stack, language=language)
    debtor.say("hello")
    debtor.say(debtor.reference)
    debtor.say(answer)
    debtor.say(debtor.postcode)
    first = debtor.say(ask)
    again = debtor.say(huh)
    first_balance = [line for line in first.splitlines() if "120" in line][0]
    rephrased = [line for line in again.splitlines() if "120" in line]
    assert rephrased and rephrased[0] != first_balance, again


def test_what_during_the_identity_check_asks_the_question_again_once(debtor):
    debtor.say("hello")
    reply = debtor.say("sorry, what?")
    lines = [line for line in reply.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, reply  # never the same apology over and over
    assert "reference" in reply
    assert "120" not in reply


def test_a_signed_link_opens_the_chat_on_the_file_and_still_asks_who_is_there(stack, debtor):
    links = httpx.post(f"{stack.web_url}/api/v1/accounts/{debtor.reference}/links", headers=AUTH, timeout=30).json()
    assert links["web_chat"].endswith(f"/?token={links['token']}&lang=en")

    sender = new_sender(stack)

    def say(text: str) -> str:
        response = httpx.post(
            f"{stack.web_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": "web", "token": links["token"]}},
            timeout=60,
        )
        return "\n".join(m.get("text", "") for m in response.json())

    first = say("hello")
    assert "date of birth" in first and "€" not in first
    assert "€" not in say("12 March 1985")
    assert "€120.50" in say("1000") + say("how much do I owe?")
    # A forged token binds nothing: the reference is asked as usual.
    forged = httpx.post(
        f"{stack.web_url}/webhooks/rest/webhook",
        json={"sender": new_sender(stack), "message": "hello", "metadata": {"token": links["token"][:-3] + "xyz"}},
        timeout=60,
    ).json()
    assert "reference" in " ".join(m.get("text", "") for m in forged)


def test_outside_hours_the_debtor_hears_when_and_books_a_call_back(stack):
    """Night Owl Energy's team (a test policy) is never on duty today."""
    debtor = make_debtor(stack, creditor="Night Owl Energy", language="nl", country="NL", timezone="Europe/Amsterdam")
    debtor.verify("12-03-1985")
    closed = debtor.say("ik wil met een medewerker praten")
    assert "niet bereikbaar" in closed or "niemand van dienst" in closed, closed
    assert "09:00" in closed
    booked = debtor.say("ja graag")
    assert "belt u" in booked and "09:00" in booked, booked
    log = debtor.account()["contact_log"]
    assert any(c["kind"] == "callback_booked" for c in log)
    assert debtor.account()["handoffs"][0]["status"] == "waiting"


def test_the_bot_says_what_its_question_expects_and_reads_the_answer_with_it(stack, debtor):
    """Rasa tells the gateway what its question expects (bot/expecting.py) with each answer, and
    reads the next message against the same state without being told."""

    def to_bot(text: str) -> httpx.Response:
        return httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": debtor.sender, "message": text, "metadata": {"channel": "web"}},
            headers={"Authorization": f"Bearer {stack.rasa_token}"},
            timeout=60,
        )

    assert to_bot("hi").headers["Bot-Expecting"] == "account_reference"
    # A bare reference reads to the classifier like nothing in particular; as the answer to
    # the question just asked it fills it.
    answered = to_bot(debtor.reference)
    assert answered.headers["Bot-Expecting"] == "identity_answer", answered.json()
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{debtor.sender}/tracker", params={"token": stack.rasa_token}, timeout=30
    ).json()
    said = [e for e in tracker["events"] if e["event"] == "user"]
    assert [e["metadata"]["expecting"] for e in said] == [None, "account_reference"]
