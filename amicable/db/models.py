"""The stored state of Amicable. Money is `Numeric(12, 2)` read as `Decimal`, never float.

An account's balance and status are not stored: they are derived from invoices, payment
allocations, plans, promises and disputes (`amicable.services.accounts`), so they can never
disagree with the records they summarise.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

MONEY = Numeric(12, 2)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(12)}"


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back time-zone aware (SQLite forgets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Creditor(Base):
    __tablename__ = "creditors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Debtor(Base):
    __tablename__ = "debtors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="en")
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(2))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    postcode: Mapped[str | None] = mapped_column(String(16))
    # Hours the debtor asked to be contacted in ("18:00-21:00", their own time); outreach keeps
    # inside them as well as inside the law's window.
    preferred_hours: Mapped[str | None] = mapped_column(String(16))
    # The name folded for search ("Zoë" is found by "zoe"), kept by `_fold_name` below: SQL's
    # lower() knows no accents, and SQLite's not even non-ASCII letters.
    search_key: Mapped[str | None] = mapped_column(String(200))


def search_key(text: str) -> str:
    """Text as a search compares it: accents dropped, case folded ("Élodie" -> "elodie")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@event.listens_for(Debtor, "before_insert")
@event.listens_for(Debtor, "before_update")
def _fold_name(_mapper: object, _connection: object, debtor: Debtor) -> None:
    debtor.search_key = search_key(debtor.name or "")[:200]


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    # The reference as people type it back: letters and digits only, upper case
    # ("inv 2025 00871" finds INV-2025-00871). Not unique: two references may share it.
    reference_key: Mapped[str | None] = mapped_column(String(64), index=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditors.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtors.id"))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(32))
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Collection is paused (hardship, illness, bereavement) until a person resumes it.
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # A hold with an end date, such as the UK's Breathing Space: no collection contact before.
    hold_until: Mapped[date | None] = mapped_column(Date)
    # The debtor asked that all contact about this debt stop; only closing notices may follow.
    cease_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The structured reference a bank transfer carries (+++…+++ in Belgium, RF… elsewhere).
    payment_reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, index=True)

    creditor: Mapped[Creditor] = relationship(lazy="joined")
    debtor: Mapped[Debtor] = relationship(lazy="joined")
    invoices: Mapped[list[Invoice]] = relationship(back_populates="account", order_by="Invoice.due_on, Invoice.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="account", order_by="Payment.id")
    adjustments: Mapped[list[Adjustment]] = relationship(back_populates="account", order_by="Adjustment.id")
    payment_links: Mapped[list[PaymentLink]] = relationship(back_populates="account", order_by="PaymentLink.created_at")
    plans: Mapped[list[Plan]] = relationship(back_populates="account", order_by="Plan.id")
    promises: Mapped[list[Promise]] = relationship(back_populates="account", order_by="Promise.id")
    disputes: Mapped[list[Dispute]] = relationship(back_populates="account", order_by="Dispute.id")
    handoffs: Mapped[list[Handoff]] = relationship(back_populates="account", order_by="Handoff.id")
    opt_outs: Mapped[list[OptOut]] = relationship(back_populates="account", order_by="OptOut.id")
    contacts: Mapped[list[ContactEvent]] = relationship(back_populates="account", order_by="ContactEvent.id")
    consents: Mapped[list[Consent]] = relationship(back_populates="account", order_by="Consent.id")


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("account_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    account: Mapped[Account] = relationship(back_populates="invoices")
    allocations: Mapped[list[Allocation]] = relationship(back_populates="invoice")


class PaymentLink(Base):
    __tablename__ = "payment_links"
    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("pl"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    methods: Mapped[list[str]] = mapped_column(JSON)
    provider: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    # open, processing, paid, expired, failed; superseded (a newer link of the same purpose was
    # made), closed (nothing left to pay, or a plan replaced the debt), cancelled (by an operator).
    status: Mapped[str] = mapped_column(String(16), default="open")
    # What the link is for: "balance" (what is owed, perhaps less a pay-in-full discount),
    # "installment" (the next installment of a plan) or "early_payment" (an invoice before its
    # due date). At most one link per account and purpose is open.
    purpose: Mapped[str] = mapped_column(String(16), default="balance", server_default="balance")
    # Taken off the balance when this link is paid in full (a pay-in-full offer); 0 otherwise.
    discount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"), server_default="0")
    # The provider's current checkout for this link (Stripe Checkout Session), when there is one.
    provider_session_id: Mapped[str | None] = mapped_column(String(255), index=True)
    provider_url: Mapped[str | None] = mapped_column(Text)
    provider_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    account: Mapped[Account] = relationship(back_populates="payment_links")


class Payment(Base):
    """Money received, or (kind "refund", negative amount) money given back. Allocations say
    which invoices it settled; a refund's negative allocations reopen them."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="payment", server_default="payment")  # payment, refund
    refund_of_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(16))
    provider_reference: Mapped[str | None] = mapped_column(String(120), index=True)
    payment_link_id: Mapped[str | None] = mapped_column(ForeignKey("payment_links.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account] = relationship(back_populates="payments")
    allocations: Mapped[list[Allocation]] = relationship(back_populates="payment")


class Adjustment(Base):
    """A reduction of what is owed that is not money received, such as the discount a
    creditor's policy grants for paying in full. It settles invoices through allocations,
    like a payment, so the balance stays invoices minus allocations."""

    __tablename__ = "adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # discount, discount_revoked
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    detail: Mapped[str] = mapped_column(Text, default="")
    payment_link_id: Mapped[str | None] = mapped_column(ForeignKey("payment_links.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account] = relationship(back_populates="adjustments")
    allocations: Mapped[list[Allocation]] = relationship(back_populates="adjustment")


class Allocation(Base):
    """Part of a payment or an adjustment applied to one invoice: exactly one of the two."""

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint("(payment_id IS NULL) <> (adjustment_id IS NULL)", name="allocation_has_one_source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    payment: Mapped[Payment | None] = relationship(back_populates="allocations")
    adjustment: Mapped[Adjustment | None] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship(back_populates="allocations")


class Plan(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=lambda: new_id("plan"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, completed, broken, cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A payment method the debtor saved for this plan (a SEPA mandate or a card): installments
    # are then charged on their due date instead of sent as links.
    autopay_method: Mapped[str | None] = mapped_column(String(16))  # sepa_debit, card
    autopay_customer: Mapped[str | None] = mapped_column(String(255))
    autopay_payment_method: Mapped[str | None] = mapped_column(String(255))
    account: Mapped[Account] = relationship(back_populates="plans")
    installments: Mapped[list[Installment]] = relationship(back_populates="plan", order_by="Installment.seq")


class Installment(Base):
    __tablename__ = "installments"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled, paid, late, missed
    # The link sent before the due date, with its reminder.
    payment_link_id: Mapped[str | None] = mapped_column(ForeignKey("payment_links.id"))
    # The charge on the saved method (a PaymentIntent id), once one was made.
    charge_id: Mapped[str | None] = mapped_column(String(255))
    plan: Mapped[Plan] = relationship(back_populates="installments")


class Promise(Base):
    __tablename__ = "promises"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, kept, broken, replaced
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account] = relationship(back_populates="promises")


class Dispute(Base):
    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # already_paid, not_mine, wrong_amount, chargeback, other
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, resolved, rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account] = relationship(back_populates="disputes")


class Conversation(Base):
    """One debtor's thread on one channel. `handled_by` says whether the bot or a person answers."""

    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(128))  # phone number, chat id; none on the web
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_verifications: Mapped[int] = mapped_column(Integer, default=0)
    # When identity was last confirmed, and when the debtor last wrote: a confirmation lapses
    # after the policy's idle time, a hand-back, or a change of channel or number.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who knocks (a digest of the web client's address; the number or chat id elsewhere): failed
    # identity checks are limited per source as well as per file.
    source: Mapped[str | None] = mapped_column(String(128), index=True)
    # An identity check under way: the facts judged so far (never the answers themselves) and a
    # one-time code's digest and expiry.
    identity_check: Mapped[dict | None] = mapped_column(JSON)
    handled_by: Mapped[str] = mapped_column(String(8), default="bot")  # bot, agent
    language: Mapped[str | None] = mapped_column(String(8))
    # What the bot's last question expects (a slot of its open form, "yes_no" after an offer),
    # as the bot said with its answer (bot/expecting.py): the next message is redacted and read
    # for care cues with it in mind.
    bot_expecting: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    account: Mapped[Account | None] = relationship()
    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id")


class AttemptCounter(Base):
    """Counts that must be exact under concurrency and survive restarts: failed identity checks
    per file and per source, per day. Incremented by one upsert, so two attempts at once both
    count, on PostgreSQL as on SQLite."""

    __tablename__ = "attempt_counters"
    __table_args__ = (UniqueConstraint("scope", "key", "window"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    window: Mapped[str] = mapped_column(String(16))  # the UTC day, 2026-12-05
    count: Mapped[int] = mapped_column(Integer, default=0)


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    author: Mapped[str] = mapped_column(String(8))  # debtor, bot, agent
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class BotOutbox(Base):
    """A debtor's message the bot has not answered yet: it could not be reached, or the gateway
    stopped waiting while it may still have been working. The gateway's outbox
    (channels/outbox.py) gives it to the bot when it can, in arrival order per conversation,
    and delivers the answer on the debtor's channel; until then the debtor was told exactly
    that, which is true because this row exists.

    status: `waiting` (not given to the bot), `asked` (given, answer not received: it is looked
    for in the bot's own record of the conversation before asking again), `answered`,
    `handed` (a colleague took the conversation meanwhile and answers it), or `failed` (after
    too many tries; `detail` says why)."""

    __tablename__ = "bot_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    # What the bot is to read (the redacted text, or the intent the gateway chose for it).
    text: Mapped[str] = mapped_column(Text)
    bot_metadata: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="waiting", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Handoff(Base):
    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting, active, closed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A call-back time the debtor chose when nobody was on duty.
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The agent who took it (none while it waits in the queue).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    account: Mapped[Account | None] = relationship(back_populates="handoffs")
    agent: Mapped[Agent | None] = relationship()


class Agent(Base):
    """A person who takes over conversations. Supervisors may open any conversation; agents
    the queue and their own."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # agent, supervisor
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The creditor whose files this person works on; None: the agency's own staff, who see all.
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditors.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    """A key for the JSON API scoped to one creditor: every list, read, change and export made
    with it sees that creditor's files only. Only a SHA-256 digest of the key is stored (keys
    are long random strings, so a plain digest cannot be reversed); the agency-wide key is
    `AMICABLE_API_KEY`, in the settings."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters, to tell keys apart in a list without holding the key.
    prefix: Mapped[str] = mapped_column(String(16))
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditors.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    creditor: Mapped[Creditor] = relationship(lazy="joined")


class AgentSession(Base):
    """A signed-in browser. Only a digest of the cookie's token is stored."""

    __tablename__ = "agent_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agent: Mapped[Agent] = relationship()


class ConversationNote(Base):
    """An agent's note on a conversation, never shown to the debtor."""

    __tablename__ = "conversation_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agent: Mapped[Agent] = relationship()


class OptOut(Base):
    """A request to stop contact on a channel; kept even when no account is known yet."""

    __tablename__ = "opt_outs"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(128), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account | None] = relationship(back_populates="opt_outs")


class UndeliverableAddress(Base):
    """An email address that bounced for good or whose owner marked our email as spam: no
    outreach email goes to it again, on any file (the contact log of each says why)."""

    __tablename__ = "undeliverable_addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # bounced, complained
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactEvent(Base):
    """The contact log: every verification, outcome, message sent or blocked, with its reason."""

    __tablename__ = "contact_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account | None] = relationship(back_populates="contacts")


class ProcessedEvent(Base):
    """Payment events already applied, so a retried webhook changes nothing twice."""

    __tablename__ = "processed_events"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatementLine(Base):
    """One credit line of an imported bank statement, and what became of it.

    `source_key` is the bank's own entry reference, or a digest of the line, so importing the
    same statement twice books nothing twice."""

    __tablename__ = "statement_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(255), unique=True)
    booked_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    remittance: Mapped[str] = mapped_column(Text, default="")
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    counterparty_iban: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # matched, overpaid, unmatched
    reason: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account | None] = relationship()
    payment: Mapped[Payment | None] = relationship()


class Consent(Base):
    """Permission to reach the debtor on a channel, and where it came from (a number given with
    the debt, a WhatsApp opt-in with its wording). Some channels and countries need one."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))  # provided_with_debt, opt_in, debtor_request
    wording: Mapped[str] = mapped_column(Text, default="")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account] = relationship(back_populates="consents")


class PaymentHistory(Base):
    """One past invoice of a creditor's customer and how it was paid: what the late-payment
    model learns from. Imported from the creditor's books or generated for the demo; kept apart
    from live invoices so years of history cost nothing to the accounts in collection."""

    __tablename__ = "payment_history"
    __table_args__ = (UniqueConstraint("creditor_id", "account_reference", "invoice_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditors.id"), index=True)
    account_reference: Mapped[str] = mapped_column(String(64), index=True)
    invoice_number: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    # None: never paid (written off or still open when the history was taken).
    paid_on: Mapped[date | None] = mapped_column(Date)
    # Reminders sent before it was paid.
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    # The channel and local hour of the debtor's first answer to a reminder, when they answered.
    response_channel: Mapped[str | None] = mapped_column(String(16))
    response_hour: Mapped[int | None] = mapped_column(Integer)


class OutreachContact(Base):
    """One strategy step for one account in one collection cycle: planned, deferred, sent or
    blocked, with the rule and reason. The unique key makes a step happen at most once, so a
    run that restarts half-way sends nothing twice."""

    __tablename__ = "outreach_contacts"
    __table_args__ = (UniqueConstraint("account_id", "cycle", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # The due date of the oldest open invoice when the step was planned: a new debt starts the
    # strategy again, the same debt never repeats a step.
    cycle: Mapped[date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(String(32))
    # deferred, queued, sending, sent, blocked, failed
    status: Mapped[str] = mapped_column(String(16), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(64))
    tone: Mapped[str] = mapped_column(String(16))
    # "experiment:variant" when the account is in an A/B test.
    variant: Mapped[str | None] = mapped_column(String(80))
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rule: Mapped[str] = mapped_column(String(48), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a worker claimed it for sending (queued -> sending): a claim far older than any send
    # takes was left by a worker that died, and is shown as interrupted (outreach/dispatch.py).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    account: Mapped[Account] = relationship()
