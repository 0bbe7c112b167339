"""How well the reply reader (services/email_replies.py) keeps only a debtor's new words, on
sets of raw replies written by other authors who saw neither it nor each other's set:
`tests/email_replies_blind/` (its failures shaped the reader's rules, so it is a development
set now) and `tests/email_replies_blind2/` (never used to build anything)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from amicable.paths import ROOT
from amicable.services.email_replies import parse, read

SETS = {
    "development set (tests/email_replies_blind)": ROOT / "tests" / "email_replies_blind",
    "held-out set (tests/email_replies_blind2)": ROOT / "tests" / "email_replies_blind2",
}


def _paragraphs(text: str) -> str:
    parts = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return "\n\n".join(p for p in parts if p)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score(folder: Path) -> dict:
    """Per set: replies read exactly (paragraphs too), with the same words, and each miss."""
    expected = yaml.safe_load((folder / "expected.yml").read_text(encoding="utf-8"))
    exact = same_words = 0
    misses = []
    for name, case in expected.items():
        got = read(parse((folder / name).read_bytes())).text
        exact += _paragraphs(got) == _paragraphs(case["expected"])
        if _words(got) == _words(case["expected"]):
            same_words += 1
        else:
            misses.append({"file": name, "client": case.get("client"), "expected": case["expected"], "got": got})
    return {
        "replies": len(expected),
        "exact": exact / len(expected),
        "same_words": same_words / len(expected),
        "misses": misses,
    }


def scores() -> dict:
    return {label: score(folder) for label, folder in SETS.items() if (folder / "expected.yml").exists()}
