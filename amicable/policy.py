"""Creditor collection policies: what the bot may offer, loaded from YAML and validated.

One file per creditor (`policies/<slug>.yml`), `default.yml` otherwise. A policy with an
unknown key or an impossible value is refused at load, naming what is wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


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


class Policy(_Strict):
    payment_link: PaymentLinkPolicy = PaymentLinkPolicy()
    promise: PromisePolicy = PromisePolicy()
    plan: PlanPolicy = PlanPolicy()

    def methods_for(self, country: str | None) -> list[str]:
        return list(self.payment_link.methods.get((country or "").upper(), self.payment_link.methods["default"]))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@lru_cache
def load_policy(policies_dir: Path, creditor_name: str) -> Policy:
    path = policies_dir / f"{slug(creditor_name)}.yml"
    if not path.exists():
        path = policies_dir / "default.yml"
    if not path.exists():
        return Policy()
    try:
        return Policy.model_validate(yaml.safe_load(path.read_text()) or {})
    except Exception as error:  # pydantic's message names the field at fault
        raise ValueError(f"policy {path}: {error}") from error
