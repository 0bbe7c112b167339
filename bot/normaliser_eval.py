"""Exact-match evaluation of the amount and date normaliser (actions/normalise).

Two sources: the NLU++ banking set (English, ../shared/eval-data; only read here, never copied
into code or tests), whose `date` and `amount_of_money` slot spans are normalised and compared
with their annotated values at the set's reference date, 2022-03-15; and our own gold lists in
tests/normaliser/{en,fr,nl}.yml, at the reference date each file states.

Runs in the Rasa environment (`.venv-rasa/bin/python -m bot.normaliser_eval OUT.json`), writes
one JSON report and prints the rates; `evaluate()` returns the same report for other evaluators.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from actions.normalise import parse_amount, parse_date

ROOT = Path(__file__).resolve().parent.parent
NLUPP = ROOT.parent / "shared" / "eval-data" / "polyai" / "nlupp-banking"
GOLD = ROOT / "tests" / "normaliser"
LANGUAGES = ("en", "fr", "nl")
NLUPP_TODAY = date(2022, 3, 15)  # the set's reference date (a Tuesday), see its README


def _score(results: list[dict[str, Any]]) -> dict[str, Any]:
    correct = sum(1 for r in results if r["expected"] == r["got"])
    return {
        "examples": len(results),
        "correct": correct,
        "exact_match": round(correct / len(results), 4) if results else None,
        "misses": [r for r in results if r["expected"] != r["got"]],
    }


def _amount_key(text: str, language: str) -> list[str | None] | None:
    """An amount as [value, currency] with the value normalised ("50.00" and "50" are equal)."""
    found = parse_amount(text, language)
    return None if found is None else [_number(found.value), found.currency]


def _number(value: Decimal | float | str) -> str:
    normal = Decimal(str(value)).normalize()
    return f"{normal:f}"


def _date_key(text: str, today: date, language: str, timezone: str) -> str | None:
    found = parse_date(text, today, language, timezone)
    return found.isoformat() if found else None


def nlupp_slots() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The annotated `date` and `amount_of_money` slots of every fold; dates marked
    'ambiguous' ("some days ago") have no value and are left out."""
    dates, amounts = [], []
    for path in sorted(NLUPP.glob("fold*.json")):
        for item in json.loads(path.read_text()):
            slots = item.get("slots", {})
            if isinstance(slots.get("date", {}).get("value"), dict):
                value = slots["date"]["value"]
                expected = date(value["year"], value["month"], value["day"]).isoformat()
                dates.append({"text": slots["date"]["text"], "expected": expected})
            if "amount_of_money" in slots:
                value = slots["amount_of_money"]["value"]
                currency = None if value["currency"] == "ambiguous" else value["currency"]
                amounts.append(
                    {"text": slots["amount_of_money"]["text"], "expected": [_number(value["amount"]), currency]}
                )
    return dates, amounts


def evaluate_nlupp() -> dict[str, Any]:
    """Span-level exact match on NLU++ banking: the annotated span is what is normalised."""
    dates, amounts = nlupp_slots()
    for item in dates:
        item["got"] = _date_key(item["text"], NLUPP_TODAY, "en", "UTC")
    for item in amounts:
        item["got"] = _amount_key(item["text"], "en")
    return {
        "level": "span",
        "reference_date": NLUPP_TODAY.isoformat(),
        "dates": _score(dates),
        "amounts": _score(amounts),
    }


DATE_SLOTS = {"date", "date_period", "date_from", "date_to", "time", "time_from", "time_to", "time_period"}


def evaluate_nlupp_sentences() -> dict[str, Any]:
    """A diagnostic at sentence level: the whole NLU++ sentence is read. Dates are scored on
    sentences whose only date-like slot is one valued `date`; false alarms are counted on
    sentences with no date-like slot (or no amount or number slot for amounts). Some of those
    "false alarms" are dates the annotators did not mark ("yesterday", "last month")."""
    dates, amounts, date_alarms, amount_alarms = [], [], [], []
    quiet_dates = quiet_amounts = 0
    for path in sorted(NLUPP.glob("fold*.json")):
        for item in json.loads(path.read_text()):
            text, slots = item["text"], item.get("slots", {})
            got_date = _date_key(text, NLUPP_TODAY, "en", "UTC")
            if isinstance(slots.get("date", {}).get("value"), dict) and not (DATE_SLOTS - {"date"}) & set(slots):
                value = slots["date"]["value"]
                expected = date(value["year"], value["month"], value["day"]).isoformat()
                dates.append({"text": text, "expected": expected, "got": got_date})
            elif not DATE_SLOTS & set(slots):
                quiet_dates += 1
                if got_date is not None:
                    date_alarms.append({"text": text, "got": got_date})
            got_amount = _amount_key(text, "en")
            if "amount_of_money" in slots:
                value = slots["amount_of_money"]["value"]
                currency = None if value["currency"] == "ambiguous" else value["currency"]
                amounts.append({"text": text, "expected": [_number(value["amount"]), currency], "got": got_amount})
            elif "number" not in slots:
                quiet_amounts += 1
                if got_amount is not None:
                    amount_alarms.append({"text": text, "got": got_amount})
    return {
        "level": "sentence (diagnostic)",
        "dates": _score(dates),
        "amounts": _score(amounts),
        "date_false_alarms": {"sentences": quiet_dates, "count": len(date_alarms), "examples": date_alarms},
        "amount_false_alarms": {"sentences": quiet_amounts, "count": len(amount_alarms), "examples": amount_alarms},
    }


def evaluate_gold(language: str) -> dict[str, Any]:
    """Exact match on our gold list for one language (sentence-level, its own reference date)."""
    gold = yaml.safe_load((GOLD / f"{language}.yml").read_text())
    today = gold["today"] if isinstance(gold["today"], date) else date.fromisoformat(gold["today"])
    timezone = gold["timezone"]
    amounts = [
        {
            "text": case["text"],
            "expected": None if case["value"] is None else [_number(case["value"]), case.get("currency")],
            "got": _amount_key(case["text"], language),
        }
        for case in gold["amounts"]
    ]
    dates = []
    for case in gold["dates"]:
        expected = case["date"]
        expected = expected.isoformat() if isinstance(expected, date) else expected
        dates.append(
            {"text": case["text"], "expected": expected, "got": _date_key(case["text"], today, language, timezone)}
        )
    return {
        "reference_date": today.isoformat(),
        "timezone": timezone,
        "amounts": _score(amounts),
        "dates": _score(dates),
    }


def evaluate() -> dict[str, Any]:
    """The whole report: NLU++ (English, span-level) and the three gold lists."""
    return {
        "nlupp_banking": evaluate_nlupp(),
        "nlupp_banking_sentences": evaluate_nlupp_sentences(),
        "gold": {language: evaluate_gold(language) for language in LANGUAGES},
    }


def _rate(s: dict[str, Any]) -> str:
    if not s["examples"]:
        return "no examples (is ../shared/eval-data there?)"
    return f"{s['correct']}/{s['examples']} = {s['exact_match']:.1%}"


def summary(report: dict[str, Any]) -> list[str]:
    lines = []
    nlupp = report["nlupp_banking"]
    for part in ("dates", "amounts"):
        s = nlupp[part]
        lines.append(f"NLU++ banking {part} (span-level): {_rate(s)}")
    sentences = report["nlupp_banking_sentences"]
    for part in ("dates", "amounts"):
        s = sentences[part]
        alarms = sentences[f"{part[:-1]}_false_alarms"]
        lines.append(
            f"NLU++ banking {part} (sentence-level, diagnostic): {_rate(s)}"
            f"; found in {alarms['count']}/{alarms['sentences']} sentences without one"
        )
    for language, result in report["gold"].items():
        for part in ("amounts", "dates"):
            s = result[part]
            lines.append(f"gold {language} {part}: {_rate(s)}")
    return lines


def main(argv: list[str]) -> int:
    report = evaluate()
    if len(argv) > 1:
        Path(argv[1]).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print("\n".join(summary(report)))
    for name, section in [("nlupp", report["nlupp_banking"])] + [(f"gold {k}", v) for k, v in report["gold"].items()]:
        for part in ("dates", "amounts"):
            for miss in section[part]["misses"]:
                print(f"  miss [{name} {part}] {miss['text']!r}: expected {miss['expected']}, got {miss['got']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
