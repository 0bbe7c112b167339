"""What a creditor sends to load an account: the debtor, the invoices and the consents. The
same shape arrives from the API, a CSV row and the demo, so it is validated here, once, and
the services take it as it is. The JSON keys are a contract with outside tools (api/schemas.py
publishes them): change them only on purpose."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, PlainSerializer, field_validator

from amicable.compliance.rules import parse_window
from amicable.money import fmt, parse_amount

Amount = Annotated[Decimal, BeforeValidator(parse_amount), PlainSerializer(fmt, return_type=str)]
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

    channel: Literal["whatsapp", "sms", "telegram", "email", "voice"]
    source: Literal["provided_with_debt", "opt_in", "debtor_request"]
    wording: str = Field("", max_length=1000)


class AccountIn(Strict):
    # As creditors print them: HE-A16DD6E4, INV-2025-00871, FAC/2025/00123, +++090/9337/55493+++.
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9+][A-Za-z0-9 ._/+-]*$")
    creditor: str = Field(min_length=1, max_length=200)
    debtor: DebtorIn
    invoices: list[InvoiceIn] = Field(min_length=1, max_length=1000)
    consents: list[ConsentIn] = Field(default_factory=list, max_length=10)


class DebtorPatch(DebtorIn):
    """The debtor's fields to change; those left out keep their value. `name`, `language` and
    `timezone` cannot be emptied (a null is refused); the others can."""

    name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    language: str = None  # type: ignore[assignment]
    timezone: str = None  # type: ignore[assignment]


class AccountPatch(Strict):
    """A partial update (PATCH): only what is sent changes. Invoices are matched by number (an
    unknown number is added, none is removed); consents are added."""

    creditor: str | None = Field(None, min_length=1, max_length=200)
    debtor: DebtorPatch | None = None
    invoices: list[InvoiceIn] = Field(default_factory=list, max_length=1000)
    consents: list[ConsentIn] = Field(default_factory=list, max_length=10)
