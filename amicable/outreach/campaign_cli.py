"""`amicable campaign run`: plan the day's contacts, and send them unless --dry-run."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer

campaign_app = typer.Typer(help="Outreach campaigns: who hears from us, when, where and how.", no_args_is_help=True)


def _instant(now: str) -> datetime:
    if not now:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(now)
    except ValueError:
        raise typer.BadParameter(f"{now!r} is not an ISO 8601 instant, e.g. 2026-12-01T07:30:00+01:00") from None
    if moment.tzinfo is None:
        raise typer.BadParameter("give a time zone, e.g. 2026-12-01T07:30:00+01:00")
    return moment


@campaign_app.command("run")
def run(
    now: str = typer.Option(
        "",
        "--now",
        help="Plan as of this instant (ISO 8601 with a zone); default: now. Sends are still checked "
        "against the rules at the present",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan without storing or sending anything"),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON, one object per account"),
    creditor: str = typer.Option("", "--creditor", help="Only this creditor's accounts"),
) -> None:
    """Plan every account's next contact as of NOW and send what is due (or print the plan)."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.logging import configure_logging
    from amicable.outreach import campaign
    from amicable.settings import get_settings

    configure_logging()

    settings = get_settings()
    moment = _instant(now)
    factory = make_sessionmaker(make_engine(settings.database_url))
    if dry_run:
        with transaction(factory) as session:
            report = campaign.make_plan(session, settings, moment, creditor or None)
            session.rollback()
    else:
        # Planned as of --now, but every send is judged again by the rules at the present and
        # recorded at the present: a run told another time can never reach someone at night.
        report = campaign.run(factory, settings, moment, creditor or None, sending_at=datetime.now(UTC))
    for note in report.notes:
        typer.echo(note, err=True)
    if not dry_run and report.interrupted:
        typer.echo(
            f"{report.interrupted} contacts left claimed by a stopped sender are marked failed (interrupted): "
            "check whether they reached the debtors before resending",
            err=True,
        )
    if as_json:
        typer.echo(json.dumps([p.public() for p in report.planned], indent=2, ensure_ascii=False))
        return
    counts = ", ".join(f"{action} {count}" for action, count in sorted(report.counts().items())) or "no accounts"
    typer.echo(f"{len(report.planned)} accounts planned in {report.seconds_planning:.1f} s: {counts}")
    if not dry_run:
        if report.queued_on_workers:
            typer.echo(f"{report.queued_on_workers} contacts handed to the Celery workers")
        else:
            typer.echo(f"sent {report.sent}, failed {report.failed}")


@campaign_app.command("report")
def report(
    experiment: str = typer.Option("", "--experiment", help="Only this A/B test"),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON"),
) -> None:
    """A/B test results per variant: reply rate, payment rate and time to pay, as counted."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.outreach.experiments import payment_rate_p_value, results
    from amicable.settings import get_settings

    factory = make_sessionmaker(make_engine(get_settings().database_url))
    with transaction(factory) as session:
        found = results(session, experiment or None)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in found], indent=2))
        return
    if not found:
        typer.echo("no A/B test has sent anything yet")
        return
    typer.echo("| test | variant | accounts | replied | paid | median days to pay |\n|---|---|---|---|---|---|")
    for r in found:
        days = "-" if r.median_days_to_pay is None else f"{r.median_days_to_pay:.1f}"
        typer.echo(
            f"| {r.experiment} | {r.variant} | {r.accounts} | {r.reply_rate:.1%} | {r.payment_rate:.1%} | {days} |"
        )
    by_test: dict[str, list] = {}
    for r in found:
        by_test.setdefault(r.experiment, []).append(r)
    for name, variants in by_test.items():
        if len(variants) == 2:
            p = payment_rate_p_value(*variants)
            if p is not None:
                typer.echo(f"{name}: payment-rate difference p = {p:.3f} (two-proportion z-test)")
