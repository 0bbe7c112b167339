"""A small portfolio whose every figure is worked out by hand in tests/dashboard/test_figures.py.

Two creditors. Brightwater Energy (A) has four accounts, Polder Telecom (B) one; the period the
tests look at is January to March 2026 (UTC). Everything is written straight through the ORM
with its own timestamps, so nothing depends on the day the tests run.

    A-1  en BE Brussels  placed 01-05  I1 100.00 EUR issued 2025-12-20 due 01-10
         nudge by SMS 01-07 09:00 (cycle 01-10); debtor answers on SMS 01-08 10:00, identity
         confirmed, a link pl_c1 made in that conversation and paid: P1 100.00 on 01-09 12:00;
         gives the reason income_loss 01-08.
    A-2  fr BE Brussels  placed 01-20  I2 200.00 EUR issued 01-15 due 02-01
         reminder by email 02-02 09:00 (A/B reminder-tone:warm); web chat 02-03 10:00: identity
         confirmed, a promise (kept), the reason cash_flow; P2 50.00 on 02-05 09:00, refund of
         20.00 on 02-20 10:00, P3 170.00 on 03-10 10:00.
    A-3  nl NL Amsterdam placed 02-10  I3 300.00 EUR issued 02-01 due 02-15
         nudge by SMS 02-12 09:00; the reminder blocked (opt_out, planned 02-16), the second
         reminder deferred (quiet_hours, 02-19), the personal note blocked (opt_out, 02-23);
         an anonymous web chat 02-10 named A-3 in a failed check and asked for a person; a plan
         cancelled (02-18) and one behind (02-20, an installment late); reasons income_loss
         (02-20 and 02-21) and forgot (02-22). Never paid.
    A-4  en GB London    placed 03-02  I4 80.00 GBP issued 02-20 due 03-05
         P4 80.00 GBP on 03-05 23:30 UTC (23:30 in London: on the due date); a promise broken
         (03-01), a plan completed (03-06). Never messaged.
    B-1  nl NL Amsterdam placed 01-15  J1 500.00 EUR issued 01-01 due 01-20   (Polder Telecom)
         200.00 paid on 01-18 09:00; reminder by SMS 01-21 09:00 (reminder-tone:neutral), the
         debtor answers 01-22 10:00, identity confirmed, a hand-over, an opt-out 01-23; a promise
         pending (01-22), a plan on track (01-25), the reason forgot (01-22); a contact blocked
         for consent (01-24).

Outside any creditor: a web chat 03-01 that never named a file, and one from 2025-12-20.
Outside the period: a contact of A-3 planned 2025-12-28 and blocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from amicable.db.models import (
    Account,
    Allocation,
    ContactEvent,
    Conversation,
    Creditor,
    Debtor,
    Installment,
    Invoice,
    Message,
    OutreachContact,
    Payment,
    PaymentLink,
    Plan,
    Promise,
)
from amicable.services import agents

PASSWORD = "correct horse battery staple"
AGENCY = "staff@agency.example"
OPERATOR_A = "ops@brightwater.example"
OPERATOR_B = "ops@polder.example"
START, END = date(2026, 1, 1), date(2026, 3, 31)
TODAY = date(2026, 12, 6)


@dataclass(frozen=True)
class Seeded:
    a: int  # Brightwater Energy's id
    b: int  # Polder Telecom's id


def at(text: str) -> datetime:
    """ "2026-01-07 09:00" in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def day(text: str) -> date:
    return date.fromisoformat(text)


def _account(session: Session, creditor: Creditor, ref: str, lang: str, country: str, zone: str, currency: str, placed: str) -> Account:  # fmt: skip
    debtor = Debtor(name=f"Debtor {ref}", language=lang, country=country, timezone=zone, phone=None, email=None)
    account = Account(
        reference=ref, creditor=creditor, debtor=debtor, currency=currency, created_at=at(placed), updated_at=at(placed)
    )
    session.add(account)
    return account


def _invoice(account: Account, number: str, amount: str, issued: str, due: str) -> Invoice:
    invoice = Invoice(
        number=number, amount=Decimal(amount), currency=account.currency, issued_on=day(issued), due_on=day(due)
    )
    account.invoices.append(invoice)
    return invoice


def _pay(account: Account, invoice: Invoice, amount: str, when: str, kind: str = "payment", link: str | None = None) -> Payment:  # fmt: skip
    payment = Payment(
        kind=kind,
        amount=Decimal(amount),
        currency=account.currency,
        provider="local",
        received_at=at(when),
        payment_link_id=link,
    )
    allocation = Allocation(amount=Decimal(amount))
    payment.allocations.append(allocation)
    account.payments.append(payment)
    allocation.invoice = invoice  # once the payment is in the session, which the allocation joins
    return payment


def _contact(session: Session, account: Account, step: str, cycle: str, status: str, when: str, channel: str | None, variant: str | None = None, rule: str = "") -> None:  # fmt: skip
    session.add(
        OutreachContact(
            account=account,
            cycle=day(cycle),
            step=step,
            status=status,
            channel=channel,
            template="t",
            tone="neutral",
            variant=variant,
            send_at=at(when),
            sent_at=at(when) if status == "sent" else None,
            rule=rule,
            created_at=at(when),
        )
    )


def _event(session: Session, account: Account | None, kind: str, detail: str, when: str, conversation: str | None = None) -> None:  # fmt: skip
    session.add(
        ContactEvent(
            account=account, kind=kind, detail=detail, channel="bot", conversation_id=conversation, created_at=at(when)
        )
    )


def _conversation(session: Session, cid: str, channel: str, account: Account | None, debtor_wrote: str, verified: bool) -> None:  # fmt: skip
    conversation = Conversation(
        id=cid, channel=channel, account=account, verified=verified, created_at=at(debtor_wrote)
    )
    conversation.messages.append(Message(author="debtor", text="hello", created_at=at(debtor_wrote)))
    session.add(conversation)
    if verified:
        _event(session, account, "verification", "identity confirmed", debtor_wrote, cid)


def seed(session: Session) -> Seeded:
    a, b = Creditor(name="Brightwater Energy"), Creditor(name="Polder Telecom")
    session.add_all([a, b])

    a1 = _account(session, a, "A-1", "en", "BE", "Europe/Brussels", "EUR", "2026-01-05 10:00")
    i1 = _invoice(a1, "I1", "100.00", "2025-12-20", "2026-01-10")
    _contact(session, a1, "nudge", "2026-01-10", "sent", "2026-01-07 09:00", "sms")
    _conversation(session, "sms:+32470000001", "sms", a1, "2026-01-08 10:00", verified=True)
    session.add(
        Message(conversation_id="sms:+32470000001", author="bot", text="reminder", created_at=at("2026-01-07 09:00"))
    )
    session.add(
        PaymentLink(
            id="pl_c1",
            account=a1,
            amount=Decimal("100.00"),
            currency="EUR",
            methods=["card"],
            provider="local",
            url="",
            status="paid",
            created_at=at("2026-01-08 10:05"),
            expires_at=at("2026-01-15 10:05"),
        )
    )
    _event(session, a1, "payment_link", "pl_c1 for 100.00 EUR", "2026-01-08 10:05", "sms:+32470000001")
    _event(session, a1, "reason", "income_loss", "2026-01-08 10:06", "sms:+32470000001")
    session.flush()
    _pay(a1, i1, "100.00", "2026-01-09 12:00", link="pl_c1")

    a2 = _account(session, a, "A-2", "fr", "BE", "Europe/Brussels", "EUR", "2026-01-20 08:00")
    i2 = _invoice(a2, "I2", "200.00", "2026-01-15", "2026-02-01")
    _contact(session, a2, "reminder", "2026-02-01", "sent", "2026-02-02 09:00", "email", "reminder-tone:warm")
    _conversation(session, "web-a2", "web", a2, "2026-02-03 10:00", verified=True)
    _event(session, a2, "promise", "200.00 EUR on 2026-02-10", "2026-02-03 10:01", "web-a2")
    _event(session, a2, "reason", "cash_flow", "2026-02-03 10:02", "web-a2")
    session.add(Promise(account=a2, amount=Decimal("200.00"), due_on=day("2026-02-10"), status="kept", created_at=at("2026-02-03 10:01")))  # fmt: skip
    p2 = _pay(a2, i2, "50.00", "2026-02-05 09:00")
    session.flush()
    refund = _pay(a2, i2, "-20.00", "2026-02-20 10:00", kind="refund")
    refund.refund_of_id = p2.id
    _pay(a2, i2, "170.00", "2026-03-10 10:00")

    a3 = _account(session, a, "A-3", "nl", "NL", "Europe/Amsterdam", "EUR", "2026-02-10 08:00")
    _invoice(a3, "I3", "300.00", "2026-02-01", "2026-02-15")
    _contact(session, a3, "nudge", "2026-02-15", "sent", "2026-02-12 09:00", "sms")
    _contact(session, a3, "reminder", "2026-02-15", "blocked", "2026-02-16 09:00", "whatsapp", rule="opt_out")
    _contact(session, a3, "second-reminder", "2026-02-15", "deferred", "2026-02-19 09:00", "sms", rule="quiet_hours")
    _contact(session, a3, "personal", "2026-02-15", "blocked", "2026-02-23 09:00", "sms", rule="opt_out")
    _contact(session, a3, "plan-offer", "2025-12-20", "blocked", "2025-12-28 09:00", "sms", rule="opt_out")
    _conversation(session, "web-anon", "web", None, "2026-02-10 11:00", verified=False)
    _event(session, a3, "verification", "identity not confirmed: 1 answer(s) left", "2026-02-10 11:01", "web-anon")
    _event(session, None, "handoff", "request_human", "2026-02-10 11:02", "web-anon")
    cancelled = Plan(account=a3, status="cancelled", created_at=at("2026-02-18 10:00"))
    behind = Plan(account=a3, status="active", created_at=at("2026-02-20 10:00"))
    behind.installments = [
        Installment(seq=1, amount=Decimal("100.00"), due_on=day("2026-03-01"), status="late"),
        Installment(seq=2, amount=Decimal("200.00"), due_on=day("2026-04-01"), status="scheduled"),
    ]
    session.add_all([cancelled, behind])
    _event(session, a3, "reason", "income_loss", "2026-02-20 10:00")
    _event(session, a3, "reason", "income_loss", "2026-02-21 10:00")
    _event(session, a3, "reason", "forgot", "2026-02-22 10:00")

    a4 = _account(session, a, "A-4", "en", "GB", "Europe/London", "GBP", "2026-03-02 08:00")
    i4 = _invoice(a4, "I4", "80.00", "2026-02-20", "2026-03-05")
    _pay(a4, i4, "80.00", "2026-03-05 23:30")
    session.add(Promise(account=a4, amount=Decimal("80.00"), due_on=day("2026-03-04"), status="broken", created_at=at("2026-03-01 10:00")))  # fmt: skip
    done = Plan(account=a4, status="completed", created_at=at("2026-03-06 10:00"))
    done.installments = [Installment(seq=1, amount=Decimal("80.00"), due_on=day("2026-03-10"), status="paid")]
    session.add(done)

    b1 = _account(session, b, "B-1", "nl", "NL", "Europe/Amsterdam", "EUR", "2026-01-15 08:00")
    j1 = _invoice(b1, "J1", "500.00", "2026-01-01", "2026-01-20")
    _pay(b1, j1, "200.00", "2026-01-18 09:00")
    _contact(session, b1, "reminder", "2026-01-20", "sent", "2026-01-21 09:00", "sms", "reminder-tone:neutral")
    _contact(session, b1, "second-reminder", "2026-01-20", "blocked", "2026-01-24 09:00", "whatsapp", rule="consent")
    _conversation(session, "sms:+31600000001", "sms", b1, "2026-01-22 10:00", verified=True)
    _event(session, b1, "handoff", "request_human", "2026-01-22 10:01", "sms:+31600000001")
    _event(session, b1, "opt_out", "stop contact on sms", "2026-01-23 10:00", "sms:+31600000001")
    _event(session, b1, "reason", "forgot", "2026-01-22 10:02", "sms:+31600000001")
    session.add(Promise(account=b1, amount=Decimal("300.00"), due_on=day("2026-02-01"), status="pending", created_at=at("2026-01-22 10:03")))  # fmt: skip
    track = Plan(account=b1, status="active", created_at=at("2026-01-25 10:00"))
    track.installments = [Installment(seq=1, amount=Decimal("150.00"), due_on=day("2026-02-25"), status="paid")]
    session.add(track)

    _conversation(session, "web-nobody", "web", None, "2026-03-01 10:00", verified=False)
    _conversation(session, "web-old", "web", None, "2025-12-20 10:00", verified=False)
    session.flush()
    agents.create_agent(session, AGENCY, "Sue", "supervisor", PASSWORD)
    agents.create_agent(session, OPERATOR_A, "Ana", "agent", PASSWORD, creditor="Brightwater Energy")
    agents.create_agent(session, OPERATOR_B, "Bo", "agent", PASSWORD, creditor="Polder Telecom")
    return Seeded(a.id, b.id)
