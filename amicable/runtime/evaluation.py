"""Understanding, measured, and the floors the build holds it to (`amicable eval`, and
`make test` with `--check`): intent F1 per language on held-out sets, BANKING77 false alarms,
NLU++ dialogue acts, the amount and date normaliser, the design table's test stories, and
whole blind-written conversations through the real stack."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from amicable.paths import RASA_BIN, ROOT
from amicable.runtime import email_eval, text_eval
from amicable.runtime.model import ensure_model, rasa_env
from amicable.runtime.simulator import SCENARIOS, SECOND_SCENARIOS
from amicable.runtime.simulator import main as simulate

Echo = Callable[[str], object]

# What `amicable eval --check` (run by `make test`) holds the model to. TARGETS are the
# product's goals and are always printed beside the figures; FLOORS are what the current
# data reaches, so a change that makes understanding worse fails the build.
TARGETS = {"macro_f1": 0.95, "banking77_outcome_rate": 0.02, "normaliser_exact_match": 0.95}
FLOORS = {
    "macro_f1": {"en": 0.94, "fr": 0.95, "nl": 0.95},
    "fresh_macro_f1": 0.95,
    "banking77_outcome_rate": 0.02,
    "normaliser_exact_match": 0.95,
    # Whole blind-written conversations reaching the debtor's outcome (tests/conversations);
    # the target is 0.97 per language, the floor what is held today.
    "simulation": {"en": 0.95, "fr": 0.95, "nl": 0.95},
    "simulation_second": {"en": 0.85, "fr": 0.85, "nl": 0.85},
    # No conversation hears the same bot question three times in a row.
    "longest_repeat": 2,
    # Redaction (amicable/text): recall on the generated corpus (tests/pii), false redactions
    # on sentences that must survive. Care cues on the written-blind sets (tests/care): the
    # targets are recall 0.95 (suicidal) and 0.9 (the rest) at precision 0.9. Phrases and
    # model reach them in English and Dutch, not in French: on the first set suicidal recall
    # 0.92 and illness precision 0.87; on the second (fr_2, by other authors) suicidal recall
    # 0.94, mental health recall 0.86, illness and gambling precision 0.82. The
    # floors hold today's figures, less a margin, so that a change cannot make them worse,
    # and the gap is printed beside them; the second French set has its own precision floor.
    "redaction_recall": {"cards": 0.995, "IBANs": 0.995, "national numbers": 0.995},
    "false_redactions": 0.005,
    # The hand-written set (tests/pii_handwritten) was never used to build the recognizers.
    "handwritten_removed": 0.95,
    "care_recall": {"suicidal": 0.9, "other": 0.8},
    "care_precision": 0.84,
    "care_precision_by_set": {"fr_2": 0.72},
    # Email replies read down to the debtor's new words (tests/email_replies_blind*).
    "email_reply_words": 0.85,
}


def _simulated_conversations(out: Path, echo: Echo) -> list[str]:
    """The blind scenarios through the whole stack (amicable/runtime/simulator.py): success per
    language and per outcome, every failed transcript in `out` (and, for the second set, beside
    it). Returns what is below floor."""
    failures = []
    sets = [
        ("simulation", SCENARIOS, out),
        ("simulation_second", SECOND_SCENARIOS, out.with_name(out.stem + "_second.json")),
    ]
    for name, folder, path in sets:
        report = simulate(path, folder)
        echo(
            f"\nWhole conversations, {folder.name} ({report['scenarios']} scenarios written blind, {report['seconds']} s):"
        )
        echo("| language | scenarios | outcome reached |\n|---|---|---|")
        for lang, figures in report["languages"].items():
            echo(f"| {lang} | {figures['scenarios']} | {figures['success']:.1%} |")
            floor = FLOORS[name].get(lang, 0.0)
            if figures["success"] < floor:
                failures.append(f"{lang} conversations ({folder.name}) {figures['success']:.1%} < {floor:.0%}")
        echo("| outcome | scenarios | reached |\n|---|---|---|")
        for goal, figures in report["goals"].items():
            echo(f"| {goal} | {figures['scenarios']} | {figures['success']:.1%} |")
        echo(
            f"the same question three times in a row: {report['why'].get('the same question three times in a row', 0)}"
            f" (longest run {report['longest_repeat']}); reason recorded after a plan, promise or pause:"
            f" {report['reason_recorded'] or 0:.1%}"
        )
        if report["longest_repeat"] > FLOORS["longest_repeat"]:
            failures.append(f"a question asked {report['longest_repeat']} times in a row ({folder.name})")
        echo(f"failed transcripts: {path}")
    return failures


def _design_table_stories(model: Path, out: Path, echo: Echo) -> list[str]:
    """`rasa test core` on tests/stories: each row of the design table in each language, the
    text through the model's NLU and every action as predicted. Returns what failed."""
    stories_dir = ROOT / "tests" / "stories"
    subprocess.run(
        [
            str(RASA_BIN / "rasa"),
            "test",
            "core",
            "--stories",
            str(stories_dir),
            "--model",
            str(model),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=rasa_env(),
        check=True,
        capture_output=True,
    )
    total = sum(len(yaml.safe_load(p.read_text())["stories"]) for p in stories_dir.glob("*.yml"))
    failed_file = out / "failed_test_stories.yml"
    failed = (yaml.safe_load(failed_file.read_text()) or {}).get("stories") or [] if failed_file.exists() else []
    names = [story["story"] for story in failed]
    echo(f"\nTest stories (design table x languages): {total - len(names)}/{total} pass")
    for name in names:
        echo(f"  failed: {name}")
    return [f"test story failed: {name}" for name in names]


def _text_layer(out: Path, echo: Echo) -> list[str]:
    """Redaction and care cues (amicable/runtime/text_eval.py); every miss in `out`."""
    failures = []
    corpus = text_eval.pii_corpus(out.with_suffix(".corpus.jsonl"))
    recall = text_eval.redaction_recall(corpus)
    echo(f"\nRedaction, {recall['messages']} generated messages (tests/pii, written blind):")
    echo("| kind | values | taken out |\n|---|---|---|")
    for kind, share in recall["recall"].items():
        echo(f"| {kind} | {recall['counts'][kind]} | {share:.2%} |")
        floor = FLOORS["redaction_recall"].get(kind)
        if floor is not None and share < floor:
            failures.append(f"redaction of {kind} {share:.2%} < {floor:.1%}")
    echo(
        f"look-alikes that must survive (amounts, dates, references, postcodes): {recall['look_alikes_kept']:.2%} kept"
    )
    if (ROOT / "tests" / "pii_handwritten" / "messages.yml").exists():
        written = text_eval.handwritten_recall()
        echo(
            f"hand-written set ({written['messages']} messages, tests/pii_handwritten, another author): "
            f"{written['pii_removed']:.2%} of {written['values']} values taken out, "
            f"{written['look_alikes_kept']:.2%} of look-alikes kept"
        )
        recall["handwritten"] = written
        if written["pii_removed"] < FLOORS["handwritten_removed"]:
            failures.append(
                f"hand-written set: {written['pii_removed']:.2%} taken out < {FLOORS['handwritten_removed']:.0%}"
            )
    wrong = text_eval.false_redactions()
    echo(f"false redactions on {wrong['sentences']} held-out and gold sentences: {wrong['rate']:.2%}")
    if wrong["rate"] > FLOORS["false_redactions"]:
        failures.append(f"false redactions {wrong['rate']:.2%} > {FLOORS['false_redactions']:.1%}")
    scores = text_eval.care_scores()
    echo("\nCare cues (tests/care, written blind; target recall 0.95 suicidal, 0.9 others, precision 0.9):")
    echo("| set | cue | messages | recall | precision |\n|---|---|---|---|---|")
    for name, cues in scores.items():
        for cue, figures in cues.items():
            if cue == "errors":
                continue
            recall_text = "n/a" if figures["recall"] is None else f"{figures['recall']:.2f}"
            precision_text = "n/a" if figures["precision"] is None else f"{figures['precision']:.2f}"
            echo(f"| {name} | {cue} | {figures['messages']} | {recall_text} | {precision_text} |")
            floor = FLOORS["care_recall"]["suicidal" if cue == "suicidal" else "other"]
            if figures["recall"] is not None and figures["recall"] < floor:
                failures.append(f"{name} care recall for {cue} {figures['recall']:.2f} < {floor}")
            precision_floor = FLOORS["care_precision_by_set"].get(name, FLOORS["care_precision"])
            if figures["precision"] is not None and figures["precision"] < precision_floor:
                failures.append(f"{name} care precision for {cue} {figures['precision']:.2f} < {precision_floor}")
    out.write_text(
        json.dumps({"redaction": recall, "false_redactions": wrong, "care": scores}, indent=1, ensure_ascii=False)
    )
    echo(f"every miss: {out}")
    return failures


def _email_replies(out: Path, echo: Echo) -> list[str]:
    """The reply reader on raw replies written by other authors (amicable/runtime/email_eval.py)."""
    failures = []
    results = email_eval.scores()
    echo("\nEmail replies, new words only (no quoted history, no signature):")
    echo("| set | replies | same words | exact paragraphs |\n|---|---|---|---|")
    for label, figures in results.items():
        echo(f"| {label} | {figures['replies']} | {figures['same_words']:.1%} | {figures['exact']:.1%} |")
        if figures["same_words"] < FLOORS["email_reply_words"]:
            failures.append(f"email replies, {label}: {figures['same_words']:.1%} < {FLOORS['email_reply_words']:.0%}")
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return failures


def evaluate(out: Path, echo: Echo = print) -> list[str]:
    """Run every measurement, print the tables, write the full report to `out`; return what
    is below its floor (empty when all holds)."""
    model, _ = ensure_model()
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(RASA_BIN / "python"), "-m", "bot.evaluate", str(model), str(out)], cwd=ROOT, env=rasa_env(), check=True
    )
    report = json.loads(out.read_text())
    failures = []
    target = TARGETS["macro_f1"]
    echo(f"\n| language | examples | accuracy | macro-F1 (target {target}) |\n|---|---|---|---|")
    for lang, figures in report["languages"].items():
        echo(f"| {lang} | {figures['examples']} | {figures['accuracy']:.3f} | {figures['macro_f1']:.3f} |")
        floor = FLOORS["macro_f1"].get(lang, target)
        if figures["macro_f1"] < floor:
            failures.append(f"{lang} macro-F1 {figures['macro_f1']:.3f} < {floor}")
    echo("\nFresh held-out sets, written blind after training (tests/nlu/fresh):")
    for lang, figures in report.get("fresh", {}).items():
        echo(f"| {lang} | {figures['examples']} | {figures['accuracy']:.3f} | {figures['macro_f1']:.3f} |")
        floor = FLOORS["fresh_macro_f1"]
        if figures["macro_f1"] < floor:
            failures.append(f"{lang} fresh-set macro-F1 {figures['macro_f1']:.3f} < {floor}")
    if "banking77" in report:
        b77 = report["banking77"]
        per = ", ".join(f"{k} {v:.2%}" for k, v in b77["per_intent"].items())
        echo(
            f"\nBANKING77 ({b77['queries']} queries): debt outcome intents fired on {b77['outcome_rate']:.2%}"
            f" (target at most {TARGETS['banking77_outcome_rate']:.0%}; {per})"
        )
        if b77["outcome_rate"] > FLOORS["banking77_outcome_rate"]:
            failures.append(
                f"BANKING77 outcome rate {b77['outcome_rate']:.2%} > {FLOORS['banking77_outcome_rate']:.0%}"
            )
        acts = report["nlupp_acts"]
        echo(f"NLU++ generic dialogue acts ({acts['examples']} utterances): accuracy {acts['accuracy']:.3f}")
    else:
        echo("\nBANKING77 and NLU++ were not found in ../shared/eval-data: those figures are skipped")
    echo("\nAmounts and dates (exact match):")
    for line in report["normaliser_summary"]:
        echo(f"  {line}")
    normaliser = report["normaliser"]
    scored = {f"NLU++ {part}": normaliser["nlupp_banking"][part] for part in ("dates", "amounts")}
    for lang, result in normaliser["gold"].items():
        scored.update({f"gold {lang} {part}": result[part] for part in ("dates", "amounts")})
    for name, figures in scored.items():
        if figures["exact_match"] is not None and figures["exact_match"] < FLOORS["normaliser_exact_match"]:
            failures.append(f"{name} exact match {figures['exact_match']:.1%} < {FLOORS['normaliser_exact_match']:.0%}")
    failures += _text_layer(out.parent / "text_layer.json", echo)
    failures += _email_replies(out.parent / "email_replies.json", echo)
    failures += _design_table_stories(model, out.parent / "stories", echo)
    failures += _simulated_conversations(out.parent / "simulation.json", echo)
    return failures
