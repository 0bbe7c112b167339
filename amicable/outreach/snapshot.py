"""Everything the planner needs about every account, read in a dozen set-based queries.

Planning a hundred thousand accounts cannot afford a query per account: the state is read
once into plain `AccountState` records, and the decisions are made in memory.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amicable.compliance.gate import Past
from amicable.db.models import (
    Account,
    Allocation,
    Consent,
    ContactEvent,
    Conversation,
    Creditor,
    Debtor,
    Dispute,
    Invoice,
    Message,
    OptOut,
    OutreachContact,
    PaymentHistory,
    Plan,
    Promise,
    UndeliverableAddress,
)
from amicable.providers.email import usable_email

ZERO = Decimal("0.00")


@dataclass
class OpenInvoice:
    id: int
    amount_due: Decimal
    issued_on: date
    due_on: date


@dataclass
class StepRecord:
    status: str
    send_at: datetime


@dataclass
class AccountState:
    id: int
    reference: str
    creditor: str
    currency: str
    name: str
    language: str
    country: str | None
    timezone: str
    phone: str | None
    phone_is_mobile: bool
    preferred_hours: str | None
    on_hold: bool
    hold_until: date | None
    cease: bool
    open_invoices: list[OpenInvoice] = field(default_factory=list)
    in_plan: bool = False
    promise_pending: bool = False
    open_dispute: bool = False
    opted_out: set[str] = field(default_factory=set)
    consents: set[str] = field(default_factory=set)
    verified_channels: set[str] = field(default_factory=set)
    telegram_chat: str | None = None
    email: str | None = None
    undeliverable: dict[str, str] = field(default_factory=dict)
    steps: dict[tuple[date, str], StepRecord] = field(default_factory=dict)
    history: list[Past] = field(default_factory=list)
    last_talk_at: datetime | None = None
    last_call_talk_at: datetime | None = None
    # From the payment history: answers to reminders by channel, and the usual local hour.
    answers_by_channel: Counter = field(default_factory=Counter)
    answer_hours: list[int] = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return sum((i.amount_due for i in self.open_invoices), ZERO)

    @property
    def cycle(self) -> date | None:
        """The due date of the oldest open invoice: the debt the strategy is working on."""
        return min((i.due_on for i in self.open_invoices), default=None)


def _mobile(phone: str | None) -> tuple[str | None, bool]:
    if not phone:
        return None, False
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None, False
    if not phonenumbers.is_valid_number(number):
        return None, False
    kind = phonenumbers.number_type(number)
    mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), mobile


def load_states(
    session: Session, now: datetime, creditor: str | None = None, account_ids: list[int] | None = None
) -> list[AccountState]:
    query = (
        select(
            Account.id,
            Account.reference,
            Creditor.name,
            Account.currency,
            Debtor.name,
            Debtor.language,
            Debtor.country,
            Debtor.timezone,
            Debtor.phone,
            Debtor.preferred_hours,
            Account.on_hold,
            Account.hold_until,
            Account.cease_requested_at,
            Debtor.email,
        )
        .join(Creditor, Account.creditor_id == Creditor.id)
        .join(Debtor, Account.debtor_id == Debtor.id)
        .order_by(Account.id)
    )
    if creditor:
        query = query.where(Creditor.name == creditor)
    if account_ids is not None:
        query = query.where(Account.id.in_(account_ids))
    states: dict[int, AccountState] = {}
    for row in session.execute(query):
        phone, mobile = _mobile(row[8])
        states[row[0]] = AccountState(
            id=row[0],
            reference=row[1],
            creditor=row[2],
            currency=row[3],
            name=row[4],
            language=row[5],
            country=(row[6] or "").upper() or None,
            timezone=row[7],
            phone=phone,
            phone_is_mobile=mobile,
            preferred_hours=row[9],
            on_hold=row[10],
            hold_until=row[11],
            cease=row[12] is not None,
            email=usable_email(row[13]),
        )
    if not states:
        return []
    ids = select(Account.id)
    if creditor:
        ids = ids.join(Creditor, Account.creditor_id == Creditor.id).where(Creditor.name == creditor)
    if account_ids is not None:
        ids = ids.where(Account.id.in_(account_ids))

    settled = (
        select(Allocation.invoice_id, func.sum(Allocation.amount).label("settled"))
        .where(Allocation.invoice_id.in_(select(Invoice.id).where(Invoice.account_id.in_(ids))))
        .group_by(Allocation.invoice_id)
        .subquery()
    )
    invoices = (
        select(
            Invoice.account_id,
            Invoice.id,
            Invoice.amount,
            func.coalesce(settled.c.settled, 0),
            Invoice.issued_on,
            Invoice.due_on,
        )
        .outerjoin(settled, settled.c.invoice_id == Invoice.id)
        .where(Invoice.account_id.in_(ids))
    )
    for account_id, invoice_id, amount, paid, issued, due in session.execute(invoices):
        left = Decimal(amount) - Decimal(paid)
        if left > 0:
            states[account_id].open_invoices.append(OpenInvoice(invoice_id, left, issued, due))

    for (account_id,) in session.execute(
        select(Plan.account_id).where(Plan.status == "active", Plan.account_id.in_(ids))
    ):
        states[account_id].in_plan = True
    for (account_id,) in session.execute(
        select(Promise.account_id).where(Promise.status == "pending", Promise.account_id.in_(ids))
    ):
        states[account_id].promise_pending = True
    for (account_id,) in session.execute(
        select(Dispute.account_id).where(Dispute.status == "open", Dispute.account_id.in_(ids))
    ):
        states[account_id].open_dispute = True

    # A Telegram chat is the debtor's address only once identity was confirmed in it: a signed
    # link opened by someone else binds a chat to the file but proves nothing.
    confirmed = (
        select(ContactEvent.id)
        .where(
            ContactEvent.conversation_id == Conversation.id,
            ContactEvent.kind == "verification",
            ContactEvent.detail == "identity confirmed",
        )
        .exists()
    )
    chats = session.execute(
        select(Conversation.account_id, Conversation.address).where(
            Conversation.account_id.in_(ids), Conversation.channel == "telegram", confirmed
        )
    ).all()
    for account_id, address in chats:
        if address:
            states[account_id].telegram_chat = address
    conversations = session.execute(
        select(Conversation.account_id, Conversation.channel, Conversation.address, Conversation.verified).where(
            Conversation.account_id.in_(ids)
        )
    ).all()
    # An opt-out covers the address, whichever file it was said in (US-12): a number shared by
    # two files, or a Telegram chat that stopped before saying who it was.
    by_address: dict[str, list[AccountState]] = defaultdict(list)
    for state in states.values():
        for address in (state.phone, state.telegram_chat, state.email and state.email.lower()):
            if address:
                by_address[address].append(state)
    opt_outs = select(OptOut.account_id, OptOut.channel, OptOut.address)
    if account_ids is not None:  # one file (a send being checked): only what can concern it
        raw_phones = [p for (p,) in session.execute(select(Debtor.phone).join(Account).where(Account.id.in_(ids)))]
        # Its own, any said before a file was known (as written then), and exact matches.
        opt_outs = opt_outs.where(
            OptOut.account_id.in_(ids)
            | OptOut.account_id.is_(None)
            | OptOut.address.in_([*by_address, *filter(None, raw_phones)])
        )
    for account_id, channel, address in session.execute(opt_outs):
        targets = by_address.get(_mobile(address)[0] or (address or "").lower(), [])
        if account_id in states:
            targets = [states[account_id], *targets]
        for state in targets:
            state.opted_out.add(channel)
    emails: dict[str, list[AccountState]] = defaultdict(list)
    for state in states.values():
        if state.email:
            emails[state.email.lower()].append(state)
    if emails:
        for address, kind, detail in session.execute(
            select(UndeliverableAddress.address, UndeliverableAddress.kind, UndeliverableAddress.detail).where(
                UndeliverableAddress.address.in_(list(emails))
            )
        ):
            what = "bounced" if kind == "bounced" else "its owner marked our email as spam"
            for state in emails[address]:
                state.undeliverable["email"] = f"{what}{': ' + detail if detail else ''}"
    for account_id, channel in session.execute(
        select(Consent.account_id, Consent.channel).where(Consent.account_id.in_(ids))
    ):
        states[account_id].consents.add(channel)

    for account_id, channel, address, verified in conversations:
        state = states[account_id]
        # Identity confirmed on this very number (or chat): a number since changed proves nothing.
        if (
            verified
            and channel in ("sms", "whatsapp", "voice")
            and _mobile(address)[0] == state.phone
            or verified
            and channel == "telegram"
            and address == state.telegram_chat
        ):
            state.verified_channels.add(channel)
    talks = (
        select(Conversation.account_id, Conversation.channel, func.max(Message.created_at))
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.author == "debtor", Conversation.account_id.in_(ids))
        .group_by(Conversation.account_id, Conversation.channel)
    )
    for account_id, channel, last in session.execute(talks):
        state = states[account_id]
        last = last if last.tzinfo else last.replace(tzinfo=UTC)
        state.last_talk_at = max(filter(None, [state.last_talk_at, last]))
        if channel == "voice":
            state.last_call_talk_at = max(filter(None, [state.last_call_talk_at, last]))

    recent = now - timedelta(days=8)
    contacts = select(
        OutreachContact.account_id,
        OutreachContact.cycle,
        OutreachContact.step,
        OutreachContact.status,
        OutreachContact.send_at,
        OutreachContact.channel,
        OutreachContact.sent_at,
    ).where(OutreachContact.account_id.in_(ids))
    for account_id, cycle, step, status, send_at, channel, sent_at in session.execute(contacts):
        state = states[account_id]
        state.steps[(cycle, step)] = StepRecord(status, send_at)
        # Calls are counted from the contact log below, whoever placed them.
        if status == "sent" and channel and channel != "voice" and (sent_at or send_at) >= recent:
            state.history.append(Past(sent_at or send_at, channel, "message"))
    calls = select(ContactEvent.account_id, ContactEvent.created_at).where(
        ContactEvent.kind == "call_placed", ContactEvent.created_at >= recent, ContactEvent.account_id.in_(ids)
    )
    for account_id, placed in session.execute(calls):
        states[account_id].history.append(Past(placed, "voice", "call"))

    # A reference is a creditor's own: the history of the same reference at another creditor
    # is another person's.
    answers = (
        select(Account.id, PaymentHistory.response_channel, PaymentHistory.response_hour)
        .join(
            Account,
            (Account.reference == PaymentHistory.account_reference)
            & (Account.creditor_id == PaymentHistory.creditor_id),
        )
        .where(PaymentHistory.response_channel.is_not(None), Account.id.in_(ids))
    )
    for account_id, channel, hour in session.execute(answers):
        state = states[account_id]
        state.answers_by_channel[channel] += 1
        if hour is not None:
            state.answer_hours.append(hour)
    return list(states.values())
