"""Agents: accounts with hashed passwords, sessions that end when idle or old, and who may
open which conversation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from amicable.db.models import Handoff
from amicable.services import ServiceError, agents

PASSWORD = "correct horse battery"


def test_an_agent_needs_a_known_role_a_long_password_and_an_unused_address(session):
    agent = agents.create_agent(session, "  Ann@Example.com ", "Ann", "agent", PASSWORD)
    assert agent.email == "ann@example.com" and agent.password_hash != PASSWORD
    with pytest.raises(ServiceError, match="role must be one of"):
        agents.create_agent(session, "b@example.com", "B", "admin", PASSWORD)
    with pytest.raises(ServiceError, match="at least 12 characters"):
        agents.create_agent(session, "b@example.com", "B", "agent", "short-11chr")
    with pytest.raises(ServiceError) as taken:
        agents.create_agent(session, "ANN@example.com", "Ann again", "agent", PASSWORD)
    assert taken.value.status_code == 409


def test_only_the_right_password_of_an_active_agent_signs_in(session):
    agent = agents.create_agent(session, "ann@example.com", "Ann", "agent", PASSWORD)
    token = agents.sign_in(session, "ANN@example.com ", PASSWORD, throttle=None)
    assert token and agents.agent_for(session, token) is agent
    assert agents.sign_in(session, "ann@example.com", PASSWORD + "!", throttle=None) is None
    assert agents.sign_in(session, "nobody@example.com", PASSWORD, throttle=None) is None
    agent.active = False
    assert agents.sign_in(session, "ann@example.com", PASSWORD, throttle=None) is None
    assert agents.agent_for(session, token) is None  # a deactivated agent's sessions end too


def test_a_session_ends_after_two_idle_hours_or_twelve_hours_in_all(session):
    agents.create_agent(session, "ann@example.com", "Ann", "agent", PASSWORD)
    start = datetime.now(UTC)
    token = agents.sign_in(session, "ann@example.com", PASSWORD, throttle=None, now=start)
    session.flush()
    # Used every 1h50: alive, until twelve hours after signing in.
    moment = start
    while moment + timedelta(minutes=110) < start + timedelta(hours=12):
        moment += timedelta(minutes=110)
        assert agents.agent_for(session, token, moment) is not None
    assert agents.agent_for(session, token, start + timedelta(hours=12)) is None

    idle = agents.sign_in(session, "ann@example.com", PASSWORD, throttle=None, now=start)
    session.flush()
    assert agents.agent_for(session, idle, start + timedelta(hours=2, seconds=1)) is None
    agents.sign_out(session, token)
    assert agents.agent_for(session, token, start + timedelta(minutes=1)) is None


def test_an_agent_opens_the_waiting_queue_and_their_own_a_supervisor_anything(session):
    ann = agents.create_agent(session, "ann@example.com", "Ann", "agent", PASSWORD)
    bob = agents.create_agent(session, "bob@example.com", "Bob", "agent", PASSWORD)
    boss = agents.create_agent(session, "boss@example.com", "Boss", "supervisor", PASSWORD)
    waiting = Handoff(reason="x", status="waiting", agent_id=None)
    bobs = Handoff(reason="x", status="active", agent_id=bob.id)
    closed = Handoff(reason="x", status="closed", agent_id=ann.id)
    assert [agents.may_open(ann, h) for h in (waiting, bobs, closed, None)] == [True, False, False, False]
    assert agents.may_open(bob, bobs)
    assert all(agents.may_open(boss, h) for h in (waiting, bobs, closed, None))


def test_a_creditors_operator_opens_that_creditors_files_only(session, load):
    own = load("B-1", creditor="Brightwater Energy")
    other = load("P-1", creditor="Polder Telecom")
    lead = agents.create_agent(session, "lead@bw.example", "Lea", "supervisor", PASSWORD, creditor="Brightwater Energy")
    desk = agents.create_agent(session, "desk@bw.example", "Dan", "agent", PASSWORD, creditor="Brightwater Energy")
    assert lead.creditor_id == own.creditor_id
    mine = Handoff(reason="x", status="waiting", account=own)
    theirs = Handoff(reason="x", status="waiting", account=other)
    assert agents.may_open(lead, mine) and agents.may_open(desk, mine)
    assert not agents.may_open(lead, theirs) and not agents.may_open(desk, theirs)
    # A conversation bound to no file, or to another creditor's, stays with the agency's staff.
    assert not agents.may_open(lead, None)
    assert not agents.may_open(lead, None, other)
    assert agents.may_open(lead, None, own)
    with pytest.raises(ServiceError):
        agents.create_agent(session, "x@bw.example", "X", "agent", PASSWORD, creditor="Nobody Ltd")


def test_a_creditors_supervisor_manages_that_creditors_people_only(session, load):
    load("B-1", creditor="Brightwater Energy")
    load("P-1", creditor="Polder Telecom")
    lead = agents.create_agent(session, "lead@bw.example", "Lea", "supervisor", PASSWORD, creditor="Brightwater Energy")
    other = agents.create_agent(session, "x@pt.example", "Xu", "agent", PASSWORD, creditor="Polder Telecom")
    staff = agents.create_agent(session, "boss@agency.example", "Boss", "supervisor", PASSWORD)
    added = agents.invite(session, lead, "dan@bw.example", "Dan", "agent", PASSWORD)
    assert added.creditor_id == lead.creditor_id
    assert {a.email for a in agents.team(session, lead)} == {"lead@bw.example", "dan@bw.example"}
    assert len(agents.team(session, staff)) == 4
    with pytest.raises(ServiceError) as refused:
        agents.change(session, lead, other.id, role=None, active=False)
    assert refused.value.status_code == 404 and other.active
    with pytest.raises(ServiceError):
        agents.invite(session, added, "eve@bw.example", "Eve", "agent", PASSWORD)
