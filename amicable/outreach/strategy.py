"""A creditor's outreach strategy as data: which steps, when, in which words and tone, on
which channels, and when to skip them. `policies/strategies/default.yml`, replaced whole by
`policies/strategies/<creditor-slug>.yml` when a creditor has one.

A strategy with an unknown key, an impossible time, steps out of order, or a template that
does not exist (or lacks the fields a step needs) is refused at load with the line at fault.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from amicable import yaml_source
from amicable.compliance.rules import parse_window
from amicable.outreach.templates import FIELDS, TONES, load_templates
from amicable.yaml_source import SourceError, line_of, slug

Channel = Literal["whatsapp", "sms", "telegram", "email", "voice"]
Tone = Literal["neutral", "warm", "direct"]
# Reasons a step does not go, all of them by default.
SkipReason = Literal["paid", "in_plan", "promise_pending", "dispute_open", "on_hold", "opted_out"]
ALL_SKIPS: list[SkipReason] = ["paid", "in_plan", "promise_pending", "dispute_open", "on_hold", "opted_out"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    day: int = Field(ge=-30, le=180)
    template: str
    channels: list[Channel] | None = None
    only_if_likely_late: bool = False
    tone: Tone | None = None
    skip_if: list[SkipReason] = ALL_SKIPS
    handover: bool = False
    # The message announces collection costs (template fields {costs} and {costs_from}); the
    # country's fee rules decide whether it may go and what it says.
    costs: bool = False


class Experiment(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")
    step: str
    vary: Literal["tone", "template"]
    variants: list[str] = Field(min_length=2, max_length=6)

    def variant_for(self, reference: str) -> str:
        """Random across accounts, stable for one: the same file always gets the same variant."""
        digest = hashlib.sha256(f"{self.id}:{reference}".encode()).digest()
        return self.variants[int.from_bytes(digest[:8], "big") % len(self.variants)]


class ToneChoice(_Strict):
    unlikely_late: Tone = "neutral"
    likely_late: Tone = "warm"


class Strategy(_Strict):
    send_hours: str = "09:00-19:00"
    default_hour: str = Field("10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    channels: list[Channel] = Field(["whatsapp", "sms", "telegram", "voice"], min_length=1)
    language: Literal["en", "fr", "nl"] = "en"
    likely_late_from: float = Field(0.35, gt=0, lt=1)
    tone: ToneChoice = ToneChoice()
    early_payment_discount_percent: Decimal = Field(Decimal("0"), ge=0, le=20)
    steps: list[Step] = Field(min_length=1)
    experiments: list[Experiment] = []

    @field_validator("send_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parse_window(value)
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Strategy:
        start, end = parse_window(self.send_hours) or (None, None)
        if not start <= _time(self.default_hour) < end:  # type: ignore[operator]
            raise ValueError(f"default_hour {self.default_hour} is outside send_hours {self.send_hours}")
        days = [step.day for step in self.steps]
        if days != sorted(set(days)):
            raise ValueError("steps must be in order of day, one step per day")
        ids = [step.id for step in self.steps]
        if len(set(ids)) != len(ids):
            raise ValueError("two steps share an id")
        for experiment in self.experiments:
            if experiment.step not in ids:
                raise ValueError(f"experiment {experiment.id}: no step {experiment.step!r}")
            if experiment.vary == "tone" and not set(experiment.variants) <= set(TONES):
                raise ValueError(f"experiment {experiment.id}: tones are {', '.join(TONES)}")
        return self

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def experiment_for(self, step_id: str) -> Experiment | None:
        return next((e for e in self.experiments if e.step == step_id), None)


def _time(spec: str):  # type: ignore[no-untyped-def]
    from datetime import time

    hours, minutes = spec.split(":")
    return time(int(hours), int(minutes))


# Every step can fill these; the costs fields only a step with `costs: true`.
_COSTS = {"costs", "costs_from"}
_FILLED = FIELDS - _COSTS


def _check_templates(strategy: Strategy, policies_dir: Path, path: Path, lines: yaml_source.Lines) -> None:
    templates = load_templates(policies_dir)
    for index, step in enumerate(strategy.steps):
        if step.template not in templates:
            line = line_of(lines, ("steps", index, "template"))
            raise SourceError(
                f"{path} line {line}: steps.{index}.template: no template {step.template!r} in "
                f"{policies_dir / 'templates'} (there are: {', '.join(sorted(templates))})"
            )
        missing = templates[step.template].fields() - _FILLED - (_COSTS if step.costs else set())
        if missing:
            raise SourceError(f"{path}: template {step.template} uses fields no step fills: {', '.join(missing)}")
    for index, experiment in enumerate(strategy.experiments):
        if experiment.vary == "template":
            for variant in experiment.variants:
                if variant not in templates:
                    line = line_of(lines, ("experiments", index, "variants"))
                    raise SourceError(f"{path} line {line}: experiments.{index}.variants: no template {variant!r}")
    if "private_contact" not in templates:
        raise SourceError(f"{policies_dir / 'templates'}: private_contact is needed before identity is confirmed")


@lru_cache(maxsize=64)
def load_strategy(policies_dir: Path, creditor_name: str) -> Strategy:
    directory = policies_dir / "strategies"
    path = directory / f"{slug(creditor_name)}.yml"
    if not path.exists():
        path = directory / "default.yml"
    if not path.exists():
        raise SourceError(f"{path}: no outreach strategy")
    data, lines = yaml_source.load(path)
    strategy = yaml_source.validate(Strategy, data or {}, lines, path)
    _check_templates(strategy, policies_dir, path, lines)
    return strategy


def check_strategies(policies_dir: Path) -> list[str]:
    """Load every strategy, so a mistake stops the start; the creditors that have their own."""
    load_strategy.cache_clear()
    load_templates.cache_clear()
    own = sorted(p.stem for p in (policies_dir / "strategies").glob("*.yml") if p.stem != "default")
    load_strategy(policies_dir, "default")
    for name in own:
        load_strategy(policies_dir, name)
    return own
