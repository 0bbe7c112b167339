"""Shapes of what clients send and what the API returns; separate models for separate jobs.

The JSON keys here are a contract with outside tools: change them only on purpose.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

from amicable.money import fmt
from amicable.services.imports import ImportReport, ImportRowError  # noqa: F401
from amicable.services.shapes import (  # noqa: F401 - published here with the API's shapes
    LANGUAGES,
    AccountIn,
    AccountPatch,
    Amount,
    ConsentIn,
    DebtorIn,
    InvoiceIn,
    Strict,
)

Money = Annotated[Decimal, PlainSerializer(fmt, return_type=str)]
Reason = Literal[
    "forgot",
    "cash_flow",
    "income_loss",
    "illness",
    "bereavement",
    "overwhelmed",
    "dispute",
    "technical",
    "refuses",
    "other",
]


class InvoiceOut(BaseModel):
    number: str
    amount: Money
    amount_due: Money
    due_on: date
    status: str


class PaymentLinkOut(BaseModel):
    id: str
    url: str
    # balance, installment or early_payment: one open link per account and purpose.
    purpose: str = "balance"
    amount: Money
    # Granted when the link is paid in full: the balance is then reduced by amount + discount.
    discount: Money
    status: str
    methods: list[str]
    expires_at: datetime


class AdjustmentOut(BaseModel):
    kind: str
    amount: Money
    detail: str
    created_at: datetime


class InstallmentOut(BaseModel):
    amount: Money
    due_on: date
    status: str
    # The link sent with the reminder before the due date, once it has gone out.
    payment_link_id: str | None = None


class PlanOut(BaseModel):
    id: str
    status: str
    installments: list[InstallmentOut]
    # On a new plan: the page where the debtor can have installments taken automatically.
    autopay_url: str | None = None


class PromiseOut(BaseModel):
    amount: Money
    due_on: date
    status: str


class DisputeOut(BaseModel):
    reason: str
    status: str
    created_at: datetime


class HandoffOut(BaseModel):
    reason: str
    status: str
    created_at: datetime


class OptOutOut(BaseModel):
    channel: str
    created_at: datetime


class ContactOut(BaseModel):
    at: datetime
    channel: str
    kind: str
    detail: str


class DebtorOut(BaseModel):
    name: str
    language: str
    phone: str | None
    email: str | None
    country: str | None
    timezone: str


class AccountOut(BaseModel):
    reference: str
    creditor: str
    currency: str
    balance: Money
    status: str
    language: str
    reason: Reason | None
    vulnerable: bool
    payment_reference: str | None
    debtor: DebtorOut
    invoices: list[InvoiceOut]
    payment_links: list[PaymentLinkOut]
    adjustments: list[AdjustmentOut]
    plans: list[PlanOut]
    promises: list[PromiseOut]
    disputes: list[DisputeOut]
    handoffs: list[HandoffOut]
    opt_outs: list[OptOutOut]
    contact_log: list[ContactOut]


class AccountItem(BaseModel):
    """One account in the portfolio list."""

    reference: str
    creditor: str
    currency: str
    balance: str
    # paid, disputed, on_hold, with_agent, in_plan, promised, overdue, open
    status: str
    reason: Reason | None
    vulnerable: bool
    oldest_due_on: date | None
    days_overdue: int
    created_at: datetime
    updated_at: datetime
    debtor: DebtorOut


class AccountPage(BaseModel):
    """A page of the portfolio: `next_cursor` fetches the next (null on the last); `total`
    counts every match, not only this page."""

    items: list[AccountItem]
    next_cursor: str | None
    total: int


class PaymentLinkIn(Strict):
    amount: Amount | None = None
    # Offer the policy's pay-in-full discount (the link is then for the whole balance).
    discount: bool = False
    # While a plan runs, a link without `amount` is for its next installment; true asks for
    # the whole balance instead (the debtor said they want to pay everything).
    whole_balance: bool = False
    conversation_id: str | None = Field(None, max_length=128)


class PromiseIn(Strict):
    due_on: date
    amount: Amount | None = None
    conversation_id: str | None = Field(None, max_length=128)


class PlanIn(Strict):
    monthly_amount: Amount
    conversation_id: str | None = Field(None, max_length=128)


class ScheduledOut(BaseModel):
    due_on: date
    amount: Money


class PlanQuoteOut(BaseModel):
    proposed: Money
    monthly: Money
    fits: bool
    why: str | None
    total: Money
    installments: list[ScheduledOut]


class DisputeIn(Strict):
    reason: Literal["already_paid", "not_mine", "wrong_amount", "other"] = "other"
    details: str = Field("", max_length=4000)
    conversation_id: str | None = Field(None, max_length=128)


class ReasonIn(Strict):
    reason: Reason
    conversation_id: str | None = Field(None, max_length=128)
    # The debtor's answer to "may I note this on your file?" for illness and bereavement.
    vulnerability_consent: bool | None = None


class VerificationIn(Strict):
    # May be empty when the conversation is bound to a file (a signed link, the debtor's number).
    reference: str = Field("", max_length=200)
    answer: str = Field(min_length=1, max_length=200)
    # What the answer is; without it, the step the check is at (the date of birth first).
    fact: Literal["date_of_birth", "postcode", "code"] | None = None


class VerificationOut(BaseModel):
    verified: bool
    attempts_left: int
    # What to ask next: "postcode", "code", or null when the check is over.
    next: Literal["postcode", "code"] | None = None
    account_reference: str | None = None
    language: str | None = None


class HandoffIn(Strict):
    reason: str = Field("asked_for_person", max_length=32)
    summary: str = Field("", max_length=4000)


class OptOutIn(Strict):
    channel: str | None = Field(None, max_length=16)


class OutcomeOut(BaseModel):
    """What the bot needs to word its reply after recording an outcome."""

    ok: bool = True
    account_reference: str | None = None
    detail: dict[str, str | list[str] | None] = {}


class RefundDueOut(BaseModel):
    """A payment that brought more than was owed: what is to be returned."""

    id: int
    account_reference: str
    amount: Money
    currency: str
    provider: str
    provider_reference: str | None
    received_at: datetime


class RefundOut(BaseModel):
    payment_id: int
    amount: Money
    currency: str
    reference: str | None
