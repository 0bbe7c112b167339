"""Everything the planner needs about every account, read in a dozen set-based queries.

Planning a million accounts cannot afford a query per account, nor every account's state in
memory at once: `iter_states` reads the accounts in chunks of consecutive ids (a dozen
queries a chunk, each on the `account_id` indexes), into plain `AccountState` records that
the planner decides in memory and then lets go. Opt-outs, which bind by address across
files, are read once for the whole run.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import phonenumbers
from sqlalchemy import ColumnElement, func, select
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
    """The number in E.164 and whether it can take texts; (None, False) when it is no valid
    number. `number_type` is UNKNOWN exactly when `is_valid_number` is false (the same region
    and metadata lookup), so one call answers both: it is the costliest step of planning."""
    if not phone:
        return None, False
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None, False
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return None, False
    mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), mobile


CHUNK = 20_000
"""Accounts read and planned together: large enough that the per-chunk queries cost little,
small enough that a million accounts never sit in memory as states at once (and that an
IN list of a chunk's email addresses stays under the databases' parameter limits)."""


@dataclass
class _OptOuts:
    """Opt-outs by file and by address (normalised as the states' addresses are)."""

    by_account: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_address: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(cls, session: Session, where: ColumnElement[bool] | None = None) -> _OptOuts:
        found = cls()
        query = select(OptOut.account_id, OptOut.channel, OptOut.address)
        if where is not None:
            query = query.where(where)
        for account_id, channel, address in session.execute(query):
            if account_id is not None:
                found.by_account[account_id].add(channel)
            key = _mobile(address)[0] or (address or "").lower()
            if key:
                found.by_address[key].add(channel)
        return found

    def apply(self, state: AccountState) -> None:
        """An opt-out covers the address, whichever file it was said in (US-12): a number
        shared by two files, or a Telegram chat that stopped before saying who it was."""
        state.opted_out |= self.by_account.get(state.id, set())
        for address in (state.phone, state.telegram_chat, state.email and state.email.lower()):
            if address:
                state.opted_out |= self.by_address.get(address, set())


def _accounts_query(creditor: str | None):  # type: ignore[no-untyped-def]
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
    return query


def _state(row) -> AccountState:  # type: ignore[no-untyped-def]
    phone, mobile = _mobile(row[8])
    return AccountState(
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


def iter_states(
    session: Session, now: datetime, creditor: str | None = None, chunk: int = CHUNK
) -> Iterator[list[AccountState]]:
    """Every account's state (of one creditor, if given), in order of id, `chunk` at a time."""
    opt_outs = _OptOuts.read(session)
    after = 0
    while True:
        rows = session.execute(_accounts_query(creditor).where(Account.id > after).limit(chunk)).all()
        if not rows:
            return
        states = {row[0]: _state(row) for row in rows}
        low, high = rows[0][0], rows[-1][0]

        def within(column, low: int = low, high: int = high) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
            """The chunk's accounts: a range of ids, narrowed to the creditor's when asked."""
            if not creditor:
                return column.between(low, high)
            own = select(Account.id).join(Creditor).where(Creditor.name == creditor, Account.id.between(low, high))
            return column.between(low, high) & column.in_(own)

        _complete(session, now, states, within, opt_outs)
        yield list(states.values())
        if len(rows) < chunk:
            return
        after = high


def load_states(
    session: Session, now: datetime, creditor: str | None = None, account_ids: list[int] | None = None
) -> list[AccountState]:
    """The state of every account (of one creditor), or of the accounts `account_ids` names:
    those a send being checked needs, read with only the opt-outs that can concern them."""
    if account_ids is None:
        return [state for states in iter_states(session, now, creditor) for state in states]
    query = _accounts_query(creditor).where(Account.id.in_(account_ids))
    states = {row[0]: _state(row) for row in session.execute(query)}
    if not states:
        return []
    ids = list(states)

    def within(column) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
        return column.in_(ids)

    raw_phones = [p for (p,) in session.execute(select(Debtor.phone).join(Account).where(Account.id.in_(ids)))]
    addresses = [
        *filter(None, (a for s in states.values() for a in (s.phone, s.email and s.email.lower()))),
        *filter(None, raw_phones),
    ]
    # Its own, any said before a file was known (as written then), and exact matches; a
    # confirmed Telegram chat is read below, and added to the addresses there.
    _complete(session, now, states, within, None, addresses)
    return list(states.values())


def _complete(  # noqa: C901 - one pass per related table, in the order the rules need them
    session: Session,
    now: datetime,
    states: dict[int, AccountState],
    within,  # type: ignore[no-untyped-def]
    opt_outs: _OptOuts | None,
    addresses: list[str] | None = None,
) -> None:
    """Fill in what the accounts' related rows say: open invoices, plans, promises,
    disputes, confirmed chats, opt-outs, bounces, consents, verified channels, conversations,
    earlier contacts and answers. `within(column)` restricts an `account_id` column to these
    accounts. Without `opt_outs`, those concerning these accounts or `addresses` are read."""
    settled = (
        select(Allocation.invoice_id, func.sum(Allocation.amount).label("settled"))
        .where(Allocation.invoice_id.in_(select(Invoice.id).where(within(Invoice.account_id))))
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
        .where(within(Invoice.account_id))
    )
    for account_id, invoice_id, amount, paid, issued, due in session.execute(invoices):
        left = Decimal(amount) - Decimal(paid)
        if left > 0:
            states[account_id].open_invoices.append(OpenInvoice(invoice_id, left, issued, due))

    for (account_id,) in session.execute(
        select(Plan.account_id).where(Plan.status == "active", within(Plan.account_id))
    ):
        states[account_id].in_plan = True
    for (account_id,) in session.execute(
        select(Promise.account_id).where(Promise.status == "pending", within(Promise.account_id))
    ):
        states[account_id].promise_pending = True
    for (account_id,) in session.execute(
        select(Dispute.account_id).where(Dispute.status == "open", within(Dispute.account_id))
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
            within(Conversation.account_id), Conversation.channel == "telegram", confirmed
        )
    ).all()
    for account_id, address in chats:
        if address:
            states[account_id].telegram_chat = address
    conversations = session.execute(
        select(Conversation.account_id, Conversation.channel, Conversation.address, Conversation.verified).where(
            within(Conversation.account_id)
        )
    ).all()
    if opt_outs is None:
        chat_ids = [s.telegram_chat for s in states.values() if s.telegram_chat]
        opt_outs = _OptOuts.read(
            session,
            within(OptOut.account_id)
            | OptOut.account_id.is_(None)
            | OptOut.address.in_([*(addresses or []), *chat_ids]),
        )
    for state in states.values():
        opt_outs.apply(state)
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
        select(Consent.account_id, Consent.channel).where(within(Consent.account_id))
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
        .where(Message.author == "debtor", within(Conversation.account_id))
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
    ).where(within(OutreachContact.account_id))
    for account_id, cycle, step, status, send_at, channel, sent_at in session.execute(contacts):
        state = states[account_id]
        state.steps[(cycle, step)] = StepRecord(status, send_at)
        # Calls are counted from the contact log below, whoever placed them.
        if status == "sent" and channel and channel != "voice" and (sent_at or send_at) >= recent:
            state.history.append(Past(sent_at or send_at, channel, "message"))
    calls = select(ContactEvent.account_id, ContactEvent.created_at).where(
        ContactEvent.kind == "call_placed", ContactEvent.created_at >= recent, within(ContactEvent.account_id)
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
        .where(PaymentHistory.response_channel.is_not(None), within(Account.id))
    )
    for account_id, channel, hour in session.execute(answers):
        state = states[account_id]
        state.answers_by_channel[channel] += 1
        if hour is not None:
            state.answer_hours.append(hour)
