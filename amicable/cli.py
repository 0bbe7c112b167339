"""The `amicable` command. Makefile targets are thin wrappers around it."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import typer

from amicable.paths import MODEL, RASA_BIN, ROOT
from amicable.runtime import mailbox

app = typer.Typer(help="Amicable: an empathetic collections assistant.", no_args_is_help=True, add_completion=False)


@app.callback()
def _every_command() -> None:
    """Every command logs through the same masking as the web process (numbers, texts)."""
    from amicable.logging import configure_logging

    configure_logging()


def _add_groups() -> None:
    from amicable.outreach.campaign_cli import campaign_app
    from amicable.outreach.model_cli import history_app, model_app

    app.add_typer(campaign_app, name="campaign")
    app.add_typer(model_app, name="model")
    app.add_typer(history_app, name="history")


def _settings():  # type: ignore[no-untyped-def]
    """Read from the environment on each call: a command runs once per process anyway, and a
    caller that runs several commands in one process (a test, a script) may change it between."""
    from amicable.settings import Settings

    return Settings()


DEMO_SECRETS = (
    "AMICABLE_API_KEY",
    "AMICABLE_ACTIONS_KEY",
    "AMICABLE_LINK_SECRET",
    "RASA_TOKEN",
    "EMAIL_INBOUND_SECRET",
)


def ensure_secret(name: str) -> str:
    """Use the variable, or generate a random value once and keep it in the git-ignored .env:
    the demo never runs on a value written in the source."""
    if os.environ.get(name):
        return os.environ[name]
    env_file = ROOT / ".env"
    lines = env_file.read_text().splitlines() if env_file.exists() else []
    for line in lines:
        if line.startswith(f"{name}=") and line.split("=", 1)[1].strip():
            return line.split("=", 1)[1].strip()
    value = secrets.token_urlsafe(24)
    env_file.write_text("\n".join([*lines, f"{name}={value}"]) + "\n")
    env_file.chmod(0o600)
    return value


def ensure_api_key() -> str:
    return ensure_secret("AMICABLE_API_KEY")


@app.command()
def migrate(database_url: str = typer.Option("", help="Defaults to DATABASE_URL")) -> None:
    """Bring the database schema up to date."""
    from amicable.db.migrate import upgrade

    upgrade(database_url or _settings().database_url)


@app.command()
def collect(
    at: str = typer.Option("", help="Run as if it were this moment (ISO 8601, e.g. 2026-12-01T09:00:00+00:00)"),
) -> None:
    """Move plans and promises one step: reminders with links before installments, paid,
    late, missed and broken plans, promises kept or followed up."""
    from datetime import UTC, datetime

    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.outreach.collection import run as run_collection

    settings = _settings()
    now = datetime.fromisoformat(at) if at else datetime.now(UTC)
    if now.tzinfo is None:
        raise typer.BadParameter("give a time zone, e.g. 2026-12-01T09:00:00+00:00")
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        report = run_collection(session, settings, now)
    for name, value in vars(report).items():
        typer.echo(f"{name}: {len(value) if isinstance(value, list) else value}")


@app.command()
def scheduler(every: int = typer.Option(900, help="Seconds between collection runs")) -> None:
    """Run `collect` and `campaign run` for ever (the scheduler process of `make run`); each
    run touches a heartbeat file that the container's health check reads."""
    import time

    from amicable.outreach.campaign_cli import run as campaign_run
    from amicable.settings import check_settings

    check_settings(_settings())  # it sends messages and charges cards: the same rules as the web
    heartbeat = Path("/tmp/amicable-scheduler.heartbeat")
    while True:
        try:
            collect(at="")
            campaign_run(now="", dry_run=False, as_json=False, creditor="")
            heartbeat.touch()
        except Exception as error:  # a failed run is retried at the next tick, never fatal
            typer.echo(f"collection run failed: {error}", err=True)
        time.sleep(every)


@app.command("agent-add")
def agent_add(
    email: str = typer.Argument(..., help="The agent's e-mail, used to sign in"),
    name: str = typer.Option("", help="Name shown to colleagues"),
    role: str = typer.Option("agent", help="agent or supervisor"),
    creditor: str = typer.Option("", help="A creditor's own operator: sees that creditor's files only"),
) -> None:
    """Create an agent for the console at /agent; the password is asked, never echoed (or read
    from standard input when it is piped in)."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services import ServiceError
    from amicable.services.agents import create_agent

    if sys.stdin.isatty():
        password = typer.prompt("Password (at least 12 characters)", hide_input=True, confirmation_prompt=True)
    else:
        # Piped in (`printf '%s\n' "$PASSWORD" | amicable agent-add ...`): read as it is, with
        # no prompt and no terminal to hide it from.
        password = sys.stdin.readline().rstrip("\r\n")
    factory = make_sessionmaker(make_engine(_settings().database_url))
    try:
        with transaction(factory) as session:
            agent = create_agent(session, email, name, role, password, creditor=creditor or None)
            typer.echo(f"{agent.email} can now sign in at /agent as {agent.role}")
    except ServiceError as error:
        typer.echo(error.message, err=True)
        raise typer.Exit(1) from None


@app.command("apikey-add")
def apikey_add(
    creditor: str = typer.Option(..., help="The creditor, named as in the Accounts API's `creditor`"),
    label: str = typer.Option("", help="What the key is for, shown by apikey-list"),
) -> None:
    """Make an API key that sees one creditor's files only. The key is printed once, alone on
    the last line; only its digest is kept."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services import ServiceError, api_keys

    factory = make_sessionmaker(make_engine(_settings().database_url))
    try:
        with transaction(factory) as session:
            record, key = api_keys.create(session, creditor, label)
            typer.echo(f"a key for {record.creditor.name} ({record.prefix}…); it is shown once, below:")
    except ServiceError as error:
        typer.echo(error.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(key)


@app.command("apikey-list")
def apikey_list() -> None:
    """Creditors' API keys: prefix, creditor, label, made, revoked."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services import api_keys

    factory = make_sessionmaker(make_engine(_settings().database_url))
    with transaction(factory) as session:
        for key in api_keys.listed(session):
            revoked = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "live"
            typer.echo(f"{key.prefix}…\t{key.creditor.name}\t{key.label}\t{key.created_at:%Y-%m-%d}\t{revoked}")


@app.command("apikey-revoke")
def apikey_revoke(prefix: str = typer.Argument(..., help="The key's prefix, as apikey-list shows it")) -> None:
    """Revoke a creditor's API key at once."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services import api_keys

    factory = make_sessionmaker(make_engine(_settings().database_url))
    with transaction(factory) as session:
        count = api_keys.revoke(session, prefix.rstrip("…"))
    typer.echo(f"revoked {count} key(s)")
    if not count:
        raise typer.Exit(1)


@app.command()
def seed(demo: bool = typer.Option(False, "--demo", help="Create the demo accounts")) -> None:
    """Load starting data."""
    if not demo:
        raise typer.BadParameter("say what to seed: --demo")
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.demo import seed_demo

    factory = make_sessionmaker(make_engine(_settings().database_url))
    with transaction(factory) as session:
        created = seed_demo(session)
    typer.echo(f"demo accounts created: {', '.join(created) or 'none (already there)'}")


@app.command("import")
def import_file(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True)) -> None:
    """Import accounts from a CSV file (one row per invoice)."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services.imports import import_csv

    factory = make_sessionmaker(make_engine(_settings().database_url))
    with transaction(factory) as session:
        report = import_csv(session, file.read_text(encoding="utf-8-sig"))
    typer.echo(report.model_dump_json(indent=2))
    if report.rejected:
        raise typer.Exit(1)


@app.command()
def train(force: bool = typer.Option(False, help="Train even when a model for these inputs exists")) -> None:
    """Train the bot model, or reuse the one trained from the same inputs."""
    from amicable.runtime.model import ensure_model

    path, seconds = ensure_model(force=force)
    typer.echo(f"model: {path} ({f'trained in {seconds:.0f} s' if seconds else 'reused'})")


@app.command()
def setup() -> None:
    """Everything `run` and `test` need: API key, database, demo data, trained model."""
    ensure_api_key()
    migrate(database_url="")
    seed(demo=True)
    _demo_late_payment_model()
    _care_models()
    train(force=False)


def _care_models() -> None:
    """Learn the care-cue models now (kept in the cache until their examples change), so the
    web process's first start does not spend the time before answering anyone."""
    import time

    from amicable.text import care

    started = time.monotonic()
    care.warm_up(_settings().policies_dir / "care")
    typer.echo(f"care models: ready in {time.monotonic() - started:.0f} s")


def _demo_late_payment_model() -> None:
    """The demo creditors' payment history, and a late-payment model trained on it, so the
    first campaign already knows who is likely to forget. Done once: both are kept."""
    from datetime import date

    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.outreach.demo_history import generate_demo_history
    from amicable.outreach.risk_training import train as train_risk

    settings = _settings()
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        added = generate_demo_history(session, today=date.today())
    if added or not (settings.risk_models_dir / "risk-all.joblib").exists():
        with transaction(factory) as session:
            report = train_risk(session, settings, None)
        typer.echo(
            f"late-payment model trained on the demo history: AUC {report.model_auc:.3f} (last-payment rule {report.baseline_auc:.3f})"
        )


@app.command()
def serve(host: str = "0.0.0.0", port: int = 8000) -> None:
    """Serve the web process: API, gateway, pay page and web chat."""
    import uvicorn

    # Open event streams (the agent console's) must not hold a stop or a restart for minutes.
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


@app.command()
def run() -> None:
    """Set up, then start web, bot and action server together; Ctrl-C stops them all."""
    from amicable.runtime.supervisor import procfile, ready_check, supervise

    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations: silent unless something is wrong
    setup()
    key = ensure_api_key()
    typer.echo("\nAmicable is starting; the bot takes about a minute to load its model…\n")
    # The embedded demo: the local pay provider and console senders, announced on its pages.
    secrets_ = {name: ensure_secret(name) for name in DEMO_SECRETS}
    env = {**os.environ, **secrets_, "AMICABLE_DEMO": "1"}
    # Email goes to the embedded mail server and is shown at /mailbox, unless a real one is set.
    env.setdefault("SMTP_URL", f"smtp://127.0.0.1:{mailbox.PORT}")
    env.setdefault("EMAIL_FROM", "Amicable demo <collections@amicable.localhost>")
    checks = {
        "web": ready_check("http://127.0.0.1:8000/health"),
        "actions": ready_check("http://127.0.0.1:5055/health"),
        # The bot is ready once its model is loaded, not when its port opens.
        "rasa": ready_check(
            f"http://127.0.0.1:5005/status?token={secrets_['RASA_TOKEN']}",
            lambda response: bool(response.json().get("model_file")),
        ),
    }
    ready = (
        "Amicable is ready (demo): web chat http://localhost:8000/ · agent console http://localhost:8000/agent"
        " · API docs http://localhost:8000/docs · mailbox http://localhost:8000/mailbox · conversation POST http://localhost:8000/webhooks/rest/webhook"
        f" · API key {key} (in .env) · try DEMO-1001, born 12 March 1985, postcode 1000 · Ctrl-C stops"
    )
    processes = procfile(ROOT / "Procfile")
    (ROOT / "var").mkdir(exist_ok=True)  # the bot keeps its conversations there (endpoints.yml)
    if env["SMTP_URL"] == f"smtp://127.0.0.1:{mailbox.PORT}":
        processes["mail"] = f"{sys.executable} -m amicable mailserver"
    raise typer.Exit(supervise(processes, env, checks, ready, ROOT))


@app.command("run-scaled")
def run_scaled() -> None:
    """The production topology on this machine: 2 Rasa servers, 2 action servers, 2 web workers,
    Celery workers and the scheduler on PostgreSQL and Redis (Debian's; data under var/scaled).
    The demo's settings, like `run`; Ctrl-C stops them all."""
    from amicable.runtime import scaled
    from amicable.runtime.supervisor import supervise

    logging.getLogger("alembic").setLevel(logging.WARNING)
    stores = scaled.Datastores(scaled.folder()).start()
    try:
        extra = scaled.environment(stores)
        os.environ.update(extra)  # set-up below writes to these stores, not the demo's SQLite
        setup()
        key = ensure_api_key()
        secrets_ = {name: ensure_secret(name) for name in DEMO_SECRETS}
        env = {**os.environ, **secrets_, **extra, "AMICABLE_DEMO": "1"}
        typer.echo(
            f"\nAmicable (scaled) is starting: PostgreSQL on :{scaled.POSTGRES_PORT}, Redis on :{scaled.REDIS_PORT};"
            " two bots load their model (about a minute)…\n"
        )
        ready = (
            "Amicable (scaled, demo) is ready: http://localhost:8000/ (two web workers) · bots on "
            f"{', '.join(map(str, scaled.RASA_PORTS))} · action servers on {', '.join(map(str, scaled.ACTIONS_PORTS))}"
            f" · load check: .venv/bin/python -m amicable load --url http://127.0.0.1:{scaled.WEB_PORT}"
            f" --api-key {key} --database-url {stores.database_url} · Ctrl-C stops"
        )
        code = supervise(
            scaled.processes(scaled.folder(), secrets_["RASA_TOKEN"]),
            env,
            scaled.ready_checks(secrets_["RASA_TOKEN"]),  # type: ignore[arg-type]
            ready,
            ROOT,
        )
    finally:
        stores.stop()
    raise typer.Exit(code)


@app.command()
def mailserver(port: int = mailbox.PORT) -> None:
    """The embedded demo's mail server: keeps what it receives for the /mailbox page."""
    folder = _settings().mailbox_dir  # where the /mailbox page reads (MAILBOX_DIR)
    typer.echo(f"demo mail server on 127.0.0.1:{port}, keeping messages in {folder}")
    mailbox.serve(folder, port=port)


@app.command()
def redact(
    every: bool = typer.Option(False, "--all", help="Every stored message of debtors and agents"),
) -> None:
    """Take card numbers, IBANs, national numbers, others' contact details, passwords and
    codes out of stored transcripts, in place (idempotent: a second run changes nothing)."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services.conversations import redact_stored

    if not every:
        raise typer.BadParameter("say --all: every stored message is rewritten in place")
    factory = make_sessionmaker(make_engine(_settings().database_url))
    with transaction(factory) as session:
        read, changed = redact_stored(session)
    typer.echo(f"messages read: {read}; redacted: {changed}")


@app.command()
def validate(
    policies_only: bool = typer.Option(False, "--policies-only", help="Only policies/ (fast; the pre-commit hook)"),
) -> None:
    """The creditors' policies, then Rasa's own check of the training data and domain."""
    from amicable.policy_files import check_all
    from amicable.runtime.model import rasa_env

    try:
        own = check_all(_settings().policies_dir)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"policies, strategies, templates, country rules: default{''.join(', ' + name for name in own)}: valid")
    if policies_only:
        return

    result = subprocess.run([str(RASA_BIN / "rasa"), "data", "validate"], cwd=ROOT, env=rasa_env())
    raise typer.Exit(result.returncode)


@app.command()
def bench(
    turns: int = typer.Option(300, help="Scripted turns per target"),
    campaign_only: bool = typer.Option(False, "--campaign-only", help="Only campaign planning and dispatch"),
    text_only: bool = typer.Option(False, "--text-only", help="Only the text layer's cost per message"),
    accounts: int = typer.Option(100_000, help="Accounts the campaign and portfolio figures are measured on"),
    portfolio_only: bool = typer.Option(False, "--portfolio-only", help="Only the portfolio list's latency"),
    database_url: str = typer.Option(
        "", help="For --portfolio-only and --campaign-only: a PostgreSQL URL instead of SQLite"
    ),
    worker_contacts: int = typer.Option(
        10_000, help="For --campaign-only: contacts dispatched through Celery workers on PostgreSQL (0: none)"
    ),
    workers: int = typer.Option(
        0, help="For --campaign-only: the workers' concurrency (0: as deployed, --concurrency=2)"
    ),
    pool: str = typer.Option("prefork", help="For --campaign-only: the workers' pool (prefork, threads)"),
    load_only: bool = typer.Option(
        False, "--load-only", help="Only the load table (N = 1, 8, 32, 64, 128) with its flame graphs"
    ),
) -> None:
    """Latency and throughput through the whole stack, next to the bare Rasa server, the load
    table with flame graphs of a turn, the text layer's cost per message, then campaign planning
    (100,000 accounts) and dispatch."""
    from amicable.runtime.bench import print_text_layer_cost, run_bench, run_load_only

    if text_only:
        print_text_layer_cost()
        return

    if portfolio_only:
        from amicable.runtime.bench_portfolio import portfolio_bench, print_portfolio_bench

        figures = portfolio_bench(accounts, database_url=database_url or None)
        print_portfolio_bench(figures, accounts, "PostgreSQL" if database_url.startswith("postgres") else "SQLite")
        return

    if campaign_only:
        from amicable.runtime.bench_campaign import WORKER_CONCURRENCY, campaign_bench, print_campaign_bench

        print_campaign_bench(
            campaign_bench(
                accounts,
                database_url=database_url or None,
                worker_contacts=worker_contacts,
                workers=workers or WORKER_CONCURRENCY,
                pool=pool,
            )
        )
        return

    if not MODEL.exists():
        train(force=False)
    sys.exit(run_load_only() if load_only else run_bench(turns))


@app.command()
def load(
    url: str = typer.Option(
        ..., help="The web process (or the balancer in front of several), e.g. http://127.0.0.1:8000"
    ),
    api_key: str = typer.Option(..., envvar="AMICABLE_API_KEY", help="An operator key, to create the accounts"),
    database_url: str = typer.Option(
        "", envvar="DATABASE_URL", help="Where the transcripts are, to check them (no check without it)"
    ),
    levels: str = typer.Option("1,8,32,64,128", help="Conversations at once, one level after another"),
) -> None:
    """The load script against a stack already running (`make run-scaled`, say): N web-chat
    conversations at once per level, the latency table, and each transcript read back to check
    that every message was stored once, in order, and answered. Exit status 1 on any failure.
    The stack's throttles see one source sending a lot: run it with RATE_LIMITS lifted."""
    from amicable.runtime import load as load_script

    results = load_script.run_levels(
        url.rstrip("/"),
        api_key,
        [int(n) for n in levels.split(",") if n.strip()],
        database_url or None,
        echo=typer.echo,
    )
    raise typer.Exit(0 if all(level.ok for level in results) else 1)


@app.command("eval")
def evaluate(
    check: bool = typer.Option(False, "--check", help="Fail when a figure falls below its floor"),
    out: Path = typer.Option(ROOT / "results" / "eval.json", help="Where the full report goes"),
) -> None:
    """Understanding, measured: intent F1 per language on held-out sets, BANKING77 false
    alarms, NLU++ dialogue acts, the amount and date normaliser, the design table's stories
    and whole blind-written conversations (amicable/runtime/evaluation.py)."""
    from amicable.runtime.evaluation import evaluate as run_evaluation

    failures = run_evaluation(out, typer.echo)
    typer.echo(f"\nfull report with every error: {out}")
    if check and failures:
        typer.echo("below floor: " + "; ".join(failures), err=True)
        raise typer.Exit(1)


@app.command("care-thresholds")
def care_thresholds(
    folds: int = typer.Option(5, help="Folds of the cross-validation"),
    out: Path = typer.Option(ROOT / "results" / "care-thresholds.json", help="Where the whole grid goes"),
) -> None:
    """How sure each language's care model must be before it adds a cue, chosen by
    cross-validation on that language's care examples (never the blind set): prints the
    thresholds to put in amicable/text/care.py (THRESHOLDS) with the recall and precision they
    give there."""
    import json

    from amicable.runtime.text_eval import care_thresholds as tune

    report = tune(folds)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    typer.echo(f"{report['examples']} examples, {report['folds']}-fold")
    for lang, best in report["best"].items():
        typer.echo(
            f'"{lang}": Thresholds(sure={best["sure"]}, suicidal_sure={best["suicidal_sure"]},'
            f" ordinary_sure={best['ordinary_sure']})  (short of the targets by {best['shortfall']:.3f})"
        )
        for cue in best["recall"]:
            typer.echo(f"  {cue:14} recall {best['recall'][cue]:.3f}  precision {best['precision'][cue]:.3f}")
    typer.echo(f"whole grid: {out}")


_add_groups()
