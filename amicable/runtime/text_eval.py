"""The text layer, measured: redaction recall on a generated corpus of messages with card
numbers, IBANs, national numbers, contact details, passwords and codes in realistic phrasing
(tests/pii, written blind), false redactions on sentences that must survive (the NLU held-out
sets and the normaliser's gold lists: references, amounts, dates, postcodes), care-cue recall
and precision on a written-blind set (tests/care), and what the whole analysis costs per
message. `amicable eval` reports it against floors; `amicable bench` reports the cost."""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

from amicable.paths import ROOT
from amicable.text import care
from amicable.text.redaction import redact, warm_up

CARE_DIR = ROOT / "policies" / "care"
# The corpus's labels, by the kind a recall floor is held for.
KINDS = {
    "CARD": "cards",
    "CARD_EXPIRY": "card details",
    "CARD_CVC": "card details",
    "IBAN": "IBANs",
    "BE_NATIONAL_NUMBER": "national numbers",
    "NL_BSN": "national numbers",
    "FR_NIR": "national numbers",
    "EMAIL": "e-mail addresses",
    "PHONE": "phone numbers",
    "PASSWORD": "passwords",
    "OTP": "codes",
}


def pii_corpus(out: Path, n: int = 12000, seed: int = 7) -> list[dict]:
    """The generated corpus (tests/pii/generate.py, run as a program: shipped code never
    imports the tests)."""
    subprocess.run(
        [sys.executable, "-m", "tests.pii.generate", "--out", str(out), "--n", str(n), "--seed", str(seed)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def redaction_recall(messages: list[dict]) -> dict:
    """Per kind: how many labelled values were taken out; and how many `keep` items survived."""
    found, total = Counter(), Counter()
    kept = kept_total = 0
    misses: list[dict] = []
    for message in messages:
        text = redact(message["text"], message["lang"]).text
        for entity in message["entities"]:
            kind = KINDS[entity["type"]]
            total[kind] += 1
            if entity["value"] not in text:
                found[kind] += 1
            elif len(misses) < 50:
                misses.append({"text": message["text"], "missed": entity["value"], "type": entity["type"]})
        for item in message["keep"]:
            kept_total += 1
            kept += item in text
    return {
        "messages": len(messages),
        "recall": {kind: found[kind] / total[kind] for kind in sorted(total)},
        "counts": dict(total),
        "look_alikes_kept": kept / kept_total if kept_total else 1.0,
        "misses": misses,
    }


def handwritten_recall() -> dict:
    """The hand-written set (tests/pii_handwritten, by another author, never used to build the
    recognizers): share of PII substrings taken out, share of look-alikes kept."""
    data = yaml.safe_load((ROOT / "tests" / "pii_handwritten" / "messages.yml").read_text(encoding="utf-8"))
    removed = total = kept = kept_total = 0
    misses: list[dict] = []
    for message in data["messages"]:
        text = redact(message["text"], message["lang"]).text
        for value in message.get("pii") or []:
            total += 1
            if value not in text:
                removed += 1
            else:
                misses.append({"text": message["text"], "missed": value})
        for value in message.get("keep") or []:
            kept_total += 1
            if value in text:
                kept += 1
            else:
                misses.append({"text": message["text"], "lost": value, "as": text})
    return {
        "messages": len(data["messages"]),
        "pii_removed": removed / total if total else 1.0,
        "values": total,
        "look_alikes_kept": kept / kept_total if kept_total else 1.0,
        "misses": misses,
    }


def _survivors() -> dict[str, list[str]]:
    """Sentences nothing must be taken from, by set."""
    sets: dict[str, list[str]] = {}
    for lang in ("en", "fr", "nl"):
        for folder, name in ((ROOT / "tests" / "nlu", "NLU held-out"), (ROOT / "tests" / "nlu" / "fresh", "NLU fresh")):
            data = yaml.safe_load((folder / f"{lang}.yml").read_text(encoding="utf-8"))
            for block in data.get("nlu", []):
                lines = [line.strip()[2:] for line in block.get("examples", "").splitlines() if line.strip()]
                sets.setdefault(f"{name} {lang}", []).extend(lines)
        gold = yaml.safe_load((ROOT / "tests" / "normaliser" / f"{lang}.yml").read_text(encoding="utf-8"))
        sets[f"normaliser gold {lang}"] = [item["text"] for part in ("amounts", "dates") for item in gold.get(part, [])]
    return sets


def false_redactions() -> dict:
    """Per set, the share of sentences redaction changed (each one, to read)."""
    report: dict = {"sets": {}, "changed": []}
    changed_all = total_all = 0
    for name, sentences in _survivors().items():
        lang = name.split()[-1]
        changed = [(s, redact(s, lang).text) for s in sentences]
        changed = [(s, r) for s, r in changed if s != r]
        report["sets"][name] = {"sentences": len(sentences), "changed": len(changed)}
        report["changed"] += [{"set": name, "text": s, "redacted": r} for s, r in changed]
        changed_all += len(changed)
        total_all += len(sentences)
    report["rate"] = changed_all / total_all if total_all else 0.0
    report["sentences"] = total_all
    return report


# The written-blind sets (tests/care/cues_<set>.yml) and their language. fr_2 is a second
# French set by two other authors (2026-12-07). The first French set's errors were read that
# day, so it is a development set since; it is still reported, beside fr_2, which nothing was
# changed from.
CARE_SETS = {"en": "en", "fr": "fr", "nl": "nl", "fr_2": "fr"}


def care_scores() -> dict:
    """Recall and precision per cue on each written-blind set (tests/care, CARE_SETS)."""
    report: dict = {}
    for name, lang in CARE_SETS.items():
        data = yaml.safe_load((ROOT / "tests" / "care" / f"cues_{name}.yml").read_text(encoding="utf-8"))["messages"]
        hit, fired, gold = Counter(), Counter(), Counter()
        errors = []
        for message in data:
            got = care.cues(message["text"], lang, CARE_DIR)
            top = got[0] if got else "none"
            gold[message["cue"]] += 1
            fired[top] += 1
            if top == message["cue"]:
                hit[top] += 1
            elif len(errors) < 40:
                errors.append({"text": message["text"], "gold": message["cue"], "found": top})
        report[name] = {
            cue: {
                "messages": gold[cue],
                "recall": hit[cue] / gold[cue] if gold[cue] else None,
                "precision": hit[cue] / fired[cue] if fired[cue] else None,
            }
            for cue in care.CUES
        }
        report[name]["errors"] = errors
    return report


def cost_per_message(sample: list[str]) -> dict:
    """Milliseconds for the whole analysis of one message (redaction and care cues), after
    warm-up, on this machine."""
    warm_up()
    care.cues("warm up", "en", CARE_DIR)
    timings = []
    for index, text in enumerate(sample):
        lang = ("en", "fr", "nl")[index % 3]
        started = time.perf_counter()
        redact(text, lang)
        care.cues(text, lang, CARE_DIR)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "messages": len(timings),
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95)],
    }


# The targets for the care cues, which the thresholds are chosen to come closest to.
CARE_TARGETS = {"recall": {"suicidal": 0.95, "other": 0.9}, "precision": 0.9}


def _shortfall(recall: dict[str, float], precision: dict[str, float]) -> float:
    """How far recall and precision fall short of CARE_TARGETS, added over the cues. Errors
    about suicidal intent count twice either way: a missed cry for help, and a crisis answer
    to someone who only wanted to pay, which stops their payment and frightens them."""
    total = 0.0
    for cue in care.CUES:
        wanted = CARE_TARGETS["recall"]["suicidal" if cue == "suicidal" else "other"]
        shortfall = max(0.0, wanted - recall[cue]) + max(0.0, CARE_TARGETS["precision"] - precision[cue])
        total += shortfall * (2 if cue == "suicidal" else 1)
    return total


def care_thresholds(folds: int = 5) -> dict:
    """How sure each language's care model must be (care.THRESHOLDS), chosen by
    cross-validation on that language's examples (policies/care/examples), never on the blind
    set: each example is read by a model learned without it, with the phrases, as the detector
    reads it, for every combination of thresholds. The one kept falls least short of the
    targets (CARE_TARGETS: recall 0.95 for suicidal intent, 0.9 for the others, precision 0.9),
    added over the cues (_shortfall). The bot's training sentences are held out in turn as
    well."""
    from sklearn.model_selection import StratifiedKFold

    grid = [round(0.2 + 0.05 * step, 2) for step in range(14)]  # 0.20 … 0.85
    best: dict[str, dict] = {}
    tables: dict[str, list[dict]] = {}
    examples_read = 0
    for lang in care.LANGUAGES:
        read: list[tuple[str, str, dict[str, float], list[str], int]] = []
        matcher = care.CareMatcher(lang, care.load_phrases(CARE_DIR / f"{lang}.yml"))
        # The bot's sentences are held out in turn too: ordinary talk is most of what debtors
        # write, and a threshold that fires on it must pay for that in precision.
        examples = care.load_examples(CARE_DIR / "examples" / f"{lang}.yml") + care._ordinary_talk(lang)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=7)
        for learn, held in splitter.split(examples, [cue for _, cue in examples]):
            model = care._model([examples[i] for i in learn])
            for i, row in zip(held, model.predict_proba([examples[i][0] for i in held]), strict=True):
                text, label = examples[i]
                chances = dict(zip(model.classes_, row, strict=True))
                read.append((text, label, chances, matcher.cues(text), care.word_count(text)))
        examples_read += len(read)
        table = []
        for combination in itertools.product(grid, grid, [*grid[4:], 0.9, 0.95, 1.01]):
            thresholds = care.Thresholds(*combination)
            hit, fired, gold = Counter(), Counter(), Counter()
            for text, label, chances, phrases, words in read:
                found = care.decide(text, phrases, chances, thresholds, words)
                top = found[0] if found else "none"
                gold[label] += 1
                fired[top] += 1
                hit[top] += top == label
            recall = {cue: hit[cue] / gold[cue] for cue in care.CUES}
            precision = {cue: hit[cue] / fired[cue] if fired[cue] else 1.0 for cue in care.CUES}
            table.append(
                {
                    **thresholds._asdict(),
                    "shortfall": _shortfall(recall, precision),
                    "recall": recall,
                    "precision": precision,
                }
            )
        tables[lang] = table
        best[lang] = min(table, key=lambda row: row["shortfall"])
    return {"examples": examples_read, "folds": folds, "best": best, "grid": tables}
