"""Measure the trained model's understanding: per-language intent F1 on held-out test sets,
false alarms of debt outcomes on BANKING77, generic dialogue acts on NLU++, and the exact
match of the amount and date normaliser (NLU++ English spans and our FR/NL/EN gold lists).

Runs in the Rasa environment (`.venv-rasa/bin/python -m bot.evaluate MODEL OUT.json`) and
writes one JSON report; `amicable eval` prints it and applies the thresholds. The external
sets in ../shared/eval-data are only read here, never trained on.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from collections import Counter
from pathlib import Path

import yaml
from sklearn.metrics import accuracy_score, f1_score

ROOT = Path(__file__).resolve().parent.parent
EVAL_DATA = ROOT.parent / "shared" / "eval-data" / "polyai"
OUTCOME_INTENTS = ("promise_to_pay", "request_plan", "dispute", "already_paid", "opt_out")
# NLU++ generic dialogue acts and the bot's intent for each (dont_know has no counterpart).
GENERIC_ACTS = {
    "affirm": "affirm",
    "acknowledge": "affirm",
    "deny": "deny",
    "greet": "greet",
    "thank": "thank",
    "handoff": "request_human",
    "repeat": "repeat",
    "end_call": "goodbye",
}


def read_test_set(path: Path) -> list[tuple[str, str]]:
    examples = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        for line in block["examples"].splitlines():
            text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
            if text:
                examples.append((text, block["intent"]))
    return examples


class Parser:
    def __init__(self, model: str) -> None:
        from rasa.core.agent import Agent

        self.agent = Agent.load(model)

    def intents(self, texts: list[str]) -> list[str]:
        async def parse_all() -> list[str]:
            return [(await self.agent.parse_message(t))["intent"]["name"] for t in texts]

        return asyncio.run(parse_all())


def evaluate_language(parser: Parser, path: Path) -> dict:
    examples = read_test_set(path)
    truth = [intent for _, intent in examples]
    predicted = parser.intents([text for text, _ in examples])
    errors = [
        {"text": text, "expected": want, "predicted": got}
        for (text, want), got in zip(examples, predicted, strict=True)
        if want != got
    ]
    return {
        "examples": len(examples),
        "accuracy": accuracy_score(truth, predicted),
        "macro_f1": f1_score(truth, predicted, average="macro", labels=sorted(set(truth)), zero_division=0),
        "errors": errors,
    }


def evaluate_banking77(parser: Parser) -> dict:
    path = EVAL_DATA / "banking77" / "test.csv"
    with path.open(newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    predicted = parser.intents(texts)
    fired = Counter(p for p in predicted if p in OUTCOME_INTENTS)
    return {
        "queries": len(texts),
        "outcome_rate": sum(fired.values()) / len(texts),
        "per_intent": {intent: fired[intent] / len(texts) for intent in OUTCOME_INTENTS},
        "examples": [t for t, p in zip(texts, predicted, strict=True) if p in OUTCOME_INTENTS][:15],
    }


def evaluate_nlupp_acts(parser: Parser) -> dict:
    examples = []
    for fold in sorted((EVAL_DATA / "nlupp-banking").glob("fold*.json")):
        for item in json.loads(fold.read_text()):
            labels = item.get("intents") or []
            if labels and all(label in GENERIC_ACTS for label in labels):
                examples.append((item["text"], {GENERIC_ACTS[label] for label in labels}))
    predicted = parser.intents([text for text, _ in examples])
    correct = [got in wanted for (_, wanted), got in zip(examples, predicted, strict=True)]
    return {"examples": len(examples), "accuracy": sum(correct) / max(1, len(correct))}


def main(model: str, out: str) -> None:
    import logging

    from rasa.utils.log_utils import configure_structlog

    # Without this Rasa's structured log prints a debug line for each of ~4000 messages.
    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    parser = Parser(model)
    report: dict = {"languages": {}}
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        report["languages"][path.stem] = evaluate_language(parser, path)
    # Written blind after the training data was final (tests/nlu/fresh/README.md).
    report["fresh"] = {
        path.stem: evaluate_language(parser, path) for path in sorted((ROOT / "tests" / "nlu" / "fresh").glob("*.yml"))
    }
    if EVAL_DATA.exists():
        report["banking77"] = evaluate_banking77(parser)
        report["nlupp_acts"] = evaluate_nlupp_acts(parser)
    from bot import normaliser_eval

    report["normaliser"] = normaliser_eval.evaluate()
    report["normaliser_summary"] = normaliser_eval.summary(report["normaliser"])
    Path(out).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
