"""`amicable model …` and `amicable history …`: the late-payment model and what it learns from.

Two sub-apps that `amicable.cli` mounts; heavy imports (scikit-learn, matplotlib) wait inside
the commands so the rest of the command line stays quick to start.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from amicable.settings import Settings

model_app = typer.Typer(
    help="The late-payment model: train it on the payment history and see how well it does.",
    no_args_is_help=True,
    add_completion=False,
)
history_app = typer.Typer(
    help="Creditors' payment history, which the late-payment model learns from.",
    no_args_is_help=True,
    add_completion=False,
)

NO_HISTORY_HINT = (
    "Load some first: `amicable history demo` writes a demo history, "
    "`amicable history import FILE` loads a creditor's own."
)


def _settings() -> Settings:
    from amicable.settings import get_settings

    return get_settings()


@model_app.command("train")
def train_command(
    creditor: str = typer.Option("", "--creditor", help="Train on this creditor's history only (default: all)"),
) -> None:
    """Train the late-payment model and print how it does against the last-payment rule."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.outreach.risk import NoHistoryError
    from amicable.outreach.risk_training import train

    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.database_url))
    try:
        with transaction(factory) as session:
            result = train(session, settings, creditor or None)
    except NoHistoryError as error:
        typer.echo(f"{error}. {NO_HISTORY_HINT}", err=True)
        raise typer.Exit(1) from None
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{result.creditor}: {result.rows} past invoices, trained on {result.train_rows} due before "
        f"{result.cutoff}, tested on {result.test_rows} due from then to {result.test_until}\n"
        f"AUC: model {result.model_auc:.3f}, rule 'late last time' {result.baseline_auc:.3f}\n"
        f"Brier: model {result.brier:.3f}, rule {result.baseline_brier:.3f}; "
        f"log loss {result.log_loss:.3f}; late in the test window {result.base_rate:.1%}\n"
        f"saved: {result.model_path} ({result.seconds:.1f} s)"
    )


@model_app.command("report")
def report_command(
    creditor: str = typer.Option("", "--creditor", help="The creditor's own model (default: the one for all)"),
    out: Path | None = typer.Option(None, "--out", help="Folder for the report (default: next to the model)"),
) -> None:
    """Write the model's report: figures, calibration plot and feature importances."""
    import json

    from amicable.outreach.risk_training import report

    try:
        folder = report(_settings(), creditor or None, out)
    except FileNotFoundError as error:
        typer.echo(f"{error}: run `amicable model train` first", err=True)
        raise typer.Exit(1) from None
    figures = json.loads((folder / "report.json").read_text())
    top = ", ".join(item["feature"] for item in figures["importances"][:3])
    typer.echo(
        f"AUC: model {figures['model_auc']:.3f}, rule 'late last time' {figures['baseline_auc']:.3f}; "
        f"Brier {figures['brier']:.3f}; late in the test window {figures['base_rate']:.1%}, "
        f"predicted {figures['mean_predicted']:.1%}\n"
        f"most important: {top}\n"
        f"summary: {folder / 'report.md'}\n"
        f"calibration: {folder / 'calibration.png'}\n"
        f"importances: {folder / 'importances.png'}"
    )


@history_app.command("import")
def import_command(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Import a creditor's payment history from CSV (one row per past invoice)."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.outreach.history import import_history_csv

    factory = make_sessionmaker(make_engine(_settings().database_url))
    try:
        with transaction(factory) as session:
            result = import_history_csv(session, file.read_text(encoding="utf-8-sig"))
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(result.model_dump_json(indent=2))
    if result.rejected:
        raise typer.Exit(1)


@history_app.command("demo")
def demo_command(
    accounts: int = typer.Option(3000, "--accounts", min=0, help="Synthetic customers to generate"),
    months: int = typer.Option(24, "--months", min=3, help="Months of history"),
    seed: int = typer.Option(7, "--seed", help="The same seed gives the same history"),
) -> None:
    """Write a demo payment history for Brightwater Energy and Polder Telecom."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.outreach.demo_history import generate_demo_history

    factory = make_sessionmaker(make_engine(_settings().database_url))
    with transaction(factory) as session:
        added = generate_demo_history(session, accounts=accounts, months=months, seed=seed, today=date.today())
    typer.echo(f"payment history rows added: {added}" + ("" if added else " (already there)"))
