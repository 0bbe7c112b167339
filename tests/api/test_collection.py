"""Plans that collect themselves and promises checked on their date: each run of the
collection moves every plan and promise one step, visible in the Accounts API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from amicable.db.session import transaction
from amicable.outreach.collection import run
from tests.conftest import AUTH
from tests.factories import account_body

ACCOUNT = "/api/v1/accounts/ACC-1001"


def _collect(client, settings, day: date):
    """A run at 09:00 in Brussels on `day` (08:00 UTC in winter)."""
    moment = datetime.combine(day, time(8, 0), tzinfo=UTC)
    with transaction(client.app.state.sessionmaker) as session:
        return run(session, settings, moment)


def _remind(client, settings, due: date) -> date:
    """Runs from three days before `due` until the reminder goes (a Sunday or a public
    holiday holds it to the next day the rules allow); returns the day it went."""
    for offset in (3, 2, 1):
        day = due - timedelta(days=offset)
        if _collect(client, settings, day).reminders:
            return day
    raise AssertionError("no reminder went out")


def _state(client):
    return client.get(ACCOUNT, headers=AUTH).json()


def _plan(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    created = client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH)
    assert created.status_code == 201, created.text
    return [date.fromisoformat(i["due_on"]) for i in _state(client)["plans"][0]["installments"]]


def test_a_reminder_with_a_link_goes_out_before_each_installment_once(client, settings):
    dues = _plan(client)
    assert len(dues) == 3  # 50 + 50 + 20.50
    assert _collect(client, settings, dues[0] - timedelta(days=4)).reminders == []
    sent_on = _remind(client, settings, dues[0])
    assert _collect(client, settings, sent_on + timedelta(days=1)).reminders == []  # not twice
    state = _state(client)
    first = state["plans"][0]["installments"][0]
    [link] = state["payment_links"]
    assert first["payment_link_id"] == link["id"] and link["amount"] == "50.00"
    [reminder] = [c["detail"] for c in state["contact_log"] if c["kind"] == "installment_reminder"]
    # The words the debtor was sent, in their language and format, with the link.
    assert f"installment 1 of your plan with Brightwater Energy, €50.00, is due on {dues[0].day}" in reminder
    assert link["url"] in reminder


def test_paying_the_links_pays_the_installments_and_completes_the_plan(client, settings):
    dues = _plan(client)
    for due in dues:
        _remind(client, settings, due)
        link = next(i for i in _state(client)["plans"][0]["installments"] if i["status"] != "paid")
        client.post(f"/pay/{link['payment_link_id']}", data={"method": "card"})
        _collect(client, settings, due)
    state = _state(client)
    assert [i["status"] for i in state["plans"][0]["installments"]] == ["paid", "paid", "paid"]
    assert state["plans"][0]["status"] == "completed" and state["balance"] == "0.00"
    assert [link["amount"] for link in state["payment_links"]] == ["50.00", "50.00", "20.50"]


def test_money_from_any_channel_counts_towards_the_plan(client, settings):
    dues = _plan(client)
    # 60.00 by a separate link (as a transfer would): the first installment and part of the next.
    link = client.post(f"{ACCOUNT}/payment-links", json={"amount": "60.00"}, headers=AUTH).json()
    client.post(f"/pay/{link['id']}", data={"method": "card"})
    _remind(client, settings, dues[1])
    installments = _state(client)["plans"][0]["installments"]
    assert installments[0]["status"] == "paid"
    # The second installment's link asks only what is still missing of it.
    second = next(pl for pl in _state(client)["payment_links"] if pl["id"] == installments[1]["payment_link_id"])
    assert second["amount"] == "40.00"


def test_unpaid_installments_go_late_then_missed_and_break_the_plan(client, settings):
    dues = _plan(client)
    _collect(client, settings, dues[0] + timedelta(days=1))
    assert _state(client)["plans"][0]["installments"][0]["status"] == "late"
    _collect(client, settings, dues[0] + timedelta(days=6))  # grace is 5 days
    state = _state(client)
    assert state["plans"][0]["installments"][0]["status"] == "missed"
    assert state["plans"][0]["status"] == "active"
    _collect(client, settings, dues[1] + timedelta(days=6))
    state = _state(client)
    assert state["plans"][0]["status"] == "broken"
    assert any(c["kind"] == "plan_broken" for c in state["contact_log"])
    # A broken plan is left alone by later runs.
    assert _collect(client, settings, dues[2] + timedelta(days=6)).installments_missed == 0


def test_promises_are_kept_when_the_money_arrives_or_followed_up_after_their_date(client, settings):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    client.post("/api/v1/accounts", json=account_body("ACC-2002"), headers=AUTH)
    due = date.today() + timedelta(days=5)
    for reference in ("ACC-1001", "ACC-2002"):
        promised = client.post(f"/api/v1/accounts/{reference}/promises", json={"due_on": due.isoformat()}, headers=AUTH)
        assert promised.status_code == 201, promised.text
    link = client.post(f"{ACCOUNT}/payment-links", json={}, headers=AUTH).json()
    client.post(f"/pay/{link['id']}", data={"method": "card"})
    report = _collect(client, settings, due)
    assert (report.promises_kept, report.promises_broken) == (1, 0)
    report = _collect(client, settings, due + timedelta(days=1))
    assert (report.promises_kept, report.promises_broken) == (0, 1)
    other = client.get("/api/v1/accounts/ACC-2002", headers=AUTH).json()
    assert other["promises"][0]["status"] == "broken"
    assert any("follow up kindly" in c["detail"] for c in other["contact_log"] if c["kind"] == "promise_follow_up")
    assert _state(client)["promises"][0]["status"] == "kept"


def test_a_reminder_waits_for_the_hours_the_rules_allow(client, settings):
    client.post("/api/v1/accounts", json=account_body(preferred_hours="18:00-21:00"), headers=AUTH)
    assert client.post(f"{ACCOUNT}/plans", json={"monthly_amount": "50.00"}, headers=AUTH).status_code == 201
    due = date.fromisoformat(_state(client)["plans"][0]["installments"][0]["due_on"])
    # 09:00: they asked for the evening, and the creditor sends until 19:00.
    morning = _collect(client, settings, due - timedelta(days=3))
    assert morning.reminders == []
    again = _collect(client, settings, due - timedelta(days=3))
    assert again.reminders == []
    held = [c["detail"] for c in _state(client)["contact_log"] if c["kind"] == "send_held"]
    assert len(held) == 1 and "debtor_hours" in held[0] and "18:00-19:00" in held[0]
    sent = []
    for offset in (3, 2, 1):  # 18:30 in Brussels; a Sunday or holiday waits a day more
        evening = datetime.combine(due - timedelta(days=offset), time(17, 30), tzinfo=UTC)
        with transaction(client.app.state.sessionmaker) as session:
            sent += run(session, settings, evening).reminders
    assert sent == ["ACC-1001"]
