"""Dispatch in batches and planning in chunks: each contact is sent at most once however its
batch is delivered, the rules are asked again for every contact at the moment it goes, and
a run read a chunk at a time decides exactly as a run read at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from amicable.db.models import Account, ContactEvent, OptOut, OutreachContact, PaymentLink
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.outreach import campaign, dispatch
from amicable.outreach.snapshot import iter_states, load_states
from tests.conftest import AUTH
from tests.outreach.test_campaign import moment, next_open_day, overdue


@pytest.fixture
def factory(settings):
    return make_sessionmaker(make_engine(settings.database_url))


def _queued(client, factory, settings, count: int, day: int) -> list[int]:
    """`count` accounts with a reminder due at 10:05 on `day`, planned and stored."""
    for n in range(count):
        client.post("/api/v1/accounts", json=overdue(f"Q-{n}", 2 - day, phone=f"+324700003{n:02d}"), headers=AUTH)
    with transaction(factory) as session:
        report = campaign.make_plan(session, settings, moment(day, 10, 5))
        return campaign.store(session, report.planned, moment(day, 10, 5))


def _sent_events(factory) -> Counter:
    with transaction(factory) as session:
        return Counter(
            session.scalars(select(ContactEvent.account_id).where(ContactEvent.kind == "outreach_sent")).all()
        )


def test_a_batch_sends_each_contact_once_and_a_redelivered_batch_sends_nothing(client, settings, factory):
    day = next_open_day(1)
    ids = _queued(client, factory, settings, 5, day)
    assert len(ids) == 5
    when = moment(day, 10, 6)
    # Two overlapping batches, as when a chunk is split differently on a retry; an id named
    # twice in one batch goes once.
    first = dispatch.send_contacts(factory, settings, [*ids[:3], ids[0]], when)
    second = dispatch.send_contacts(factory, settings, ids[1:], when)
    assert first == ["sent", "sent", "sent", "not-claimed"]
    assert second == ["not-claimed", "not-claimed", "sent", "sent"]
    # The whole chunk delivered again (a worker died before acknowledging it): nothing goes.
    assert dispatch.send_contacts(factory, settings, ids, when) == ["not-claimed"] * 5
    events = _sent_events(factory)
    assert len(events) == 5 and set(events.values()) == {1}
    with transaction(factory) as session:
        rows = session.scalars(select(OutreachContact).where(OutreachContact.id.in_(ids))).all()
        assert {row.status for row in rows} == {"sent"}
        assert all("Reply STOP" in row.text for row in rows)


def test_two_workers_racing_for_the_same_batch_send_each_contact_once(client, settings, factory):
    day = next_open_day(1)
    ids = _queued(client, factory, settings, 6, day)
    outcomes: list[list[str]] = []

    def work() -> None:
        outcomes.append(dispatch.send_contacts(factory, settings, ids, moment(day, 10, 6)))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    # Per contact, exactly one of the two sent it; the other lost the claim.
    for pair in zip(*outcomes, strict=True):
        assert sorted(pair) == ["not-claimed", "sent"]
    assert sum(_sent_events(factory).values()) == 6


def test_each_contact_of_a_batch_is_checked_when_it_goes(client, settings, factory):
    day = next_open_day(1)
    ids = _queued(client, factory, settings, 3, day)
    with transaction(factory) as session:
        rows = {row.id: row for row in session.scalars(select(OutreachContact).where(OutreachContact.id.in_(ids)))}
        stopped = session.get(Account, rows[ids[1]].account_id)
        # Between planning and sending, one debtor says STOP on the planned channel.
        session.add(OptOut(account=stopped, channel=rows[ids[1]].channel, address=stopped.debtor.phone))
    assert dispatch.send_contacts(factory, settings, ids, moment(day, 10, 6)) == ["sent", "blocked", "sent"]
    with transaction(factory) as session:
        held = session.get(OutreachContact, ids[1])
        assert held.rule == "opt_out" and held.reason.startswith("at sending:")
    assert set(_sent_events(factory)) == {rows[ids[0]].account_id, rows[ids[2]].account_id}


def test_a_second_contact_of_the_same_file_in_a_batch_counts_the_first(client, settings, factory):
    """The caps see what this batch already sent: the daily cap holds the second message."""
    day = next_open_day(1)
    [first] = _queued(client, factory, settings, 1, day)
    with transaction(factory) as session:
        row = session.get(OutreachContact, first)
        session.add(
            OutreachContact(
                account_id=row.account_id,
                cycle=row.cycle - timedelta(days=30),  # an older debt's step, also left queued
                step=row.step,
                status="queued",
                channel=row.channel,
                template=row.template,
                tone=row.tone,
                send_at=row.send_at,
            )
        )
        session.flush()
        [second] = session.scalars(select(OutreachContact.id).where(OutreachContact.id != first)).all()
    outcomes = dispatch.send_contacts(factory, settings, [first, second], moment(day, 10, 6))
    assert outcomes == ["sent", "deferred"]
    with transaction(factory) as session:
        held = session.get(OutreachContact, second)
        assert held.rule == "cap_per_day" and held.send_at > moment(day, 10, 6)
    assert sum(_sent_events(factory).values()) == 1


def test_a_run_read_in_chunks_decides_as_one_read_at_once(client, settings, factory):
    """Opt-outs bind by address across files: a STOP said in one chunk's file reaches the
    file of another chunk that shares the number."""
    day = next_open_day(1)
    shared = "+32470000399"
    for n in range(7):
        phone = shared if n in (0, 5) else f"+324700004{n:02d}"
        client.post("/api/v1/accounts", json=overdue(f"C-{n}", 2 - day, phone=phone), headers=AUTH)
    with transaction(factory) as session:
        first = session.scalar(select(Account).where(Account.reference == "C-0"))
        session.add(OptOut(account=first, channel="sms", address=shared))
    when = moment(day, 10, 5)
    with transaction(factory) as session:
        whole = {s.reference: s for s in load_states(session, when)}
        chunked = {s.reference: s for states in iter_states(session, when, chunk=2) for s in states}
        one_by_one = [len(states) for states in iter_states(session, when, chunk=1)]
    assert one_by_one == [1] * 7
    assert chunked == whole
    assert "sms" in chunked["C-5"].opted_out and "sms" in chunked["C-0"].opted_out
    assert "sms" not in chunked["C-3"].opted_out


def test_a_claim_left_by_a_dead_worker_is_shown_as_interrupted_and_never_resent(client, settings, factory):
    """A worker claims a batch and dies before sending: whether a message left is unknown. The
    next campaign run marks those contacts failed (interrupted) in the contact log; a claim
    still being worked on is left alone, and nothing is sent again."""
    from datetime import UTC, datetime

    day = next_open_day(1)
    ids = _queued(client, factory, settings, 3, day)
    assert sorted(dispatch.claim_many(factory, ids[:2])) == sorted(ids[:2])  # then the worker dies
    later = datetime.now(UTC) + dispatch.STUCK_AFTER + timedelta(minutes=1)
    assert dispatch.interrupted(factory, datetime.now(UTC)) == 0  # a fresh claim: a worker may be on it
    assert dispatch.interrupted(factory, later) == 2
    assert dispatch.interrupted(factory, later) == 0  # once
    with transaction(factory) as session:
        rows = {row.id: row for row in session.scalars(select(OutreachContact).where(OutreachContact.id.in_(ids)))}
        assert [(rows[i].status, rows[i].rule) for i in ids[:2]] == [("failed", "interrupted")] * 2
        assert "check whether it reached the debtor" in rows[ids[0]].reason
        assert rows[ids[2]].status == "queued"
        logged = session.scalars(
            select(ContactEvent).where(
                ContactEvent.kind == "outreach_failed", ContactEvent.account_id == rows[ids[0]].account_id
            )
        ).all()
        assert (
            len(logged) == 1 and "interrupted" not in logged[0].detail and "stopped while sending" in logged[0].detail
        )
    # Delivered again by the broker, the dead worker's batch sends only what was never claimed.
    assert dispatch.send_contacts(factory, settings, ids, moment(day, 10, 6)) == ["not-claimed", "not-claimed", "sent"]
    assert sum(_sent_events(factory).values()) == 1


def _links(factory, account_id: int) -> int:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        return len(session.scalars(select(PaymentLink).where(PaymentLink.account_id == account_id)).all())


def test_a_contact_that_cannot_go_fails_alone_and_leaves_nothing_written(client, settings, factory):
    """Prepared together, a batch still fails one contact on its own: nothing of its debt is
    due any more (the creditor moved the due date after planning), found before its payment
    link is made; the others go."""
    day = next_open_day(1)
    ids = _queued(client, factory, settings, 3, day)
    with transaction(factory) as session:
        moved = session.get(OutreachContact, ids[1]).account
        for invoice in moved.invoices:
            invoice.due_on = moment(day, 10, 6).date() + timedelta(days=60)
        files = {contact_id: session.get(OutreachContact, contact_id).account_id for contact_id in ids}
    assert dispatch.send_contacts(factory, settings, ids, moment(day, 10, 6)) == ["sent", "failed", "sent"]
    with transaction(factory) as session:
        failed = session.get(OutreachContact, ids[1])
        assert (failed.rule, failed.sent_at) == ("provider", None) and "nothing is due" in failed.reason
    assert _links(factory, files[ids[1]]) == 0
    assert _links(factory, files[ids[0]]) == _links(factory, files[ids[2]]) == 1


def test_an_unexpected_error_while_preparing_rolls_back_that_contact_only(client, settings, factory, monkeypatch):
    """A contact whose preparation breaks after its link was made: the batch is rolled back
    and prepared again one contact at a time, so the others go and the broken one is failed
    for a person to check, its half-made link gone with the rollback."""
    day = next_open_day(1)
    ids = _queued(client, factory, settings, 3, day)
    real = dispatch.render

    def breaks_on_the_second(session, settings, contact, *args):  # type: ignore[no-untyped-def]
        text = real(session, settings, contact, *args)
        if contact.id == ids[1]:
            raise RuntimeError("a template engine fault")
        return text

    monkeypatch.setattr(dispatch, "render", breaks_on_the_second)
    with transaction(factory) as session:
        files = {contact_id: session.get(OutreachContact, contact_id).account_id for contact_id in ids}
    assert dispatch.send_contacts(factory, settings, ids, moment(day, 10, 6)) == ["sent", "failed", "sent"]
    with transaction(factory) as session:
        failed = session.get(OutreachContact, ids[1])
        assert failed.rule == "error" and failed.reason.startswith("unexpected error, check before resending")
    assert _links(factory, files[ids[1]]) == 0
    assert _links(factory, files[ids[0]]) == _links(factory, files[ids[2]]) == 1
    assert set(_sent_events(factory)) == {files[ids[0]], files[ids[2]]}


def test_sends_that_cannot_be_recorded_are_failed_for_a_person_to_check(client, settings, factory, monkeypatch):
    """The database refuses the record of sends that already left: they are never left
    `sending` nor counted as sent, but failed with a reason telling a person to check."""
    day = next_open_day(1)
    ids = _queued(client, factory, settings, 2, day)

    def refuses(*_args):  # type: ignore[no-untyped-def]
        raise RuntimeError("the transcript could not be written")

    monkeypatch.setattr(dispatch.conversations, "outreach_rows", refuses)
    assert dispatch.send_contacts(factory, settings, ids, moment(day, 10, 6)) == ["failed", "failed"]
    with transaction(factory) as session:
        for contact_id in ids:
            row = session.get(OutreachContact, contact_id)
            assert row.status == "failed" and "check before resending" in row.reason
    assert not _sent_events(factory)
