"""Each compose service, started from the files its container would have and nothing else.

No container engine runs here, so tests/test_deployment.py can only read the files; these tests
rebuild each service's file system in a temporary folder (its Dockerfile's COPY lines under its
WORKDIR, and its compose mounts; tests/deployment/file_views.py), start the service's command
there with the project's environments and the compose environment, and wait until the
service's own compose health check passes. An image that lacks what its command loads fails
here: Rasa with a model naming a class the image does not have, the web process missing a
package, the action server missing a module it imports.

PostgreSQL and Redis are the test servers of tests/conftest.py, prepared as compose's postgres
service prepares its volume (POSTGRES_DB and docker/postgres-init.sql); the compose host names
postgres and redis become their loopback addresses, the web process's RASA_URL a port where
nothing listens (the bot is not started beside it), and the rest of the compose environment is
passed on as compose would pass it.
"""

from __future__ import annotations

import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import sqlalchemy
import yaml
from alembic.config import Config
from alembic.script import ScriptDirectory

from amicable.runtime.stack import free_port
from tests.conftest import _pg_bin
from tests.deployment import file_views as fv

# Measured here: Rasa healthy 8-16 s after its start (two Sanic workers); a model that cannot
# load ends the wait at once ("Could not load model"), so only a hang meets this bound.
RASA_LOAD_SECONDS = 300
START_SECONDS = 180  # the web process trains its care-cue model at start (amicable/text/care.py): 40 s and more here


# ---------------------------------------------------------------- the reading itself


@pytest.mark.parametrize(
    ("template", "variables", "expected"),
    [
        # compose-go's own cases (template/template_test.go)
        ("ok ${missing:-def}", {}, "ok def"),
        ("ok ${BAR:-def}", {"BAR": ""}, "ok def"),
        ("ok ${BAR-def}", {"BAR": ""}, "ok "),
        ("ok ${BAR:-/non:-alphanumeric}", {"BAR": ""}, "ok /non:-alphanumeric"),
        ("ok ${UNSET_VAR-${FOO} ${FOO}}", {"FOO": "first"}, "ok first first"),
        ("${UNSET_VAR-myerror?msg}", {}, "myerror?msg"),
        ("${FOO?bar-baz}", {"FOO": "first"}, "first"),
        ("$FOO-bar", {"FOO": "first"}, "first-bar"),
        ("$${foo}", {}, "${foo}"),
        # the shapes docker-compose.yml uses
        (
            "${DB:-postgresql://${U:-amicable}:${P:-amicable}@postgres:5432/amicable}",
            {"U": "u"},
            "postgresql://u:amicable@postgres:5432/amicable",
        ),
        ("${DB:-postgresql://${U:-amicable}:${P:-amicable}@postgres:5432/amicable}", {"DB": "sqlite://"}, "sqlite://"),
        ("${RATE_LIMITS:-{}}", {}, "{}"),
        ("${RATE_LIMITS:-{}}", {"RATE_LIMITS": '{"api-key": "5/minute"}'}, '{"api-key": "5/minute"}'),
    ],
)
def test_interpolation_is_composes(template: str, variables: dict[str, str], expected: str) -> None:
    assert fv.interpolate(template, variables) == expected


@pytest.mark.parametrize("template", ["${UNSET:?set UNSET}", "${EMPTY:?}", "${", "${ foo}"])
def test_interpolation_refuses_what_compose_refuses(template: str) -> None:
    with pytest.raises(fv.InterpolationError):
        fv.interpolate(template, {"EMPTY": ""})


def test_a_variable_the_caller_sets_reaches_every_service_unchanged() -> None:
    """Each `KEY: ${VAR...}` of an environment passes the caller's VAR through as it is (a
    value with braces, spaces or colons included), whatever its default or message says."""
    sentinel = '{"x": "a b:c}"}'
    compose = fv.compose_file()
    checked = 0
    for name, spec in compose["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            match = isinstance(value, str) and fv._SUBSTITUTION.fullmatch(value)
            if not match or not match.group("braced"):
                continue
            variable = match.group("braced").split(":")[0].split("-")[0].split("?")[0]
            assert fv.interpolate(value, {variable: sentinel}) == sentinel, f"{name}.{key}: {value}"
            checked += 1
    assert checked > 20, f"only {checked} variables found: is the environment still a mapping?"


def test_dockerignore_keeps_the_model_and_drops_caches_everywhere() -> None:
    rules = fv.dockerignore(fv.ROOT)
    assert not fv.ignored("models/amicable.tar.gz", rules)
    assert fv.ignored("models/fingerprint", rules)
    assert fv.ignored("amicable/db/__pycache__/models.cpython-311.pyc", rules)
    assert fv.ignored(".env", rules) and fv.ignored("var/amicable.db", rules) and fv.ignored("tests/conftest.py", rules)
    assert not fv.ignored("amicable/db/models.py", rules)


@pytest.mark.parametrize(
    ("source", "path", "expected"),
    [
        ("bot/", "bot/components/linear_intent.py", True),
        ("bot", "bot/channels.py", True),
        ("bot/*.py", "bot/channels.py", True),
        ("bot/*.py", "bot/components/linear_intent.py", False),
        ("bot/answers.py", "bot/answers.py", True),
        ("bot/answers.py", "bot/channels.py", False),
        ("bo", "bot/channels.py", False),
        (".", "bot/channels.py", True),
    ],
)
def test_a_copy_source_brings_what_docker_would(source: str, path: str, expected: bool) -> None:
    assert fv.brings(source, path) is expected


def test_copy_follows_docker(tmp_path: Path) -> None:
    """A folder's contents, a file into a folder, a glob, a rename, .dockerignore, mkdir -p
    in a RUN line, a bind mount and a named volume."""
    context = tmp_path / "context"
    (context / "pkg" / "__pycache__").mkdir(parents=True)
    (context / "pkg" / "mod.py").write_text("x = 1\n")
    (context / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_text("")
    (context / "one.yml").write_text("a: 1\n")
    (context / "two.yml").write_text("b: 2\n")
    (context / "extra").mkdir()
    (context / "extra" / "note.txt").write_text("mounted\n")
    (context / ".dockerignore").write_text("**/__pycache__\n")
    dockerfile = (
        "FROM python:3.11-slim\nWORKDIR /srv\nENV A=1 B=two\n"
        "COPY pkg/ pkg/\nCOPY one.yml ./\nCOPY *.yml conf/\nCOPY two.yml renamed.yml\n"
        'RUN pip install x && mkdir -p /srv/var/data\nCMD ["python", "-m", "pkg.mod"]\n'
    )
    image = fv.read_image("Dockerfile", context, text=dockerfile)
    view = fv.build_view(image, ["./extra:/srv/extra:ro", "named:/srv/state"], tmp_path / "view", project=context)
    files = sorted(p.relative_to(view.root).as_posix() for p in view.root.rglob("*") if p.is_file())
    assert files == [
        "srv/conf/one.yml",
        "srv/conf/two.yml",
        "srv/extra/note.txt",
        "srv/one.yml",
        "srv/pkg/mod.py",
        "srv/renamed.yml",
    ]
    assert (view.root / "srv/var/data").is_dir() and (view.root / "srv/state").is_dir()
    assert image.env == {"A": "1", "B": "two"} and image.command() == ["python", "-m", "pkg.mod"]
    assert view.workdir == view.root / "srv"
    assert view.localise("/srv/state") == str(view.root / "srv/state") and view.localise("/tmp/x") == "/tmp/x"


def test_entrypoints_combine_with_commands_as_docker_does() -> None:
    rasa = fv.read_image("rasa", text="FROM rasa/rasa:3.6.21-full\n")
    assert rasa.command(["run", "--port", "5005"]) == ["rasa", "run", "--port", "5005"]
    sdk = fv.read_image("sdk", text='FROM rasa/rasa-sdk:3.6.2\nCMD ["start", "--actions", "actions"]\n')
    assert sdk.command() == ["python", "-m", "rasa_sdk", "--actions", "actions"]
    own = fv.read_image("own", text='FROM python:3.11-slim\nCMD ["serve"]\nENTRYPOINT ["tool"]\n')
    assert own.command() == ["tool", "serve"]


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM python:3.11-slim AS build\nFROM python:3.11-slim\nCOPY --from=build /x /x\n",
        "FROM ubuntu:24.04\nCOPY a b\n",
        "FROM python:3.11-slim\nADD https://example.invalid/x.tgz /x\n",
        "FROM python:3.11-slim\nONBUILD RUN true\n",
        "FROM python:3.11-slim\nCOPY $SRC /x\n",
    ],
)
def test_a_view_refuses_what_it_cannot_reproduce(dockerfile: str) -> None:
    with pytest.raises(fv.UnsupportedDockerfile):
        fv.read_image("Dockerfile", text=dockerfile)


def test_a_source_missing_from_the_context_fails_the_view(tmp_path: Path) -> None:
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / ".dockerignore").write_text("secret.txt\n")
    (tmp_path / "ctx" / "secret.txt").write_text("x")
    for line in ("COPY absent.txt ./", "COPY secret.txt ./"):
        image = fv.read_image("Dockerfile", tmp_path / "ctx", text=f"FROM python:3.11-slim\n{line}\n")
        with pytest.raises(FileNotFoundError):
            fv.build_view(image, [], tmp_path / f"view-{len(line)}")


def test_the_rasa_environment_reaches_the_project_only_through_a_view(tmp_path: Path) -> None:
    """What makes the Rasa views meaningful: .venv-rasa has no path to the checkout, so a
    module the image lacks is missing for real (the app's .venv has the checkout installed
    editable instead: its runs are read with PYTHONVERBOSE, below)."""
    env = fv.base_environment(fv.RASA_ENV, tmp_path)
    for module in ("bot", "actions", "bot.components.linear_intent"):
        result = subprocess.run(
            [str(fv.RASA_ENV / "bin" / "python"), "-c", f"import {module}"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0 and "No module named" in result.stderr, module


@pytest.mark.parametrize(
    ("dockerfile", "python_env"),
    [("Dockerfile", fv.APP_ENV), ("docker/rasa.Dockerfile", fv.RASA_ENV), ("docker/actions.Dockerfile", fv.RASA_ENV)],
)
def test_each_environment_has_what_its_image_installs(dockerfile: str, python_env: Path) -> None:
    """The views run on .venv and .venv-rasa in place of what the images pip-install: that
    stands only while each environment satisfies every requirement its image installs."""
    image = fv.read_image(dockerfile)
    assert image.pip, f"{dockerfile} installs nothing? (the pip lines were not found)"
    unmet = fv.unmet_requirements(image.pip, python_env)
    assert not unmet, f"{python_env.name} lacks what {dockerfile} installs: {unmet}"


def test_unmet_requirements_are_reported() -> None:
    unmet = fv.unmet_requirements(["joblib<1.0", "no-such-package-here==1", "pyyaml>=5"], fv.RASA_ENV)
    assert [line.split(" ")[0] for line in unmet] == ["joblib<1.0", "no-such-package-here==1"], unmet


# ---------------------------------------------------------------- the services, running


@pytest.fixture(scope="module")
def variables() -> dict[str, str]:
    """What an operator exports before `docker compose up`: each secret its own random value.
    Rasa's token begins with "-", as one in 64 random ones do, so a command line that would
    read it as an option fails every time rather than by chance."""
    return {
        "AMICABLE_API_KEY": secrets.token_urlsafe(24),
        "AMICABLE_ACTIONS_KEY": secrets.token_urlsafe(24),
        "AMICABLE_LINK_SECRET": secrets.token_urlsafe(24),
        "RASA_TOKEN": "-" + secrets.token_urlsafe(24),
        "STRIPE_API_KEY": "sk_test_" + secrets.token_urlsafe(16),
        "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(16),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(12),
    }


@pytest.fixture(scope="module")
def network(postgres, redis_server) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
    """The compose network's data stores, on loopback: host name -> (address, port)."""
    return {"postgres": ("127.0.0.1", postgres.port), "redis": ("127.0.0.1", redis_server.port)}


@pytest.fixture(scope="module")
def compose_database(postgres, variables: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    """What compose's postgres service starts with, made in the test server: its POSTGRES_DB,
    then the init scripts it mounts into /docker-entrypoint-initdb.d (Rasa's database)."""
    spec = fv.service_spec("postgres", variables)
    name = spec["environment"]["POSTGRES_DB"]
    postgres.create_database(name)
    for volume in spec.get("volumes") or []:
        source, target = str(volume).split(":")[:2]
        if target.startswith("/docker-entrypoint-initdb.d/"):
            subprocess.run(
                [_pg_bin("psql"), "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(postgres.port)]
                + ["-U", "amicable", "-d", name, "-f", str(fv.ROOT / source)],
                check=True,
                capture_output=True,
            )
    return name


def on_loopback(url: str, network: dict[str, tuple[str, int]]) -> str:
    """A URL naming a compose host, pointed at the server standing in for it."""
    parts = urlsplit(url)
    if parts.hostname not in network:
        return url
    address, port = network[parts.hostname]
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@{address}:{port}" if credentials else f"{address}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def localised_port(argv: list[str], container_port: int, port: int) -> list[str]:
    """A health check asks localhost:<container port>; here the service has its own port."""
    return [part.replace(f"localhost:{container_port}", f"127.0.0.1:{port}") for part in argv]


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path / "logs"


class Running:
    """Processes a test started, stopped whatever happens."""

    def __init__(self) -> None:
        self.processes: list[fv.Process] = []

    def start(self, name: str, argv: list[str], view: fv.View, env: dict[str, str], logs: Path) -> fv.Process:
        process = fv.start(name, argv, view, env, logs)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture
def running() -> Iterator[Running]:
    started = Running()
    yield started
    started.stop()


def view_of(service: fv.Service, tmp_path: Path) -> fv.View:
    return fv.build_view(service.image, service.spec.get("volumes"), tmp_path / service.name)


def app_environment(
    service: fv.Service, view: fv.View, network: dict[str, tuple[str, int]], home: Path
) -> dict[str, str]:
    """The app image's container environment: compose's values, paths in the view, compose
    hosts on loopback, and PYTHONVERBOSE so the run tells where each module came from."""
    env = fv.base_environment(fv.APP_ENV, home)
    for key, value in service.environment.items():
        env[key] = on_loopback(view.localise(value), network)
    if "RASA_URL" in env:
        env["RASA_URL"] = f"http://127.0.0.1:{free_port()}"  # no bot: the gateway says so, as in compose
    env["PYTHONVERBOSE"] = "1"
    return env


def assert_loaded_from_the_view(output: str, view: fv.View, must_load: str) -> None:
    from_checkout, loaded = fv.loaded_project_files(output)
    assert not from_checkout, (
        "modules the image lacks were found in the checkout instead: "
        f"{sorted(str(p.relative_to(fv.ROOT)) for p in from_checkout)[:10]}"
    )
    assert view.workdir / must_load in loaded, f"{must_load} was not loaded from the view"


def healthy(service: fv.Service, view: fv.View, env: dict[str, str], argv: list[str] | None = None) -> bool:
    check = argv or service.healthcheck()
    assert check, f"{service.name} has no health check"
    quiet = {key: value for key, value in env.items() if key != "PYTHONVERBOSE"}
    try:
        return fv.run(check, view, quiet, timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.mark.stack
@pytest.mark.postgres
def test_rasa_loads_its_model_from_the_image_alone(
    variables: dict[str, str],
    network: dict[str, tuple[str, int]],
    compose_database: str,
    tmp_path: Path,
    logs: Path,
    running: Running,
) -> None:
    """The image's files (bot/, credentials, the production endpoints and the model) and
    nothing else: without bot/ the model fails to load with "Can't find class
    bot.components.linear_intent.LinearIntentClassifier" and /status never names a model."""
    service = fv.service("rasa", variables)
    view = view_of(service, tmp_path)
    port = free_port()
    command = fv.with_option(fv.with_option(service.command, "--interface", "127.0.0.1"), "--port", str(port))
    assert command[0] == "rasa" and any(part.startswith("--auth-token=-") for part in command)
    env = fv.base_environment(fv.RASA_ENV, tmp_path / "home")
    env.update(service.environment)
    # docker/endpoints.yml itself, its ${VAR}s pointed at the test servers.
    env.update(
        POSTGRES_HOST=network["postgres"][0],
        POSTGRES_PORT=str(network["postgres"][1]),
        REDIS_HOST=network["redis"][0],
        REDIS_PORT=str(network["redis"][1]),
    )
    assert env["POSTGRES_LOGIN_DB"] == compose_database
    process = running.start("rasa", command, view, env, logs)
    check = localised_port(service.healthcheck() or [], 5005, port)
    started = time.monotonic()

    def settled() -> bool:
        # Rasa goes on serving without a model when its model cannot load: no use waiting then.
        return "Could not load model" in process.output() or healthy(service, view, env, check)

    fv.wait_until(settled, process, RASA_LOAD_SECONDS, every=3)
    assert healthy(service, view, env, check), (
        f"rasa never became healthy from its view ({view.log}):\n{process.tail()}"
    )
    status = httpx.get(f"http://127.0.0.1:{port}/status", params={"token": env["RASA_TOKEN"]}, timeout=10).json()
    assert status["model_file"].endswith("amicable.tar.gz"), status
    print(f"rasa healthy after {time.monotonic() - started:.0f} s from {view.workdir}")
    # The token guards the API, and the REST channel answers the gateway's token only.
    assert httpx.get(f"http://127.0.0.1:{port}/status", timeout=10).status_code == 401
    refused = httpx.post(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", json={"sender": "x", "message": "hello"}, timeout=10
    )
    assert refused.status_code == 401, refused.text
    # The conversation store is docker/endpoints.yml's: Rasa made its tables in its database.
    database = yaml.safe_load((view.workdir / "endpoints.yml").read_text())["tracker_store"]["db"]
    engine = sqlalchemy.create_engine(f"postgresql+psycopg://amicable@127.0.0.1:{network['postgres'][1]}/{database}")
    with engine.connect() as connection:
        tables = set(sqlalchemy.inspect(connection).get_table_names())
    engine.dispose()
    assert "events" in tables, tables


@pytest.mark.stack
def test_the_action_server_serves_every_action_of_the_domain(
    variables: dict[str, str], tmp_path: Path, logs: Path, running: Running
) -> None:
    service = fv.service("actions", variables)
    view = view_of(service, tmp_path)
    port = free_port()
    command = fv.with_option(service.command, "--port", str(port))
    assert command[:3] == ["python", "-m", "rasa_sdk"], command
    env = fv.base_environment(fv.RASA_ENV, tmp_path / "home")
    env.update(service.environment)
    env["SANIC_HOST"] = "127.0.0.1"  # the container listens on all its interfaces; this machine need not
    process = running.start("actions", command, view, env, logs)
    check = localised_port(service.healthcheck() or [], 5055, port)
    assert fv.wait_until(lambda: healthy(service, view, env, check), process, START_SECONDS), process.tail()
    served = {action["name"] for action in httpx.get(f"http://127.0.0.1:{port}/actions", timeout=10).json()}
    domain = yaml.safe_load((fv.ROOT / "domain.yml").read_text())
    declared = {next(iter(a)) if isinstance(a, dict) else a for a in domain["actions"]}
    missing = sorted(declared - served)
    assert not missing, f"domain.yml actions the action server's view does not serve: {missing}"


def migrate(
    variables: dict[str, str], network: dict[str, tuple[str, int]], tmp_path: Path
) -> tuple[fv.View, subprocess.CompletedProcess]:
    service = fv.service("migrate", variables)
    view = view_of(service, tmp_path)
    env = app_environment(service, view, network, tmp_path / "home")
    return view, fv.run(service.command, view, env, timeout=180)


@pytest.fixture(scope="module")
def migrated(
    variables: dict[str, str],
    network: dict[str, tuple[str, int]],
    compose_database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[fv.View, subprocess.CompletedProcess]:
    """The `migrate` service run once, as compose runs it before web, worker and scheduler."""
    return migrate(variables, network, tmp_path_factory.mktemp("migrate"))


@pytest.mark.postgres
def test_migrate_brings_the_compose_database_to_the_latest_schema(
    migrated: tuple[fv.View, subprocess.CompletedProcess], network: dict[str, tuple[str, int]], compose_database: str
) -> None:
    view, result = migrated
    assert result.returncode == 0, result.stderr[-4000:]
    assert_loaded_from_the_view(result.stderr, view, "migrations/env.py")
    head = ScriptDirectory.from_config(Config(str(fv.ROOT / "alembic.ini"))).get_current_head()
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://amicable@127.0.0.1:{network['postgres'][1]}/{compose_database}"
    )
    with engine.connect() as connection:
        version = connection.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert version == head


@pytest.mark.stack
@pytest.mark.postgres
def test_web_serves_with_production_settings_from_its_image(
    variables: dict[str, str],
    network: dict[str, tuple[str, int]],
    migrated: tuple[fv.View, subprocess.CompletedProcess],
    tmp_path: Path,
    logs: Path,
    running: Running,
) -> None:
    assert migrated[1].returncode == 0, "the migrate service failed; web would never start"
    service = fv.service("web", variables)
    view = view_of(service, tmp_path)
    port = free_port()
    command = [*service.command, "--host", "127.0.0.1", "--port", str(port)]
    env = app_environment(service, view, network, tmp_path / "home")
    assert env["AMICABLE_DEMO"] == "false" and env["POLICIES_DIR"] == str(view.workdir / "policies")
    process = running.start("web", command, view, env, logs)
    check = localised_port(service.healthcheck() or [], 8000, port)
    assert fv.wait_until(lambda: healthy(service, view, env, check), process, START_SECONDS), process.tail()
    assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()["status"] == "ok"
    # The API takes the operator's key: settings and database are the compose ones.
    accounts = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/accounts",
        headers={"Authorization": f"Bearer {variables['AMICABLE_API_KEY']}"},
        timeout=10,
    )
    assert accounts.status_code == 200, accounts.text
    assert_loaded_from_the_view(process.output(), view, "server/app.py")


@pytest.mark.stack
@pytest.mark.postgres
def test_web_refuses_to_start_without_a_production_secret(
    variables: dict[str, str], network: dict[str, tuple[str, int]], tmp_path: Path
) -> None:
    """The same view and command with a short link secret: the process stops at once, which is
    what makes the passing run above mean the settings were the production ones."""
    service = fv.service("web", {**variables, "AMICABLE_LINK_SECRET": "short"})
    view = view_of(service, tmp_path)
    env = app_environment(service, view, network, tmp_path / "home")
    env.pop("PYTHONVERBOSE")
    result = fv.run([*service.command, "--host", "127.0.0.1", "--port", str(free_port())], view, env, timeout=120)
    assert result.returncode != 0 and "AMICABLE_LINK_SECRET" in result.stdout + result.stderr


@pytest.mark.stack
def test_the_worker_starts_from_the_app_image_and_answers_its_ping(
    variables: dict[str, str],
    network: dict[str, tuple[str, int]],
    migrated: tuple[fv.View, subprocess.CompletedProcess],
    tmp_path: Path,
    logs: Path,
    running: Running,
) -> None:
    service = fv.service("worker", variables)
    view = view_of(service, tmp_path)
    env = app_environment(service, view, network, tmp_path / "home")
    process = running.start("worker", service.command, view, env, logs)
    assert fv.wait_until(lambda: healthy(service, view, env), process, START_SECONDS, every=2), process.tail()
    assert "amicable.outreach.dispatch_contact" in process.output(), "the worker registered no dispatch task"
    assert_loaded_from_the_view(process.output(), view, "amicable/outreach/tasks.py")


@pytest.mark.stack
@pytest.mark.postgres
def test_the_scheduler_runs_a_collection_from_the_app_image(
    variables: dict[str, str],
    network: dict[str, tuple[str, int]],
    migrated: tuple[fv.View, subprocess.CompletedProcess],
    tmp_path: Path,
    logs: Path,
    running: Running,
) -> None:
    """Its loop runs collect and the day's campaign at once, then touches the heartbeat its
    health check reads; a failed run is logged and leaves the heartbeat alone."""
    assert migrated[1].returncode == 0
    service = fv.service("scheduler", variables)
    view = view_of(service, tmp_path)
    env = app_environment(service, view, network, tmp_path / "home")
    heartbeat = Path("/tmp/amicable-scheduler.heartbeat")
    started = time.time()
    process = running.start("scheduler", service.command, view, env, logs)

    def beat() -> bool:
        ran = "accounts planned" in process.output() or "collection run failed" in process.output()
        return ran and heartbeat.exists() and heartbeat.stat().st_mtime >= started - 1

    assert fv.wait_until(beat, process, START_SECONDS), process.tail()
    output = process.output()
    assert "collection run failed" not in output, process.tail()
    assert "reminders: 0" in output and "0 accounts planned" in output, process.tail()
    assert healthy(service, view, env)
    assert_loaded_from_the_view(process.output(), view, "amicable/outreach/collection.py")
