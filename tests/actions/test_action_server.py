"""The action server, running for real against the running API, driven with the JSON that
the Rasa server sends it. No database access from the actions: everything goes via the API."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from babel.dates import format_date
from sqlalchemy import create_engine, select

from amicable.db.models import Handoff
from tests.conftest import AUTH
from tests.factories import account_body

pytestmark = pytest.mark.stack
DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


def _tracker(sender: str, intent: str, text: str, slots: dict | None = None, events: list | None = None) -> dict:
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": 0.99}, "text": text}}
    return {
        "sender_id": sender,
        "slots": {"verified": False, "language": "en", **(slots or {})},
        "latest_message": user["parse_data"],
        "events": [{"event": "action", "name": "action_listen"}, user, *(events or [])],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }


def _run(stack, action: str, tracker: dict) -> dict:
    response = httpx.post(
        f"http://127.0.0.1:{stack.actions_port}/webhook",
        json={
            "next_action": action,
            "sender_id": tracker["sender_id"],
            "tracker": tracker,
            "domain": DOMAIN,
            "version": "3.6.21",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def reference(stack) -> str:
    reference = "ACT-0001"
    httpx.post(f"{stack.web_url}/api/v1/accounts", json=account_body(reference), headers=AUTH, timeout=30)
    return reference


def test_balance_before_verification_starts_the_check_and_discloses_nothing(stack, reference):
    result = _run(stack, "action_show_balance", _tracker("act-1", "ask_balance", "how much do I owe"))
    assert [r["response"] for r in result["responses"]] == ["utter_greet"]
    events = {(e["event"], e.get("name")): e for e in result["events"]}
    assert events[("followup", "verification_form")]
    assert events[("slot", "pending_request")]["value"] == "ask_balance"


def _identity(stack, sender: str, reference: str, answer: str, slot: str = "identity_answer") -> dict:
    tracker = _tracker(
        sender,
        "inform",
        answer,
        slots={"account_reference": reference, slot: answer, "requested_slot": slot},
        events=[{"event": "slot", "name": slot, "value": answer}],
    )
    tracker["active_loop"] = {"name": "verification_form"}
    return _run(stack, "validate_verification_form", tracker)


def _slots(result: dict) -> dict:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}


def test_identity_check_goes_through_the_api_and_judges_only_at_the_end(stack, reference):
    # A wrong date of birth is not called wrong: the postcode is asked all the same.
    wrong = _identity(stack, "act-2", reference, "01/01/1990")
    assert wrong["responses"] == []
    assert _slots(wrong)["identity_next"] == "postcode" and _slots(wrong)["identity_answer"] == "given"
    retry = _identity(stack, "act-2", reference, "1000", "identity_postcode")
    assert [r["response"] for r in retry["responses"]] == ["utter_verification_retry"]
    slots = _slots(retry)
    assert slots["account_reference"] is None and slots["identity_answer"] is None

    _identity(stack, "act-2", reference, "12 March 1985")
    right = _identity(stack, "act-2", reference, "1000", "identity_postcode")
    slots = _slots(right)
    assert slots["verified"] is True and slots["account_reference"] == reference


def test_an_answer_that_is_not_a_date_is_asked_again_without_costing_an_attempt(stack, reference):
    several = _identity(stack, "act-4", reference, "1001 1002 1003 12/03/1985")
    assert [r["response"] for r in several["responses"]] == ["utter_identity_unclear"]
    assert _slots(several)["identity_answer"] is None


def test_payment_link_after_verification_is_created_in_the_api(stack, reference):
    _identity(stack, "act-3", reference, "12/03/1985")
    _identity(stack, "act-3", reference, "1000", "identity_postcode")
    result = _run(stack, "action_offer_payment_link", _tracker("act-3", "pay_now", "I want to pay", {"verified": True}))
    [message] = result["responses"]
    assert message["response"] == "utter_payment_link"
    assert message["url"].startswith(f"{stack.web_url}/pay/pl_")
    assert message["amount"] == "€120.50"
    state = httpx.get(f"{stack.web_url}/api/v1/accounts/{reference}", headers=AUTH).json()
    assert [link["url"] for link in state["payment_links"]] == [message["url"]]
    # The validity named is the link's own (the policy's days), not a fixed "a week".
    expires = date.fromisoformat(state["payment_links"][0]["expires_at"][:10])
    assert message["expires"] == format_date(expires, format="EEEE d MMMM yyyy", locale="en_GB")


def test_every_response_an_action_names_exists_in_the_domain():
    """Rasa's validator cannot see responses named inside actions; this keeps them honest."""
    import re

    named = set()
    for source in (Path(__file__).resolve().parents[2] / "actions").glob("*.py"):
        named |= set(re.findall(r'"(utter_[a-z_]+)"', source.read_text()))
    named.discard("utter_action")  # Rasa's metadata key for the response a message came from
    assert named and named <= set(DOMAIN["responses"])


def _stalled_turns(count: int) -> list[dict]:
    """Earlier turns, each marked as making no progress, as the actions mark them."""
    events: list[dict] = []
    for n in range(count):
        events += [
            {"event": "user", "text": f"hm {n}", "parse_data": {"intent": {"name": "nlu_fallback"}}},
            {"event": "slot", "name": "stalled", "value": True},
            {"event": "action", "name": "action_listen"},
        ]
    return events


def _after(earlier: list[dict], intent: str, text: str, slots: dict | None = None) -> dict:
    tracker = _tracker("act-loop", intent, text, slots)
    tracker["events"] = [{"event": "action", "name": "action_listen"}, *earlier, tracker["events"][1]]
    return tracker


@pytest.mark.parametrize(
    ("earlier", "said"),
    [
        (0, ["utter_default"]),
        (1, ["utter_offer_person_after_confusion"]),
        (2, ["utter_handoff"]),
    ],
)
def test_turns_without_progress_rephrase_then_offer_a_person_then_hand_over(stack, earlier, said):
    result = _run(stack, "action_fallback", _after(_stalled_turns(earlier), "nlu_fallback", "qwerty"))
    assert [r["response"] for r in result["responses"]] == said
    assert _slots(result)["stalled"] is True


def test_a_turn_that_made_progress_starts_the_count_again(stack):
    progress = [{"event": "user", "text": "yes", "parse_data": {"intent": {"name": "affirm"}}}]
    result = _run(stack, "action_fallback", _after([*_stalled_turns(2), *progress], "nlu_fallback", "qwerty"))
    assert [r["response"] for r in result["responses"]] == ["utter_default"]


def test_the_third_stalled_turn_records_a_hand_over_with_a_summary(stack):
    cid = httpx.post(f"{stack.web_url}/webhooks/rest/conversations", timeout=30).json()["sender"]
    tracker = _after(_stalled_turns(2), "affirm", "yes")
    tracker["sender_id"] = cid
    result = _run(stack, "action_accept_offer", tracker)
    assert [r["response"] for r in result["responses"]] == ["utter_handoff"]
    engine = create_engine(stack.database_url)
    with engine.connect() as connection:
        recorded = connection.execute(
            select(Handoff.reason, Handoff.summary).where(Handoff.conversation_id == cid)
        ).all()
    engine.dispose()
    assert [reason for reason, _ in recorded] == ["bot_stuck"]
    assert "identity not confirmed" in recorded[0][1]


def test_a_no_with_nothing_on_offer_closes_kindly_instead_of_asking_again(stack):
    result = _run(stack, "action_decline_offer", _tracker("act-no", "deny", "no thanks"))
    assert [r["response"] for r in result["responses"]] == ["utter_goodbye"]
