"""One account's single timeline: everything that happened on the file, newest first.

An operator opening a file asks "what has happened here?", and the answer is spread over a
dozen tables: invoices, outreach decisions (sent, deferred, blocked with the rule and reason:
the compliance decisions), the contact log, conversations and their messages on every
channel, payments and refunds, payment links, plans and their installments, promises,
disputes, hand-overs, agents' notes, opt-outs and consents. This module reads them all and
returns one list, so the account page (web/accounts.py) and any later reader show the same
history without each re-deriving it.

Nothing is stored twice: the entries are read from the records themselves, like the ledger
(`amicable.services.accounts.ledger`). Message texts are shown as stored: the gateway took out
what must not be kept before storing them (amicable/text/redaction.py).

Each entry carries a short English `title` (for logs, tests and readers without a language of
their own), the stored free text as `detail`, and the structured values as `facts`, from which
a page writes its own title in the operator's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from amicable.db.models import (
    Account,
    Conversation,
    ConversationNote,
    Handoff,
    OptOut,
    OutreachContact,
    UndeliverableAddress,
)

# The outreach statuses a strategy step can be in (amicable/db/models.py, OutreachContact).
OUTREACH_STATUSES = ("queued", "sending", "sent", "deferred", "blocked", "failed", "cancelled")

# Every kind of entry, in the order a reader meets them on a file's life.
KINDS = (
    "invoice_issued",
    "invoice_due",
    "consent",
    *(f"outreach_{status}" for status in OUTREACH_STATUSES),
    "contact",
    "conversation",
    "message",
    "note",
    "handoff",
    "payment_link",
    "payment",
    "refund",
    "adjustment",
    "promise",
    "plan",
    "installment",
    "dispute",
    "opt_out",
    "undeliverable",
)


@dataclass(frozen=True)
class Entry:
    """One thing that happened. `at` is in UTC; a record that has a day but no time (an
    invoice's due date) is at midnight UTC of that day, with `day_only` set so a reader shows
    the day alone. `channel` is the channel it happened on, if any."""

    at: datetime
    kind: str
    channel: str | None
    title: str
    detail: str = ""
    facts: dict[str, Any] = field(default_factory=dict)
    day_only: bool = False


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def _utc(moment: datetime) -> datetime:
    """Every stored time is UTC; SQLite hands some back without their zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def _invoices(account: Account) -> list[Entry]:
    found = []
    for invoice in account.invoices:
        facts = {"number": invoice.number, "amount": invoice.amount, "currency": invoice.currency}
        found.append(
            Entry(
                _day(invoice.issued_on),
                "invoice_issued",
                None,
                f"Invoice {invoice.number} issued for {_money(invoice.amount, invoice.currency)}",
                facts={**facts, "due_on": invoice.due_on},
                day_only=True,
            )
        )
        found.append(
            Entry(
                _day(invoice.due_on),
                "invoice_due",
                None,
                f"Invoice {invoice.number} due",
                facts=facts,
                day_only=True,
            )
        )
    return found


def _outreach(session: Session, account: Account) -> list[Entry]:
    """Each strategy step: when it went (sent), or when it was decided (a deferral's moment
    of decision; a blocked, queued or failed step at the moment it was planned for). A sent
    step's detail is the message as sent; any other step's is the reason it did not go."""
    found = []
    for contact in session.scalars(
        select(OutreachContact).where(OutreachContact.account_id == account.id).order_by(OutreachContact.id)
    ):
        if contact.status == "sent" and contact.sent_at is not None:
            at = contact.sent_at
        elif contact.status == "deferred":
            at = contact.created_at
        else:
            at = contact.send_at
        status = contact.status if contact.status in OUTREACH_STATUSES else "queued"
        facts = {
            "step": contact.step,
            "status": contact.status,
            "template": contact.template,
            "tone": contact.tone,
            "variant": contact.variant,
            "rule": contact.rule,
            "send_at": _utc(contact.send_at),
            "cycle": contact.cycle,
        }
        title = f"Outreach step {contact.step} {contact.status}"
        if contact.rule:
            title += f" ({contact.rule})"
        detail = contact.text if status == "sent" and contact.text else contact.reason
        found.append(Entry(_utc(at), f"outreach_{status}", contact.channel, title, detail or "", facts))
    return found


def _contact_log(account: Account) -> list[Entry]:
    return [
        Entry(
            _utc(event.created_at),
            "contact",
            event.channel,
            f"Contact log: {event.kind}",
            event.detail or "",
            {"event": event.kind, "conversation_id": event.conversation_id},
        )
        for event in account.contacts
    ]


def _conversations(session: Session, account: Account) -> tuple[list[Entry], list[str]]:
    """Conversations tied to the file and every message in them, by channel. A conversation
    tied to the file whose identity check has not passed is shown as such: whoever wrote may
    not be the debtor."""
    found: list[Entry] = []
    conversations = session.scalars(
        select(Conversation)
        .where(Conversation.account_id == account.id)
        .options(selectinload(Conversation.messages))
        .order_by(Conversation.created_at, Conversation.id)
    ).all()
    for conversation in conversations:
        found.append(
            Entry(
                _utc(conversation.created_at),
                "conversation",
                conversation.channel,
                f"Conversation on {conversation.channel}"
                + ("" if conversation.verified else " (identity not confirmed)"),
                facts={
                    "conversation_id": conversation.id,
                    "verified": conversation.verified,
                    "handled_by": conversation.handled_by,
                },
            )
        )
        for message in conversation.messages:
            agent = (message.payload or {}).get("agent") if message.author == "agent" else None
            who = {"debtor": "Debtor", "bot": "Assistant", "agent": f"Agent {agent}" if agent else "Agent"}
            found.append(
                Entry(
                    _utc(message.created_at),
                    "message",
                    conversation.channel,
                    f"{who.get(message.author, message.author)} wrote",
                    message.text,
                    {"author": message.author, "agent": agent, "conversation_id": conversation.id},
                )
            )
    return found, [c.id for c in conversations]


def _notes(session: Session, conversation_ids: list[str]) -> list[Entry]:
    if not conversation_ids:
        return []
    notes = session.scalars(
        select(ConversationNote)
        .where(ConversationNote.conversation_id.in_(conversation_ids))
        .order_by(ConversationNote.id)
    ).all()
    return [
        Entry(
            _utc(note.created_at),
            "note",
            None,
            f"Note by {note.agent.name}",
            note.text,
            {"agent": note.agent.name, "conversation_id": note.conversation_id},
        )
        for note in notes
    ]


def _handoffs(session: Session, account: Account, conversation_ids: list[str]) -> list[Entry]:
    """The file's hand-overs, and those of its conversations asked before identity was
    confirmed (a hand-over then carries no account, only its conversation)."""
    where = Handoff.account_id == account.id
    if conversation_ids:
        where = or_(where, Handoff.conversation_id.in_(conversation_ids))
    found = []
    for handoff in session.scalars(select(Handoff).where(where).order_by(Handoff.id)):
        agent = handoff.agent.name if handoff.agent else None
        found.append(
            Entry(
                _utc(handoff.created_at),
                "handoff",
                None,
                f"Handed to a person ({handoff.reason}), {handoff.status}",
                handoff.summary or "",
                {
                    "reason": handoff.reason,
                    "status": handoff.status,
                    "agent": agent,
                    "callback_at": _utc(handoff.callback_at) if handoff.callback_at else None,
                    "conversation_id": handoff.conversation_id,
                },
            )
        )
    return found


def _money_entries(account: Account) -> list[Entry]:
    found = []
    for link in account.payment_links:
        found.append(
            Entry(
                _utc(link.created_at),
                "payment_link",
                None,
                f"Payment link for {_money(link.amount, link.currency)} ({link.purpose}), {link.status}",
                facts={
                    "amount": link.amount,
                    "currency": link.currency,
                    "purpose": link.purpose,
                    "status": link.status,
                    "discount": link.discount,
                    "expires_at": _utc(link.expires_at),
                    "link_id": link.id,
                },
            )
        )
    for payment in account.payments:
        refund = payment.kind == "refund"
        amount = -payment.amount if refund else payment.amount
        found.append(
            Entry(
                _utc(payment.received_at),
                "refund" if refund else "payment",
                None,
                f"{'Refund' if refund else 'Payment'} of {_money(amount, payment.currency)}",
                payment.provider_reference or "",
                {
                    "amount": amount,
                    "currency": payment.currency,
                    "provider": payment.provider,
                    "link_id": payment.payment_link_id,
                },
            )
        )
    for adjustment in account.adjustments:
        found.append(
            Entry(
                _utc(adjustment.created_at),
                "adjustment",
                None,
                f"Adjustment ({adjustment.kind}) of {_money(adjustment.amount, adjustment.currency)}",
                adjustment.detail or "",
                {"adjustment": adjustment.kind, "amount": adjustment.amount, "currency": adjustment.currency},
            )
        )
    return found


def _outcomes(account: Account) -> list[Entry]:
    currency = account.currency
    found = []
    for promise in account.promises:
        found.append(
            Entry(
                _utc(promise.created_at),
                "promise",
                None,
                f"Promise to pay {_money(promise.amount, currency)} by {promise.due_on.isoformat()}, {promise.status}",
                facts={
                    "amount": promise.amount,
                    "currency": currency,
                    "due_on": promise.due_on,
                    "status": promise.status,
                },
            )
        )
    for plan in account.plans:
        total = sum((i.amount for i in plan.installments), Decimal("0.00"))
        found.append(
            Entry(
                _utc(plan.created_at),
                "plan",
                None,
                f"Plan of {len(plan.installments)} installments, {_money(total, currency)}, {plan.status}",
                facts={
                    "installments": len(plan.installments),
                    "amount": total,
                    "currency": currency,
                    "status": plan.status,
                    "autopay": plan.autopay_method,
                    "plan_id": plan.id,
                },
            )
        )
        for installment in plan.installments:
            found.append(
                Entry(
                    _day(installment.due_on),
                    "installment",
                    None,
                    f"Installment {installment.seq} of {_money(installment.amount, currency)} due, {installment.status}",
                    facts={
                        "seq": installment.seq,
                        "amount": installment.amount,
                        "currency": currency,
                        "status": installment.status,
                        "plan_id": plan.id,
                    },
                    day_only=True,
                )
            )
    for dispute in account.disputes:
        found.append(
            Entry(
                _utc(dispute.created_at),
                "dispute",
                None,
                f"Dispute ({dispute.reason}), {dispute.status}",
                dispute.details or "",
                {"reason": dispute.reason, "status": dispute.status},
            )
        )
    return found


def _permissions(session: Session, account: Account) -> list[Entry]:
    """Consents, opt-outs and undeliverable addresses. An opt-out covers its address whatever
    file it was said in (amicable/outreach/snapshot.py), so one said on another file or before
    this file was known, for the debtor's number or e-mail, is shown too (not which file)."""
    found = [
        Entry(
            _utc(consent.given_at),
            "consent",
            consent.channel,
            f"Consent for {consent.channel} ({consent.source})",
            consent.wording or "",
            {"source": consent.source},
        )
        for consent in account.consents
    ]
    debtor = account.debtor
    # Stored as said: the number in E.164, an e-mail address as typed or lower-cased.
    addresses = {a for a in (debtor.phone, debtor.email, (debtor.email or "").lower()) if a}
    where = OptOut.account_id == account.id
    if addresses:
        where = or_(where, OptOut.address.in_(sorted(addresses)))
    for opt_out in session.scalars(select(OptOut).where(where).order_by(OptOut.id)):
        elsewhere = opt_out.account_id != account.id
        found.append(
            Entry(
                _utc(opt_out.created_at),
                "opt_out",
                opt_out.channel,
                f"Opted out of {opt_out.channel}" + (" (said elsewhere for this address)" if elsewhere else ""),
                facts={"elsewhere": elsewhere},
            )
        )
    if debtor.email:
        bad = session.scalar(select(UndeliverableAddress).where(UndeliverableAddress.address == debtor.email.lower()))
        if bad is not None:
            found.append(
                Entry(
                    _utc(bad.created_at),
                    "undeliverable",
                    "email",
                    f"E-mail address undeliverable ({bad.kind})",
                    bad.detail or "",
                    {"reason": bad.kind},
                )
            )
    return found


def timeline(session: Session, account: Account) -> list[Entry]:
    """Everything that happened on the file, newest first. Entries at the same instant keep
    the order they were recorded in, newest first as well (a reply after the message it
    answers; a conversation's first message after the conversation itself)."""
    conversations, conversation_ids = _conversations(session, account)
    entries = [
        *_invoices(account),
        *_permissions(session, account),
        *_outreach(session, account),
        *_contact_log(account),
        *conversations,
        *_notes(session, conversation_ids),
        *_handoffs(session, account, conversation_ids),
        *_money_entries(account),
        *_outcomes(account),
    ]
    order = {kind: n for n, kind in enumerate(KINDS)}
    ranked = sorted(enumerate(entries), key=lambda pair: (pair[1].at, order[pair[1].kind], pair[0]), reverse=True)
    return [entry for _, entry in ranked]
