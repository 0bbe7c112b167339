"""The late-payment model: its history (demo generator and CSV import), its features, how it
does against the last-payment rule, its report, and scoring upcoming invoices."""

from __future__ import annotations

import json
import math
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from amicable.db.models import PaymentHistory
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.outreach import model_cli
from amicable.outreach.demo_history import generate_demo_history
from amicable.outreach.history import import_history_csv
from amicable.outreach.risk import (
    FEATURES,
    History,
    NoHistoryError,
    Upcoming,
    features,
    history_from_rows,
    late_risk,
)
from amicable.outreach.risk_training import report, train
from amicable.settings import Settings

TODAY = date(2026, 3, 15)
BW = "Brightwater Energy"
PT = "Polder Telecom"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def risk_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"risk_models_dir": tmp_path / "models"})


@pytest.fixture
def factory(risk_settings: Settings) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(risk_settings.database_url))


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PaymentHistory)) or 0


# --- features ---------------------------------------------------------------------------


def _row(
    key: int,
    reference: str,
    amount: str,
    issued: str,
    due: str,
    paid: str | None,
    reminders: int = 0,
    channel: str | None = None,
) -> tuple[int, str, Decimal, date, date, date | None, int, str | None]:
    return (
        key,
        reference,
        Decimal(amount),
        date.fromisoformat(issued),
        date.fromisoformat(due),
        date.fromisoformat(paid) if paid else None,
        reminders,
        channel,
    )


HAND_MADE = [
    # One customer, four months. January: 5 days late after a reminder answered on WhatsApp.
    _row(1, "A", "100", "2025-01-01", "2025-01-15", "2025-01-20", 1, "whatsapp"),
    _row(1, "A", "50", "2025-02-01", "2025-02-15", "2025-02-10"),
    # March: never paid, so still open when April falls due (31 days late by then).
    _row(1, "A", "150", "2025-03-01", "2025-03-15", None, 4),
    _row(1, "A", "60", "2025-04-01", "2025-04-15", "2025-04-15"),
    # The same reference at another creditor is another customer.
    _row(2, "A", "80", "2025-02-01", "2025-02-20", "2025-03-30", 3, "sms"),
    # Two invoices due the same day do not see each other.
    _row(1, "C", "10", "2025-01-01", "2025-01-31", "2025-02-20", 2),
    _row(1, "C", "20", "2025-01-10", "2025-01-31", "2025-01-30"),
]


def _by_name(matrix: np.ndarray, row: int) -> dict[str, float]:
    return dict(zip(FEATURES, matrix[row].tolist(), strict=True))


def test_features_come_from_earlier_invoices_only_as_known_on_the_due_date() -> None:
    matrix = features(history_from_rows(HAND_MADE))

    first = _by_name(matrix, 0)
    assert first["earlier_invoices"] == 0 and first["tenure_days"] == 0 and first["terms_days"] == 14
    for name in ("late_share", "mean_days_late", "last_late", "mean_reminders", "answer_share", "amount_ratio"):
        assert math.isnan(first[name]), name

    second = _by_name(matrix, 1)
    assert second == pytest.approx(
        {
            "earlier_invoices": 1,
            "late_share": 1.0,
            "late_share_last3": 1.0,
            "mean_days_late": 5.0,
            "last_days_late": 5.0,
            "last_late": 1.0,
            "mean_reminders": 1.0,
            "answer_share": 1.0,
            "best_channel_answer_share": 1.0,
            "log_amount": math.log(50),
            "amount_ratio": 0.5,
            "due_weekday": 5.0,  # 15 February 2025 was a Saturday
            "due_month_sin": math.sin(2 * math.pi / 12),
            "due_month_cos": math.cos(2 * math.pi / 12),
            "due_day_of_month": 15.0,
            "tenure_days": 31.0,
            "terms_days": 14.0,
        }
    )

    fourth = _by_name(matrix, 3)
    assert fourth == pytest.approx(
        {
            "earlier_invoices": 3,
            "late_share": 2 / 3,
            "late_share_last3": 2 / 3,
            # March is counted as 31 days late (what was known on 15 April), not as never paid.
            "mean_days_late": (5 + 0 + 31) / 3,
            "last_days_late": 31.0,
            "last_late": 1.0,
            # March's reminders are left out: some may have gone after 15 April.
            "mean_reminders": 0.5,
            "answer_share": 1.0,
            "best_channel_answer_share": 1.0,
            "log_amount": math.log(60),
            "amount_ratio": 60 / 100,
            "due_weekday": 1.0,  # a Tuesday
            "due_month_sin": 1.0,
            "due_month_cos": 0.0,
            "due_day_of_month": 15.0,
            "tenure_days": 90.0,
            "terms_days": 14.0,
        },
        abs=1e-9,
    )

    assert _by_name(matrix, 4)["earlier_invoices"] == 0  # creditor 2's "A"
    assert _by_name(matrix, 5)["earlier_invoices"] == 0 and _by_name(matrix, 6)["earlier_invoices"] == 0


def test_features_do_not_change_with_what_happened_later_or_with_row_order() -> None:
    before = features(history_from_rows(HAND_MADE))
    later = list(HAND_MADE)
    later[3] = _row(1, "A", "60", "2025-04-01", "2025-04-15", None, 4)  # April turns out never paid
    later.append(_row(1, "A", "999", "2025-05-01", "2025-05-15", "2025-07-01", 3, "voice"))
    after = features(history_from_rows(later))
    np.testing.assert_array_equal(after[: len(HAND_MADE)], before)

    shuffled = np.random.default_rng(3).permutation(len(HAND_MADE))
    again = features(history_from_rows([HAND_MADE[i] for i in shuffled]))
    np.testing.assert_array_equal(again, before[shuffled])


# --- history ------------------------------------------------------------------------------


def test_demo_history_is_fast_idempotent_and_has_the_demo_accounts(factory: sessionmaker[Session]) -> None:
    started = time.perf_counter()
    with transaction(factory) as session:
        added = generate_demo_history(session, accounts=600, today=TODAY)
    seconds = time.perf_counter() - started
    assert added > 600 * 12
    assert seconds < 15, f"600 accounts took {seconds:.1f} s"

    with transaction(factory) as session:
        assert generate_demo_history(session, accounts=600, today=TODAY) == 0
        assert _rows(session) == added
        sam = session.scalars(
            select(PaymentHistory)
            .where(PaymentHistory.account_reference == "DEMO-1001")
            .order_by(PaymentHistory.due_on)
        ).all()
        assert len(sam) == 24
        assert max(r.due_on for r in sam) < TODAY
        late = [r for r in sam if r.paid_on is None or r.paid_on > r.due_on]
        # Forgetful, and pays right after one reminder.
        assert len(late) >= 8
        after_one = [r for r in late if r.reminders == 1 and r.paid_on and 3 < (r.paid_on - r.due_on).days <= 7]
        assert len(after_one) >= 0.7 * len(late)
        for reference in ("DEMO-1002", "DEMO-1003"):
            assert session.scalar(select(func.count()).where(PaymentHistory.account_reference == reference)) == 24
        answered = session.scalars(select(PaymentHistory).where(PaymentHistory.response_channel.is_not(None))).all()
        assert answered and all(r.reminders > 0 and 0 <= (r.response_hour or 0) <= 23 for r in answered)


CSV_HEADER = "creditor,account_reference,invoice_number,amount,currency,issued_on,due_on,paid_on,reminders,response_channel,response_hour\n"
GOOD = (
    "Acme Water,W-1,W1-01,42.50,EUR,2025-01-01,2025-01-15,2025-01-20,1,sms,19\n"
    "Acme Water,W-1,W1-02,40.00,EUR,2025-02-01,2025-02-15,,,,\n"
)
BAD = (
    "Acme Water,W-2,W2-01,12.00,EUR,2025-13-01,2025-01-15,,,,\n"  # line 4
    "Acme Water,W-2,W2-02,-3,EUR,2025-01-01,2025-01-15,,,,\n"  # line 5
    "Acme Water,W-2,W2-03,12.00,EUR,2025-02-01,2025-02-15,2025-01-20,,,\n"  # line 6
    "Acme Water,W-2,W2-04,12.00,EUR,2025-02-01,2025-02-15,2025-02-20,1,pigeon,\n"  # line 7
    "Acme Water,W-2,W2-05,12.00,EUR,2025-02-01,2025-02-15,2025-02-20,1,sms,24\n"  # line 8
    ",W-2,W2-06,12.00,EUR,2025-02-01,2025-02-15,,,,\n"  # line 9
    "Acme Water,W-1,W1-01,42.50,EUR,2025-01-01,2025-01-15,2025-01-20,1,sms,19\n"  # line 10
)


def test_csv_import_keeps_good_rows_explains_bad_ones_and_reimport_duplicates_nothing(
    factory: sessionmaker[Session],
) -> None:
    text = CSV_HEADER + GOOD + BAD + "Acme Water,W-3,W3-01,7.00,EUR,2025-03-01,2025-03-15,2025-03-10,0,,\n"
    with transaction(factory) as session:
        result = import_history_csv(session, text)
    assert (result.rows, result.imported, result.updated, result.unchanged) == (10, 3, 0, 0)
    reasons = {error.line: error.reason for error in result.rejected}
    assert sorted(reasons) == [4, 5, 6, 7, 8, 9, 10]
    assert "issued_on" in reasons[4] and "ISO" in reasons[4]
    assert "more than zero" in reasons[5]
    assert "paid_on 2025-01-20 is before issued_on" in reasons[6]
    assert "pigeon" in reasons[7]
    assert "response_hour" in reasons[8]
    assert "creditor is missing" in reasons[9]
    assert "line 2" in reasons[10]

    changed = text.replace(
        "W1-02,40.00,EUR,2025-02-01,2025-02-15,,", "W1-02,40.00,EUR,2025-02-01,2025-02-15,2025-03-01,"
    )
    with transaction(factory) as session:
        result = import_history_csv(session, changed)
        assert (result.imported, result.updated, result.unchanged) == (0, 1, 2)
        assert _rows(session) == 3
        row = session.scalar(select(PaymentHistory).where(PaymentHistory.invoice_number == "W1-02"))
        assert row is not None and row.paid_on == date(2025, 3, 1) and row.reminders == 0
        first = session.scalar(select(PaymentHistory).where(PaymentHistory.invoice_number == "W1-01"))
        assert first is not None and (first.amount, first.response_channel, first.response_hour) == (
            Decimal("42.50"),
            "sms",
            19,
        )

    with factory() as session, pytest.raises(ValueError, match="missing columns: due_on"):
        import_history_csv(session, "creditor,account_reference,invoice_number,amount,currency,issued_on\n")


# --- the model --------------------------------------------------------------------------


def test_model_beats_the_last_payment_rule_and_is_calibrated(
    factory: sessionmaker[Session], risk_settings: Settings
) -> None:
    with transaction(factory) as session:
        generate_demo_history(session, accounts=600, today=TODAY)
    with factory() as session:
        result = train(session, risk_settings)
    # Measured on 600 accounts (seeds 1-7): model AUC 0.84-0.86, rule 0.74-0.75.
    assert result.model_auc > result.baseline_auc + 0.05
    assert result.model_auc > 0.75
    assert result.brier < result.baseline_brier
    assert abs(result.mean_predicted - result.base_rate) < 0.03
    assert 0.2 < result.base_rate < 0.45
    assert result.test_rows > 0.15 * result.rows
    assert Path(result.model_path) == risk_settings.risk_models_dir / "risk-all.joblib"

    out = report(risk_settings, out_dir=risk_settings.risk_models_dir / "report")
    figures = json.loads((out / "report.json").read_text())
    assert {"model_auc", "baseline_auc", "brier", "base_rate", "calibration", "importances"} <= set(figures)
    assert len(figures["calibration"]) == 10
    for decile in figures["calibration"]:
        assert abs(decile["mean_predicted"] - decile["observed"]) < 0.12, decile
    assert [item["feature"] for item in figures["importances"]] != list(FEATURES)  # sorted by importance
    assert sorted(item["feature"] for item in figures["importances"]) == sorted(FEATURES)
    assert figures["importances"][0]["auc_drop"] > 0.01
    for name in ("calibration.png", "importances.png"):
        data = (out / name).read_bytes()
        assert data[:8] == PNG_SIGNATURE
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 500 and height >= 400, (name, width, height)
    summary = (out / "report.md").read_text()
    assert "better than the rule" in summary and f"{figures['model_auc']:.3f}" in summary

    due = date(2026, 4, 15)
    with factory() as session:
        estimate = late_risk(
            session,
            risk_settings,
            BW,
            {
                "DEMO-1001": Upcoming(Decimal("70.00"), date(2026, 4, 1), due),
                "NEVER-SEEN": (Decimal("70.00"), date(2026, 4, 1), due),
            },
        )
        telecom = late_risk(session, risk_settings, PT, {"DEMO-1003": (Decimal("59.99"), date(2026, 4, 1), due)})
    assert estimate.source == "model" and estimate.model_path == risk_settings.risk_models_dir / "risk-all.joblib"
    assert set(estimate.probabilities) == {"DEMO-1001", "NEVER-SEEN"}
    assert 0 < estimate.probabilities["NEVER-SEEN"] < 1
    # The forgetful demo customer is a far likelier late payer than the punctual one.
    assert estimate.probabilities["DEMO-1001"] > 0.4 > 0.15 > telecom.probabilities["DEMO-1003"]


def test_without_a_model_the_last_payment_rule_answers_and_says_so(
    factory: sessionmaker[Session], risk_settings: Settings
) -> None:
    upcoming = {"W-1": (Decimal("40"), date(2026, 4, 1), date(2026, 4, 15))}
    with factory() as session:
        nothing = late_risk(session, risk_settings, "Acme Water", upcoming)
    assert nothing.source == "prior" and nothing.probabilities == {"W-1": 0.5}

    # W-1 paid late last time, W-2 on time, W-3 has no history. Of the invoices after a late
    # one, 1 of 2 was late; after one paid on time, 1 of 3; 3 of all 8 were late.
    history = CSV_HEADER + "".join(
        f"Acme Water,{ref},{ref}-{n},10.00,EUR,2025-0{n}-01,2025-0{n}-15,{paid},,,\n"
        for ref, n, paid in (
            ("W-1", 1, "2025-01-10"),
            ("W-1", 2, "2025-02-25"),
            ("W-2", 1, "2025-01-20"),
            ("W-2", 2, "2025-02-26"),
            ("W-2", 3, "2025-03-14"),
            ("W-4", 1, "2025-01-15"),
            ("W-4", 2, "2025-02-15"),
            ("W-4", 3, "2025-03-15"),
        )
    )
    with transaction(factory) as session:
        assert not import_history_csv(session, history).rejected
    upcoming |= {ref: (Decimal("10"), date(2026, 4, 1), date(2026, 4, 15)) for ref in ("W-2", "W-3")}
    with factory() as session:
        estimate = late_risk(session, risk_settings, "Acme Water", upcoming)
    assert estimate.source == "baseline" and estimate.model_path is None
    assert "no trained model" in estimate.detail
    assert estimate.probabilities == pytest.approx({"W-1": 1 / 2, "W-2": 1 / 3, "W-3": 3 / 8})


def test_training_refuses_without_enough_history_and_the_command_says_what_to_do(
    factory: sessionmaker[Session], risk_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with factory() as session, pytest.raises(NoHistoryError):
        train(session, risk_settings)
    monkeypatch.setattr(model_cli, "_settings", lambda: risk_settings)
    runner = CliRunner()
    result = runner.invoke(model_cli.model_app, ["train"])
    assert result.exit_code == 1 and "amicable history demo" in result.output

    with transaction(factory) as session:
        generate_demo_history(session, accounts=5, months=6, today=TODAY)
    with factory() as session, pytest.raises(ValueError, match="at least 200"):
        train(session, risk_settings)
    result = runner.invoke(model_cli.model_app, ["report"])
    assert result.exit_code == 1 and "amicable model train" in result.output


def test_commands_generate_train_and_report(
    tmp_path: Path, risk_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_cli, "_settings", lambda: risk_settings)
    runner = CliRunner()
    result = runner.invoke(model_cli.history_app, ["demo", "--accounts", "200"])
    assert result.exit_code == 0 and "rows added" in result.output, result.output
    result = runner.invoke(model_cli.model_app, ["train", "--creditor", BW])
    assert result.exit_code == 0, result.output
    assert "AUC: model" in result.output and "risk-brightwater-energy.joblib" in result.output
    result = runner.invoke(model_cli.model_app, ["report", "--creditor", BW, "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "r" / "report.md") in result.output
    assert (tmp_path / "r" / "calibration.png").read_bytes()[:8] == PNG_SIGNATURE

    csv_file = tmp_path / "history.csv"
    csv_file.write_text(CSV_HEADER + GOOD + BAD)
    result = runner.invoke(model_cli.history_app, ["import", str(csv_file)])
    assert result.exit_code == 1 and '"imported": 2' in result.output and '"line": 4' in result.output


def test_featurising_a_hundred_thousand_accounts_takes_seconds() -> None:
    accounts, months = 100_000, 18
    rng = np.random.default_rng(0)
    group = np.repeat(np.arange(accounts), months)
    due = np.tile(np.arange(months) * 30 + 19_000, accounts) + np.repeat(rng.integers(0, 28, accounts), months)
    late = rng.random(len(due)) < 0.3
    answered = late & (rng.random(len(due)) < 0.5)
    history = History(
        group=group,
        references=[f"HIST-{i}" for i in range(accounts)],
        due=due,
        issued=due - 14,
        paid=np.where(late, due + rng.integers(1, 40, len(due)), due - 2),
        amount=rng.lognormal(4, 0.4, len(due)),
        reminders=np.where(late, 1, 0),
        channel=np.where(answered, rng.integers(0, 5, len(due)), -1),
    )
    started = time.perf_counter()
    last_of_each = np.arange(accounts) * months + months - 1
    matrix = features(history, last_of_each)
    seconds = time.perf_counter() - started
    assert matrix.shape == (accounts, len(FEATURES))
    assert (matrix[:, FEATURES.index("earlier_invoices")] == months - 1).all()
    assert seconds < 10, f"{seconds:.1f} s"
