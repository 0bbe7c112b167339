"""Shapes of what clients send and what the API returns; separate models for separate jobs.

The JSON keys here are a contract with outside tools: change them only on purpose.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, PlainSerializer, field_validator

from amicable.money import fmt, parse_amount

Amount = Annotated[Decimal, BeforeValidator(parse_amount), PlainSerializer(fmt, return_type=str)]
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
LANGUAGES = ("en", "fr", "nl")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DebtorIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    language: str = "en"
    phone: str | None = Field(None, max_length=32)
    email: EmailStr | None = None
    timezone: str = "Europe/Brussels"
    country: str | None = Field(None, min_length=2, max_length=2)
    date_of_birth: date | None = None
    postcode: str | None = Field(None, max_length=16)
    # When the debtor asked to be contacted, in their own time ("18:00-21:00").
    preferred_hours: str | None = None

    @field_validator("preferred_hours")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value:
            from amicable.compliance.rules import parse_window

            parse_window(value)
        return value or None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        value = value.lower()[:2]
        if value not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Europe/Brussels") from None
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date | None) -> date | None:
        if value and not (date(1900, 1, 1) <= value <= date.today()):
            raise ValueError("date_of_birth must be between 1900-01-01 and today")
        return value


class InvoiceIn(Strict):
    number: str = Field(min_length=1, max_length=64)
    amount: Amount
    currency: str = Field("EUR", pattern=r"^[A-Za-z]{3}$")
    issued_on: date
    due_on: date

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class ConsentIn(Strict):
    """Permission to reach the debtor on a channel: a number given with the debt
    (`provided_with_debt`), an opt-in with its wording (`opt_in`), or the debtor's own request."""

    channel: Literal["whatsapp", "sms", "telegram", "voice"]
    source: Literal["provided_with_debt", "opt_in", "debtor_request"]
    wording: str = Field("", max_length=1000)


class AccountIn(Strict):
    # As creditors print them: HE-A16DD6E4, INV-2025-00871, FAC/2025/00123, +++090/9337/55493+++.
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9+][A-Za-z0-9 ._/+-]*$")
    creditor: str = Field(min_length=1, max_length=200)
    debtor: DebtorIn
    invoices: list[InvoiceIn] = Field(min_length=1, max_length=1000)
    consents: list[ConsentIn] = Field(default_factory=list, max_length=10)


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
    invoices: list[InvoiceOut]
    payment_links: list[PaymentLinkOut]
    adjustments: list[AdjustmentOut]
    plans: list[PlanOut]
    promises: list[PromiseOut]
    disputes: list[DisputeOut]
    handoffs: list[HandoffOut]
    opt_outs: list[OptOutOut]
    contact_log: list[ContactOut]


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


class ImportRowError(BaseModel):
    row: int
    reference: str | None
    reason: str


class ImportReport(BaseModel):
    """Counts are of CSV rows (one row per invoice); `errors` explains each rejected row."""

    rows: int
    created: int
    updated: int
    rejected: int
    accounts_created: int
    accounts_updated: int
    errors: list[ImportRowError]


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
