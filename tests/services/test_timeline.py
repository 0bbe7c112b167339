"""An account's single timeline (amicable/services/timeline.py) on SQLite and PostgreSQL: every
kind of record appears, newest first, with what an operator needs (the rule and reason of a
blocked step, message texts as stored, the agent of a note), and nothing of another file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from amicable.db.models import (
    Account,
    Adjustment,
    Agent,
    Consent,
    ContactEvent,
    Conversation,
    ConversationNote,
    Creditor,
    Debtor,
    Dispute,
    Handoff,
    Installment,
    Invoice,
    Message,
    OptOut,
    OutreachContact,
    Payment,
    PaymentLink,
    Plan,
    Promise,
    UndeliverableAddress,
)
from amicable.db.session import make_engine, make_sessionmaker
from amicable.services.timeline import KINDS, OUTREACH_STATUSES, timeline

START = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def at(hours: int) -> datetime:
    return START + timedelta(hours=hours)


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as session:
        yield session
        session.rollback()
    engine.dispose()


def _account(session: Session, reference: str, creditor: Creditor, phone: str, email: str) -> Account:
    account = Account(
        reference=reference,
        creditor=creditor,
        debtor=Debtor(name=f"Debtor {reference}", language="en", phone=phone, email=email, timezone="Europe/Brussels"),
        currency="EUR",
        created_at=at(0),
        updated_at=at(0),
    )
    session.add(account)
    session.flush()
    return account


def seed(session: Session) -> tuple[Account, Account]:
    """One file with every kind of record, each at its own hour, and another creditor's file
    with a payment and a message of its own."""
    brightwater, polder = Creditor(name="Brightwater Energy"), Creditor(name="Polder Telecom")
    session.add_all([brightwater, polder])
    account = _account(session, "A-1", brightwater, "+32470000001", "Sam@Example.com")
    other = _account(session, "B-1", polder, "+32470000002", "other@example.com")
    agent = Agent(email="ana@example.com", name="Ana", role="agent", password_hash="x")
    session.add(agent)

    account.invoices.append(
        Invoice(
            number="INV-1",
            amount=Decimal("120.50"),
            currency="EUR",
            issued_on=date(2026, 1, 1),
            due_on=date(2026, 1, 31),
        )
    )
    account.consents.append(Consent(channel="whatsapp", source="opt_in", wording="Yes, WhatsApp", given_at=at(1)))
    for hour, status in enumerate(OUTREACH_STATUSES, start=2):
        session.add(
            OutreachContact(
                account=account,
                cycle=date(2026, 1, 31),
                step=f"step-{status}",
                status=status,
                channel="sms",
                template="reminder",
                tone="neutral",
                send_at=at(hour),
                sent_at=at(hour) if status == "sent" else None,
                created_at=at(hour),
                rule="opt_out" if status == "blocked" else ("quiet_hours" if status == "deferred" else ""),
                reason="the debtor opted out of sms" if status == "blocked" else "",
                text="Hello Sam, a reminder." if status == "sent" else "",
            )
        )
    session.add(
        ContactEvent(account=account, channel="sms", kind="verified", detail="date of birth", created_at=at(10))
    )
    conversation = Conversation(id="sms-1", channel="sms", account=account, verified=True, created_at=at(11))
    stranger = Conversation(id="web-1", channel="web", account=account, verified=False, created_at=at(15))
    session.add_all([conversation, stranger])
    session.flush()
    session.add_all(
        [
            Message(conversation=conversation, author="debtor", text="I lost my job [card number]", created_at=at(12)),
            Message(conversation=conversation, author="bot", text="I am sorry to hear that.", created_at=at(13)),
            Message(
                conversation=conversation,
                author="agent",
                text="Hello, this is Ana.",
                payload={"agent": "Ana"},
                created_at=at(14),
            ),
            ConversationNote(conversation_id="sms-1", agent=agent, text="Call back on Monday", created_at=at(16)),
            Handoff(conversation_id="web-1", reason="asked_for_person", summary="wants a person", created_at=at(17)),
        ]
    )
    link = PaymentLink(
        account=account,
        amount=Decimal("120.50"),
        currency="EUR",
        methods=["card"],
        provider="local",
        url="http://testserver/pay/pl_1",
        status="paid",
        created_at=at(18),
        expires_at=at(18 + 24 * 7),
    )
    session.add(link)
    session.flush()
    session.add_all(
        [
            Payment(account=account, amount=Decimal("50.00"), currency="EUR", provider="local", received_at=at(19)),
            Payment(
                account=account,
                kind="refund",
                amount=Decimal("-5.00"),
                currency="EUR",
                provider="local",
                received_at=at(20),
            ),
            Adjustment(account=account, kind="discount", amount=Decimal("2.00"), currency="EUR", created_at=at(21)),
            Promise(
                account=account, amount=Decimal("70.50"), due_on=date(2026, 2, 10), status="broken", created_at=at(22)
            ),
            Plan(
                account=account,
                status="active",
                created_at=at(23),
                installments=[
                    Installment(seq=1, amount=Decimal("35.25"), due_on=date(2026, 3, 1), status="scheduled"),
                    Installment(seq=2, amount=Decimal("35.25"), due_on=date(2026, 4, 1), status="scheduled"),
                ],
            ),
            Dispute(account=account, reason="wrong_amount", details="I was charged twice", created_at=at(24)),
            Handoff(account=account, reason="dispute", summary="check the amount", status="closed", created_at=at(25)),
            OptOut(account=account, channel="sms", address="+32470000001", created_at=at(26)),
            # Said before the file was known, for its e-mail address (stored lower-cased).
            OptOut(channel="email", address="sam@example.com", created_at=at(27)),
            UndeliverableAddress(
                address="sam@example.com", kind="bounced", detail="550 no such user", created_at=at(28)
            ),
            # Another creditor's file: none of this is A-1's.
            Payment(account=other, amount=Decimal("9.99"), currency="EUR", provider="local", received_at=at(29)),
            OptOut(account=other, channel="sms", address="+32470000002", created_at=at(30)),
        ]
    )
    other_conversation = Conversation(id="sms-2", channel="sms", account=other, verified=True, created_at=at(31))
    session.add(other_conversation)
    session.flush()
    session.add(Message(conversation=other_conversation, author="debtor", text="not A-1's", created_at=at(32)))
    session.flush()
    session.expire_all()
    return account, other


def test_every_kind_appears_newest_first(db):
    account, _ = seed(db)
    entries = timeline(db, account)
    assert {e.kind for e in entries} == set(KINDS)
    moments = [e.at for e in entries]
    assert moments == sorted(moments, reverse=True)
    assert all(e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0) for e in entries)
    # Future installments first, then the newest record of the file, down to its first invoice.
    assert [e.kind for e in entries[:3]] == ["installment", "installment", "undeliverable"]
    assert entries[-1].kind == "invoice_issued" and entries[-1].day_only
    assert [e.kind for e in entries if e.kind.startswith("outreach_")] == [
        f"outreach_{s}" for s in reversed(OUTREACH_STATUSES)
    ]


def test_what_each_entry_says(db):
    account, _ = seed(db)
    entries = timeline(db, account)
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)

    blocked = by_kind["outreach_blocked"][0]
    assert (blocked.channel, blocked.facts["rule"], blocked.detail) == ("sms", "opt_out", "the debtor opted out of sms")
    assert by_kind["outreach_deferred"][0].facts["rule"] == "quiet_hours"
    assert by_kind["outreach_sent"][0].detail == "Hello Sam, a reminder."

    messages = by_kind["message"]
    assert [(m.facts["author"], m.detail, m.channel) for m in messages] == [
        ("agent", "Hello, this is Ana.", "sms"),
        ("bot", "I am sorry to hear that.", "sms"),
        ("debtor", "I lost my job [card number]", "sms"),
    ]
    assert messages[0].facts["agent"] == "Ana" and messages[0].title == "Agent Ana wrote"
    conversations = {c.facts["conversation_id"]: c for c in by_kind["conversation"]}
    assert conversations["sms-1"].facts["verified"] and not conversations["web-1"].facts["verified"]
    assert "identity not confirmed" in conversations["web-1"].title
    assert (by_kind["note"][0].facts["agent"], by_kind["note"][0].detail) == ("Ana", "Call back on Monday")
    # The hand-over asked in the unconfirmed conversation (no account on it) is the file's too.
    assert sorted(h.facts["reason"] for h in by_kind["handoff"]) == ["asked_for_person", "dispute"]

    assert by_kind["payment"][0].facts["amount"] == Decimal("50.00")
    assert by_kind["refund"][0].facts["amount"] == Decimal("5.00")
    assert by_kind["payment_link"][0].facts["status"] == "paid"
    assert by_kind["plan"][0].facts["installments"] == 2 and by_kind["plan"][0].facts["amount"] == Decimal("70.50")
    assert by_kind["dispute"][0].detail == "I was charged twice"
    assert by_kind["promise"][0].facts["status"] == "broken"
    assert sorted((o.channel, o.facts["elsewhere"]) for o in by_kind["opt_out"]) == [("email", True), ("sms", False)]
    assert by_kind["undeliverable"][0].detail == "550 no such user"
    assert by_kind["consent"][0].channel == "whatsapp"
    assert [e.title for e in by_kind["invoice_due"]] == ["Invoice INV-1 due"]


def test_nothing_of_another_file(db):
    account, other = seed(db)
    entries = timeline(db, account)
    assert all(e.detail != "not A-1's" for e in entries)
    assert Decimal("9.99") not in [e.facts.get("amount") for e in entries]
    assert len([e for e in entries if e.kind == "opt_out"]) == 2
    theirs = timeline(db, other)
    assert {e.kind for e in theirs} == {"payment", "opt_out", "conversation", "message"}


def test_an_empty_file_has_only_its_invoices(db):
    creditor = Creditor(name="Brightwater Energy")
    account = _account(db, "A-2", creditor, "+32470000009", "")
    account.invoices.append(
        Invoice(
            number="I", amount=Decimal("10.00"), currency="EUR", issued_on=date(2026, 1, 1), due_on=date(2026, 1, 15)
        )
    )
    db.flush()
    entries = timeline(db, account)
    assert [(e.kind, e.at.date()) for e in entries] == [
        ("invoice_due", date(2026, 1, 15)),
        ("invoice_issued", date(2026, 1, 1)),
    ]
