"""Creditor collection policies: what the bot may offer, loaded from YAML and validated.

`default.yml` applies to every creditor; `policies/<slug>.yml` overrides parts of it for one
creditor. A policy with an unknown key or an impossible value is refused at load, naming
what is wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from amicable import yaml_source
from amicable.yaml_source import Lines, SourceError, describe, slug


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PaymentLinkPolicy(_Strict):
    valid_days: int = Field(7, ge=1, le=90)
    methods: dict[str, list[str]] = {"default": ["card"]}


class PromisePolicy(_Strict):
    max_days: int = Field(30, ge=1, le=365)


class PlanPolicy(_Strict):
    min_installment: Decimal = Field(Decimal("25.00"), gt=0)
    max_installments: int = Field(12, ge=2, le=60)
    # Days from the agreement to the first installment.
    first_due_days: int = Field(7, ge=0, le=60)
    # Days before each installment that its payment link and reminder go out.
    remind_days_before: int = Field(3, ge=0, le=14)
    # Days after the due date an unpaid installment is late, before it counts as missed.
    grace_days: int = Field(5, ge=0, le=30)
    # Missed installments that break the plan (the balance is then collected as before).
    misses_to_break: int = Field(2, ge=1, le=12)
    # Methods a debtor may save to have installments taken on their due date ([] for none).
    autopay_methods: list[Literal["sepa_debit", "card"]] = ["sepa_debit", "card"]


class DiscountPolicy(_Strict):
    # Percent taken off the whole balance when the debtor pays all of it now; 0 offers none.
    pay_in_full_percent: Decimal = Field(Decimal("0"), ge=0, le=50, decimal_places=2)


class BankTransferPolicy(_Strict):
    """The creditor's account for transfers; without an IBAN no transfer is offered."""

    iban: str = ""
    bic: str = ""
    beneficiary: str = ""

    @field_validator("iban")
    @classmethod
    def _valid_iban(cls, value: str) -> str:
        if not value:
            return ""
        try:
            return IBAN(value).compact
        except SchwiftyException as error:
            raise ValueError(f"{value} is not a valid IBAN: {error}") from None

    @field_validator("bic")
    @classmethod
    def _valid_bic(cls, value: str) -> str:
        if not value:
            return ""
        try:
            return str(BIC(value))
        except SchwiftyException as error:
            raise ValueError(f"{value} is not a valid BIC: {error}") from None

    @property
    def offered(self) -> bool:
        return bool(self.iban)


class HandoverPolicy(_Strict):
    """When colleagues take over conversations, in their own time zone: "09:00-17:00" per
    weekday, empty for closed. Outside these hours a hand-over offers a call back."""

    timezone: str = "Europe/Brussels"
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], str] = {
        "mon": "09:00-17:00",
        "tue": "09:00-17:00",
        "wed": "09:00-17:00",
        "thu": "09:00-17:00",
        "fri": "09:00-17:00",
    }
    slot_minutes: int = Field(30, ge=5, le=240)
    # How a colleague is named to the debtor when they join and on each message they send:
    # their first name ("Sam"), their name as entered ("Sam Peeters"), or no name ("a colleague").
    agent_name: Literal["first_name", "full_name", "none"] = "first_name"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value} is not a time zone (e.g. Europe/Brussels)") from None
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict) -> dict:
        for day, spec in value.items():
            if not spec:
                continue
            match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)", spec)
            if not match or spec.split("-")[0] >= spec.split("-")[1]:
                raise ValueError(f"{day}: {spec!r} is not an opening like 09:00-17:00")
        return value


class IdentityPolicy(_Strict):
    """How long a confirmed identity lasts without a message from the debtor, and how long a
    one-time code sent to the number on file stays good."""

    idle_minutes: int = Field(30, ge=5, le=240)
    code_minutes: int = Field(10, ge=2, le=60)


class Policy(_Strict):
    payment_link: PaymentLinkPolicy = PaymentLinkPolicy()
    promise: PromisePolicy = PromisePolicy()
    plan: PlanPolicy = PlanPolicy()
    discount: DiscountPolicy = DiscountPolicy()
    # Which open invoices a payment settles first (by due date).
    allocation: Literal["oldest_first", "newest_first"] = "oldest_first"
    bank_transfer: BankTransferPolicy = BankTransferPolicy()
    handover: HandoverPolicy = HandoverPolicy()
    identity: IdentityPolicy = IdentityPolicy()

    def methods_for(self, country: str | None) -> list[str]:
        return list(self.payment_link.methods.get((country or "").upper(), self.payment_link.methods["default"]))


@lru_cache
def load_policy(policies_dir: Path, creditor_name: str) -> Policy:
    """The creditor's policy: `default.yml` with `<creditor-slug>.yml` laid over it, so a
    creditor's file names only what differs (its own discount, a longer plan)."""
    default = policies_dir / "default.yml"
    merged, default_lines = _read(default) if default.exists() else ({}, {})
    sources = [(default, default_lines)]
    own = policies_dir / f"{slug(creditor_name)}.yml"
    if own.exists():
        own_data, own_lines = _read(own)
        merged = yaml_source.overlay(merged, own_data)
        sources.insert(0, (own, own_lines))
    try:
        return Policy.model_validate(merged)
    except ValidationError as error:
        raise SourceError(describe(error, sources)) from None


def check_policies(policies_dir: Path) -> list[str]:
    """Load every policy file, so a mistake stops the start instead of a conversation; return
    the creditor slugs that have their own policy."""
    load_policy.cache_clear()
    slugs = sorted(path.stem for path in policies_dir.glob("*.yml") if path.stem != "default")
    load_policy(policies_dir, "default")
    for name in slugs:
        load_policy(policies_dir, name)
    return slugs


def _read(path: Path) -> tuple[dict, Lines]:
    data, lines = yaml_source.load(path)
    if not isinstance(data or {}, dict):
        raise SourceError(f"{path} line 1: expected a mapping of sections")
    return data or {}, lines
