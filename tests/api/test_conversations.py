"""What the bot asks of a conversation: identity first, then the account; hand-over and STOP."""

from __future__ import annotations

import pytest

from tests.conftest import AUTH
from tests.factories import account_body, verify


@pytest.fixture
def account(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)


def _verify(client, cid, reference, answer, postcode="1000"):
    return verify(client, cid, reference, answer, postcode)


@pytest.mark.parametrize(
    "answer",
    [
        "12/03/1985",
        "12 March 1985",
        "1985-03-12",
        "12.03.1985",
        "march 12th 1985",
        "born on 12 maart 1985",
        "12/3/85",
        "12-03-85",
        "12 mars 85",
    ],
)
@pytest.mark.parametrize("postcode", ["1000", "postcode 1000", "my postcode is 1000"])
def test_identity_is_confirmed_by_date_of_birth_in_any_form_and_postcode(client, account, answer, postcode):
    result = _verify(client, "c1", "acc-1001", answer, postcode)
    assert result["verified"] is True, answer
    assert result["account_reference"] == "ACC-1001"


def test_no_disclosure_before_verification_and_two_failures_end_it(client, account):
    assert client.get("/api/v1/conversations/c2/account", headers=AUTH).status_code in (403, 404)
    first = _verify(client, "c2", "ACC-1001", "01/01/1990")
    assert first == {"verified": False, "attempts_left": 1, "next": None, "account_reference": None, "language": None}
    assert client.get("/api/v1/conversations/c2/account", headers=AUTH).status_code == 403
    second = _verify(client, "c2", "NOPE-9", "12/03/1985")
    assert second["verified"] is False and second["attempts_left"] == 0
    # Even the right answers are refused once the attempts are used up.
    assert _verify(client, "c2", "ACC-1001", "12/03/1985")["verified"] is False
    assert client.get("/api/v1/conversations/c2/account", headers=AUTH).status_code == 403
    log = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["contact_log"]
    # The attempt with an unknown reference is logged on the conversation, not on this account.
    assert [entry["detail"] for entry in log] == ["identity not confirmed"]


def test_verified_conversation_reads_the_account(client, account):
    _verify(client, "c3", "ACC-1001", "12 march 1985", "1000")
    summary = client.get("/api/v1/conversations/c3/account", headers=AUTH).json()
    assert summary["balance"] == "120.50"
    assert summary["creditor"] == "Brightwater Energy"
    assert [i["number"] for i in summary["invoices"]] == ["INV-1", "INV-2"]
    assert summary["latest_promise_date"] > summary["today"]


def test_handoff_and_opt_out_are_recorded_on_the_account(client, account):
    _verify(client, "c4", "ACC-1001", "12/03/1985")
    assert (
        client.post(
            "/api/v1/conversations/c4/handoffs",
            json={"reason": "asked_for_person", "summary": "wants a plan"},
            headers=AUTH,
        ).status_code
        == 201
    )
    assert client.post("/api/v1/conversations/c4/opt-outs", json={}, headers=AUTH).status_code == 201
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["handoffs"][0]["reason"] == "asked_for_person"
    assert state["handoffs"][0]["status"] == "waiting"
    assert state["opt_outs"][0]["channel"] == "rest"
    assert state["status"] == "with_agent"


def test_opt_out_before_verification_is_kept_without_touching_any_account(client, account):
    assert client.post("/api/v1/conversations/stranger/opt-outs", json={}, headers=AUTH).status_code == 201
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["opt_outs"] == []


def test_stop_twice_is_one_opt_out(client, account):
    _verify(client, "c5", "ACC-1001", "12/03/1985")
    for _ in range(2):
        assert client.post("/api/v1/conversations/c5/opt-outs", json={}, headers=AUTH).status_code == 201
    assert len(client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["opt_outs"]) == 1


def test_after_five_failed_checks_in_a_day_a_file_needs_a_one_time_code_as_well(client, monkeypatch):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    for n in range(5):
        assert _verify(client, f"guess-{n}", "ACC-1001", "01/01/1970")["verified"] is False
    sent: list[str] = []
    monkeypatch.setattr("amicable.services.identity.log.warning", lambda *a, **kw: sent.append(kw.get("code")))
    # The right facts alone no longer open the file: a code goes to the number on file.
    right = _verify(client, "guess-6", "ACC-1001", "12/03/1985")
    assert right["verified"] is False and right["next"] == "code"
    code = sent[-1]
    answer = client.post(
        "/api/v1/conversations/guess-6/verification", json={"answer": code, "fact": "code"}, headers=AUTH
    ).json()
    assert answer["verified"] is True
    log = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["contact_log"]
    details = [c["detail"] for c in log]
    assert details.count("identity not confirmed") == 5
    assert "locked for today: a one-time code is now needed" in details


def test_out_of_hours_a_hand_over_says_when_and_takes_a_call_back(settings, tmp_path):
    from datetime import date, datetime

    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests.conftest import closed_today_policy, copy_policies

    copy_policies(tmp_path, collection_policies=False)
    (tmp_path / "brightwater-energy.yml").write_text(closed_today_policy())
    with TestClient(create_app(settings.model_copy(update={"policies_dir": tmp_path}))) as client:
        client.post("/api/v1/accounts", json=account_body(timezone="Europe/Amsterdam"), headers=AUTH)
        _verify(client, "night-1", "ACC-1001", "12/03/1985", "1000")
        result = client.post(
            "/api/v1/conversations/night-1/handoffs", json={"reason": "asked_for_person"}, headers=AUTH
        )
        body = result.json()
        assert result.status_code == 201 and body["agents_available"] is False
        first = datetime.fromisoformat(body["callback_slots"][0])
        assert body["next_open"] == body["callback_slots"][0] and first.date() > date.today()
        assert first.strftime("%H:%M") == "09:00"
        # Outside the team's hours, or in the past: refused; the offered slot: booked.
        late = first.replace(hour=20).isoformat()
        assert client.post("/api/v1/conversations/night-1/callback", json={"at": late}, headers=AUTH).status_code == 422
        booked = client.post(
            "/api/v1/conversations/night-1/callback", json={"at": body["callback_slots"][0]}, headers=AUTH
        )
        assert booked.status_code == 201
        state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
        assert any(c["kind"] == "callback_booked" for c in state["contact_log"])
        assert state["handoffs"][0]["status"] == "waiting"  # it lands in the queue all the same


def test_an_opt_out_in_words_from_a_number_is_recorded_on_every_file_of_that_number(client):
    """What the bot does for "please stop texting me" over SMS: the same as the keyword STOP."""
    from amicable.db.session import transaction
    from amicable.services import conversations

    client.post("/api/v1/accounts", json=account_body("ACC-1001"), headers=AUTH)
    client.post("/api/v1/accounts", json=account_body("ACC-2002"), headers=AUTH)  # same number
    with transaction(client.app.state.sessionmaker) as session:
        conversations.get_or_create(session, "sms:+32470123456", "sms", "+32470123456")
    assert client.post("/api/v1/conversations/sms:+32470123456/opt-outs", json={}, headers=AUTH).status_code == 201
    for reference in ("ACC-1001", "ACC-2002"):
        state = client.get(f"/api/v1/accounts/{reference}", headers=AUTH).json()
        assert [o["channel"] for o in state["opt_outs"]] == ["sms"], reference


def test_the_bot_reaches_a_file_whose_reference_holds_a_slash(client):
    """Creditors print references like FAC/2025/00123: outcome routes take them whole."""
    client.post("/api/v1/accounts", json=account_body("FAC/2025/00123"), headers=AUTH)
    assert verify(client, "slash-1", reference="fac 2025 00123")["verified"]
    body = {"reason": "already_paid", "details": "paid on the 3rd", "conversation_id": "slash-1"}
    assert client.post("/api/v1/accounts/FAC/2025/00123/disputes", json=body, headers=AUTH).status_code == 201
    state = client.get("/api/v1/accounts", params={"reference": "FAC/2025/00123"}, headers=AUTH).json()
    assert [d["reason"] for d in state["disputes"]] == ["already_paid"]
