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
    now: str = typer.Option("", "--now", help="Plan as of this instant (ISO 8601 with a zone); default: now"),
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
        report = campaign.run(factory, settings, moment, creditor or None)
    for note in report.notes:
        typer.echo(note, err=True)
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
