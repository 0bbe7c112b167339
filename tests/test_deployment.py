"""The production files (Dockerfile, docker/, docker-compose.yml) stay in step with what runs
locally (Procfile, endpoints.yml, requirements/rasa.txt) and with what the app reads
(amicable/settings.py).

No Docker engine is needed: everything here reads files. Names and numbers are taken from the
local files wherever they live there, so a change on one side fails until the other follows.
"""

from __future__ import annotations

import inspect
import json
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deployment.commands import options, settings_env_names
from tests.deployment.file_views import brings, read_image

ROOT = Path(__file__).resolve().parents[1]

SERVICES = {"web", "rasa", "actions", "postgres", "redis"}
# Everything that keeps running (the one-shot `migrate` has no health to check).
LONG_RUNNING = SERVICES | {"worker", "scheduler"}
# The services that run the app's code from its image, after `migrate` has brought the schema up.
APP_PROCESSES = ("web", "worker", "scheduler")
# Processes that must only be reachable on the compose network.
INTERNAL = ("rasa", "actions")
# Flags that are meant to differ between a laptop and a container.
# The interface differs; the token is the same secret, written for each tool's variable syntax.
DIFFERS_IN_CONTAINER = {"--interface", "--auth-token"}
# Top-level modules the rasa/rasa-sdk image already has: rasa-sdk 3.6 and its dependencies.
SDK_IMAGE_PROVIDES = {
    "rasa_sdk",
    "sanic",
    "sanic_cors",
    "coloredlogs",
    "pluggy",
    "prompt_toolkit",
    "ruamel",
    "typing_extensions",
    "websockets",
    "setuptools",
    "wheel",
    "pkg_resources",
}
# Import name -> pip name, where they differ.
PIP_NAMES = {
    "yaml": "pyyaml",
    "dateutil": "python-dateutil",
    "text_to_num": "text2num",
    "dotenv": "python-dotenv",
    "PIL": "pillow",
}


# ---------------------------------------------------------------- reading the files


def read(relative: str) -> str:
    path = ROOT / relative
    assert path.is_file(), f"{relative} is missing"
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose() -> dict:
    data = yaml.safe_load(read("docker-compose.yml"))
    assert isinstance(data, dict), "docker-compose.yml is not a YAML mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    assert isinstance(compose.get("services"), dict), "docker-compose.yml has no services"
    return compose["services"]


@pytest.fixture(scope="module")
def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in read("Procfile").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        processes[name.strip()] = shlex.split(command)
    assert processes, "the Procfile declares no process"
    return processes


@pytest.fixture(scope="module")
def endpoints() -> dict:
    return yaml.safe_load(read("docker/endpoints.yml"))


@pytest.fixture(scope="module")
def local_endpoints() -> dict:
    return yaml.safe_load(read("endpoints.yml"))


def dockerfile_instructions(relative: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines, pending = [], ""
    for raw in read(relative).splitlines():
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        lines.append(pending + raw)
        pending = ""
    instructions = []
    for line in lines:
        keyword, _, rest = line.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """CMD/ENTRYPOINT arguments as argv: JSON exec form, or shell form run by /bin/sh -c."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return ["/bin/sh", "-c", arguments]


def dockerfile_cmd(relative: str) -> list[str]:
    cmds = [args for keyword, args in dockerfile_instructions(relative) if keyword == "CMD"]
    assert cmds, f"{relative} has no CMD"
    return exec_form(cmds[-1])


def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict((item.split("=", 1) + [None])[:2] for item in env)
    return {key: None if value is None else str(value) for key, value in env.items()}


def with_defaults(value: str) -> str:
    """What compose makes of a value when the caller's environment sets nothing:
    `${VAR:-default}` becomes default (nested too), a required `${VAR:?msg}` becomes <VAR>."""
    pattern = re.compile(r"\$\{(\w+)(?:(:?[-?])([^${}]*))?\}")

    def substitute(match: re.Match) -> str:
        name, operator, rest = match.groups()
        if operator in (":-", "-"):
            return rest
        return f"<{name}>"

    previous = None
    while previous != value:
        previous, value = value, pattern.sub(substitute, value)
    return value.replace("$$", "$")


def effective_command(service: dict) -> list[str]:
    """The service's command, or the CMD of the image it builds."""
    command = service.get("command")
    if command is not None:
        return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    build = service.get("build")
    assert build, "a service without `command` must build an image whose CMD is checked"
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    context = build if isinstance(build, str) else build.get("context", ".")
    return dockerfile_cmd(str(Path(context) / dockerfile))


def invocations(argv: list[str]) -> list[tuple[str, list[str]]]:
    """(program, arguments) for each command in argv, whatever wraps it:
    `VAR=x path/to/python -m module args`, `path/to/rasa args`, `sh -c "a && b"`,
    and the rasa-sdk image's `start args` (its entrypoint runs `python -m rasa_sdk args`)."""
    if len(argv) >= 3 and Path(argv[0]).name in {"sh", "bash"} and argv[1] == "-c":
        found = []
        for part in re.split(r"&&|\|\||;", argv[2]):
            found += invocations(shlex.split(part))
        return found
    argv = list(argv)
    while argv and re.fullmatch(r"\w+=.*", argv[0]):
        argv.pop(0)
    if not argv:
        return []
    if argv[0] == "start":
        return [("rasa_sdk", argv[1:])]
    if Path(argv[0]).name.startswith("python") and len(argv) >= 3 and argv[1] == "-m":
        return [(argv[2], argv[3:])]
    return [(Path(argv[0]).name, argv[1:])]


def positionals(arguments: list[str]) -> list[str]:
    """Arguments that are neither flags nor flag values (e.g. `run`, `serve`)."""
    flags = options(arguments)
    values = {value for value in flags.values() if isinstance(value, str)}
    result, skip = [], False
    for token in arguments:
        if skip:
            skip = False
            continue
        if token.startswith("-"):
            skip = "=" not in token and isinstance(flags.get(token), str)
            continue
        if token not in values:
            result.append(token)
    return result


def scalars(node: object) -> list[str]:
    """Every scalar in a parsed YAML document, as text (comments are already gone)."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in scalars(value)]
    if isinstance(node, list):
        return [text for value in node for text in scalars(value)]
    return [] if node is None else [str(node)]


def published_container_ports(service: dict) -> set[int]:
    ports = set()
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def exposed_ports(service: dict) -> set[int]:
    return {int(str(entry).split("/")[0]) for entry in service.get("expose") or []}


def web_port(procfile: dict[str, list[str]]) -> int:
    """The Procfile's --port for web, else the default of `amicable serve`."""
    (_, arguments), *_ = [call for call in invocations(procfile["web"]) if call[0] == "amicable"]
    if "--port" in options(arguments):
        return int(options(arguments)["--port"])
    match = re.search(r"def serve\([^)]*\bport:\s*int\s*=\s*(\d+)", read("amicable/cli.py"))
    assert match, "cannot find the default port of `amicable serve` in amicable/cli.py"
    return int(match.group(1))


def pins(relative: str) -> dict[str, str]:
    """name -> version for `name==version` lines, other requirement lines -> their specifier."""
    found = {}
    for line in read(relative).splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)", line)
        if match:
            found[match.group(1).lower()] = match.group(2).strip()
    return found


# ---------------------------------------------------------------- compose shape


def test_compose_is_the_compose_spec_with_the_five_services(compose: dict, services: dict) -> None:
    assert "version" not in compose, "the Compose spec has no `version:` key"
    assert set(services) >= SERVICES, f"missing services: {sorted(SERVICES - set(services))}"


def test_every_procfile_process_is_a_compose_service(procfile: dict, services: dict) -> None:
    missing = sorted(set(procfile) - set(services))
    assert not missing, f"Procfile processes without a compose service: {missing}"


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_every_service_has_a_healthcheck(services: dict, name: str) -> None:
    check = services[name].get("healthcheck") or {}
    assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
    assert check["test"] != ["NONE"], f"{name} disables its healthcheck"


def test_start_order_waits_for_healthy_datastores(services: dict) -> None:
    needs = {name: ("postgres", "redis") for name in ("web", "rasa", "worker", "scheduler")}
    needs["migrate"] = ("postgres",)
    for name, stores in needs.items():
        depends = services[name].get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for store in stores:
            condition = (depends.get(store) or {}).get("condition")
            assert condition == "service_healthy", f"{name} must wait for {store} to be healthy"


def test_migrations_run_once_before_any_app_process(services: dict) -> None:
    """One one-shot `migrate` (the app image, `python -m amicable migrate`, on the app's
    database); web, worker and scheduler start only once it has exited successfully, and none
    of them migrates itself (two replicas starting together would race on the same step)."""
    migrate = services["migrate"]
    assert invocations(effective_command(migrate)) == [("amicable", ["migrate"])]
    assert migrate["build"] == services["web"]["build"], "migrate must run the app image"
    assert str(migrate.get("restart", "no")) == "no", "a one-shot step is not restarted"
    web_database = with_defaults(environment(services["web"])["DATABASE_URL"])
    assert with_defaults(environment(migrate)["DATABASE_URL"]) == web_database
    for name in APP_PROCESSES:
        depends = services[name].get("depends_on") or {}
        condition = (depends.get("migrate") or {}).get("condition")
        assert condition == "service_completed_successfully", f"{name} must wait for migrate to succeed"
        assert ("amicable", ["migrate"]) not in invocations(effective_command(services[name])), name


# ---------------------------------------------------------------- ports


@pytest.mark.parametrize("name", INTERNAL)
def test_bot_processes_are_not_published(services: dict, name: str) -> None:
    assert "ports" not in services[name], f"{name} must only be exposed to the compose network"


def test_web_publishes_its_port(services: dict, procfile: dict) -> None:
    port = web_port(procfile)
    assert f"{port}:{port}" in [str(entry) for entry in services["web"].get("ports") or []]
    assert port in published_container_ports(services["web"])
    exposes = [args for keyword, args in dockerfile_instructions("Dockerfile") if keyword == "EXPOSE"]
    assert str(port) in " ".join(exposes).split(), f"Dockerfile should EXPOSE {port}"


@pytest.mark.parametrize("name", INTERNAL)
def test_bot_processes_expose_the_procfile_port(services: dict, procfile: dict, name: str) -> None:
    (_, local_args), *_ = invocations(procfile[name])
    port = int(options(local_args)["--port"])
    (_, container_args), *_ = invocations(effective_command(services[name]))
    assert int(options(container_args).get("--port", 0)) == port, f"{name} should listen on {port}"
    assert port in exposed_ports(services[name]), f"{name} should `expose` {port}"


# ---------------------------------------------------------------- commands


def test_rasa_command_matches_the_procfile(services: dict, procfile: dict) -> None:
    (local_program, local_args), *_ = invocations(procfile["rasa"])
    assert local_program == "rasa"
    # The rasa image's entrypoint is `rasa`, so the compose command starts at the subcommand.
    container_args = effective_command(services["rasa"])
    assert positionals(container_args)[:1] == positionals(local_args)[:1] == ["run"]
    local, container = options(local_args), options(container_args)
    for flag, value in local.items():
        if flag in DIFFERS_IN_CONTAINER:
            continue
        assert container.get(flag) == value, f"rasa {flag}: Procfile {value!r}, compose {container.get(flag)!r}"
    assert container.get("--interface", "0.0.0.0") == "0.0.0.0", "rasa must listen beyond localhost"


def rasa_image_files(services: dict) -> dict[str, str]:
    """Container path -> repository path of what the rasa service's image copies in and its
    compose file mounts (a folder ends with "/")."""
    build = services["rasa"].get("build") or {}
    assert build, "the rasa service must build its image (docker/rasa.Dockerfile)"
    image = read_image(build["dockerfile"], ROOT / build.get("context", "."))
    files = {}
    for copy in image.copies:
        for source in copy.sources:
            into_folder = copy.destination.endswith("/") or len(copy.sources) > 1
            name = Path(source.rstrip("/")).name
            target = copy.destination.rstrip("/") + ("/" + name if into_folder and not source.endswith("/") else "")
            files[target + ("/" if source.endswith("/") else "")] = source
    for volume in services["rasa"].get("volumes") or []:
        source, target = str(volume).split(":")[:2]
        files[target] = source.removeprefix("./")
    return files


def test_rasa_image_has_the_files_its_command_reads(services: dict) -> None:
    container = options(effective_command(services["rasa"]))
    files = rasa_image_files(services)
    workdir = "/app"  # rasa/rasa images run from /app, and docker/rasa.Dockerfile keeps it
    assert files.get(f"{workdir}/{container['--endpoints']}") == "docker/endpoints.yml"
    assert files.get(f"{workdir}/{container['--credentials']}") == container["--credentials"]
    assert files.get(f"{workdir}/{container['--model']}") == container["--model"], (
        "the trained model must be in the image"
    )


def test_rasa_image_has_the_code_its_model_and_credentials_name(services: dict) -> None:
    """config.yml's components and credentials.yml's channels are class paths; the model loads
    them by name at start, so their modules, and the project modules those import, must be in
    the image (the official one has none of them)."""
    config, credentials = yaml.safe_load(read("config.yml")), yaml.safe_load(read("credentials.yml"))
    named = [entry["name"] for key in ("pipeline", "policies") for entry in config.get(key) or []]
    named += list(credentials or {})
    modules = {name.rsplit(".", 1)[0] for name in named if "." in name}
    assert "bot.components.linear_intent" in modules, f"config.yml names {sorted(modules)}"
    needed, pending = set(), sorted(modules)
    while pending:
        module = pending.pop()
        path = module.replace(".", "/") + ".py"
        if module in needed or not (ROOT / path).exists():
            continue
        needed.add(module)
        text = read(path)
        for found in re.findall(r"^\s*from\s+(bot(?:\.\w+)*)\s+import\s+([\w, ]+)", text, re.M):
            base, names = found
            pending += [base] + [f"{base}.{n.strip()}" for n in names.split(",")]
        pending += re.findall(r"^\s*import\s+(bot(?:\.\w+)+)", text, re.M)
    copied = set(rasa_image_files(services).values())
    missing = sorted(
        module for module in needed if not any(brings(source, module.replace(".", "/") + ".py") for source in copied)
    )
    assert not missing, f"docker/rasa.Dockerfile does not copy {missing}"


def test_actions_command_matches_the_procfile(services: dict, procfile: dict) -> None:
    (local_program, local_args), *_ = invocations(procfile["actions"])
    (program, container_args), *_ = invocations(effective_command(services["actions"]))
    assert local_program == program == "rasa_sdk"
    local, container = options(local_args), options(container_args)
    for flag in ("--actions", "--port"):
        assert container.get(flag) == local.get(flag), f"actions {flag}: Procfile {local.get(flag)!r}"
    # The Procfile pins SANIC_HOST to 127.0.0.1 for a laptop; in a container that hides the server.
    assert environment(services["actions"]).get("SANIC_HOST") in (None, "0.0.0.0")


def test_web_command_serves_like_the_procfile(services: dict, procfile: dict) -> None:
    local = [call for call in invocations(procfile["web"]) if call[0] == "amicable"]
    assert local, "the Procfile's web process no longer runs `python -m amicable`"
    calls = invocations(effective_command(services["web"]))
    assert calls and calls[-1] == local[-1], f"web should end by running amicable {' '.join(local[-1][1])}"


# ---------------------------------------------------------------- images


def test_images_match_the_local_rasa_environment(services: dict) -> None:
    requirements = pins("requirements/rasa.txt")
    rasa_version = requirements["rasa"].removeprefix("==")
    sdk_minor = ".".join(requirements["rasa-sdk"].removeprefix("==").split(".")[:2])
    rasa_build = services["rasa"]["build"]
    rasa_bases = [
        args.split()[0] for keyword, args in dockerfile_instructions(rasa_build["dockerfile"]) if keyword == "FROM"
    ]
    assert rasa_bases and re.fullmatch(rf"rasa/rasa:{re.escape(rasa_version)}(-\w+)?", rasa_bases[-1]), rasa_bases
    bases = [
        args.split()[0] for keyword, args in dockerfile_instructions("docker/actions.Dockerfile") if keyword == "FROM"
    ]
    assert bases and re.fullmatch(rf"rasa/rasa-sdk:{re.escape(sdk_minor)}\.\d+", bases[-1]), bases


def actions_pip_installs() -> str:
    """The arguments of every `pip install` in the actions image, lower-cased, unquoted."""
    runs = [
        args
        for keyword, args in dockerfile_instructions("docker/actions.Dockerfile")
        if keyword == "RUN" and "pip install" in args
    ]
    return " ".join(runs).lower().replace('"', "").replace("'", "")


def test_actions_image_installs_the_extra_action_dependencies() -> None:
    installs = actions_pip_installs().split()
    extras = {name: spec for name, spec in pins("requirements/rasa.txt").items() if name not in ("rasa", "rasa-sdk")}
    missing = sorted(
        f"{name}{spec}" for name, spec in extras.items() if f"{name}{spec}".replace(" ", "") not in installs
    )
    assert not missing, f"docker/actions.Dockerfile should pip install {missing} (as requirements/rasa.txt says)"


def test_actions_image_has_every_module_the_actions_import() -> None:
    """Locally the action server shares .venv-rasa with rasa and gets its libraries for free;
    the rasa-sdk image has only rasa-sdk's own dependencies."""
    imported = set()
    for source in sorted((ROOT / "actions").rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        imported |= set(re.findall(r"^\s*import\s+(\w+)", text, re.M))
        imported |= set(re.findall(r"^\s*from\s+(\w+)[\w.]*\s+import\b", text, re.M))
    copied = set(re.findall(r"^COPY\s+(\w+)/", (ROOT / "docker" / "actions.Dockerfile").read_text(), re.M))
    third_party = imported - set(sys.stdlib_module_names) - {"__future__", "actions"} - SDK_IMAGE_PROVIDES - copied
    installs = actions_pip_installs()
    missing = sorted(
        module
        for module in third_party
        if not re.search(rf"(?<![\w-]){re.escape(PIP_NAMES.get(module, module))}(?![\w-])", installs)
    )
    assert not missing, f"actions/ imports {missing}, which docker/actions.Dockerfile does not install"


def test_app_image_runs_unprivileged_with_the_app_files() -> None:
    instructions = dockerfile_instructions("Dockerfile")
    assert [args for keyword, args in instructions if keyword == "FROM"][-1].startswith("python:3.11-slim")
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the app image must not run as root"
    copied = " ".join(args for keyword, args in instructions if keyword in ("COPY", "ADD"))
    for needed in ("requirements/app.txt", "amicable/", "migrations/", "alembic.ini", "policies/"):
        assert needed in copied, f"Dockerfile does not copy {needed}"
    assert any(keyword == "HEALTHCHECK" for keyword, _ in instructions)


# Import names of the tools only the development environment has (requirements/dev.txt).
DEV_ONLY_MODULES = {"hypothesis", "pytest", "playwright", "schemathesis", "ruff", "importlinter", "kubernetes_validate"}


def test_app_image_installs_no_test_tools_and_the_app_needs_none() -> None:
    """The image installs requirements/app.txt; the test, lint and benchmark tools are in
    dev.txt, which includes app.txt for the development environment. No module the image
    copies may import one of them (it would fail in the image and nowhere else)."""
    runtime, dev = pins("requirements/app.txt"), pins("requirements/dev.txt")
    assert "-r" in dev and dev["-r"] == "app.txt", "dev.txt should include app.txt"
    tools = set(dev) - {"-r"}
    assert {"pytest", "hypothesis", "schemathesis", "playwright", "ruff"} <= tools
    assert not tools & set(runtime), f"the app image would install test tools: {sorted(tools & set(runtime))}"
    installs = " ".join(args for keyword, args in dockerfile_instructions("Dockerfile") if keyword == "RUN")
    assert "requirements/app.txt" in installs and "dev.txt" not in installs
    offenders = []
    for package in ("amicable", "api", "channels", "web", "server"):
        for source in sorted((ROOT / package).rglob("*.py")):
            text = source.read_text(encoding="utf-8")
            imported = set(re.findall(r"^\s*import\s+(\w+)", text, re.M))
            imported |= set(re.findall(r"^\s*from\s+(\w+)[\w.]*\s+import\b", text, re.M))
            offenders += [f"{source.relative_to(ROOT)}: {module}" for module in sorted(imported & DEV_ONLY_MODULES)]
    assert not offenders, f"the app imports development tools: {offenders}"


# ---------------------------------------------------------------- environment


def test_web_environment_has_every_setting(services: dict) -> None:
    names = settings_env_names()
    assert "DATABASE_URL" in names, f"the settings regex found only {sorted(names)}"
    missing = sorted(names - set(environment(services["web"])))
    assert not missing, f"settings the web service does not pass on: {missing}"


def test_web_environment_points_at_the_compose_services(services: dict, procfile: dict) -> None:
    env = environment(services["web"])
    for secret in (
        "AMICABLE_API_KEY",
        "AMICABLE_ACTIONS_KEY",
        "AMICABLE_LINK_SECRET",
        "STRIPE_API_KEY",
        "STRIPE_WEBHOOK_SECRET",
    ):
        assert env[secret] and ":?" in env[secret], f"{secret} must be required"
    assert env["AMICABLE_DEMO"] == "false", "production never runs the demo"
    (_, rasa_args), *_ = invocations(procfile["rasa"])
    assert with_defaults(env["RASA_URL"]).rstrip("/") == f"http://rasa:{options(rasa_args)['--port']}"
    database = urlsplit(with_defaults(env["DATABASE_URL"]))
    assert database.hostname == "postgres"
    assert database.path.lstrip("/") == environment(services["postgres"]).get("POSTGRES_DB")


def test_actions_environment_reaches_the_web_service(services: dict, procfile: dict) -> None:
    env = environment(services["actions"])
    assert with_defaults(env["AMICABLE_API_URL"]).rstrip("/") == f"http://web:{web_port(procfile)}"
    assert env.get("AMICABLE_ACTIONS_KEY"), "the action server needs its own AMICABLE_ACTIONS_KEY"
    assert "AMICABLE_API_KEY" not in env, "the action server never holds the admin key"


def test_the_web_reads_the_risk_models_the_scheduler_writes(services: dict) -> None:
    """The outreach plan (API and pages, in web) and the campaign runs (scheduler) weigh the
    same late-payment models: one volume at RISK_MODELS_DIR, which the image owns."""
    mounts = {}
    for name in ("web", "scheduler"):
        folder = with_defaults(environment(services[name])["RISK_MODELS_DIR"])
        mounted = [str(v).split(":") for v in services[name].get("volumes") or [] if str(v).split(":")[1] == folder]
        assert mounted, f"{name} keeps RISK_MODELS_DIR ({folder}) in no volume"
        mounts[name] = mounted[0]
    assert mounts["web"][0] == mounts["scheduler"][0], mounts
    assert mounts["scheduler"][2:] != ["ro"], "the scheduler trains the models: its mount must be writable"
    made = " ".join(args for keyword, args in dockerfile_instructions("Dockerfile") if keyword == "RUN")
    assert f"mkdir -p {mounts['web'][1]}" in made, "the image must own the folder a fresh volume copies"


def test_rasa_api_needs_a_token_in_both(services: dict, procfile: dict) -> None:
    (_, local_args), *_ = invocations(procfile["rasa"])
    container = options(effective_command(services["rasa"]))
    assert options(local_args).get("--auth-token") == "$RASA_TOKEN"
    assert "RASA_TOKEN" in container.get("--auth-token", "") and ":?" in container["--auth-token"]


def test_rasa_token_is_one_argument_everywhere(services: dict, procfile: dict) -> None:
    """A random token may begin with "-"; given as its own argument, Rasa's argparse would read
    it as an option and exit ("expected one argument"), one start in 64."""
    (_, local_args), *_ = invocations(procfile["rasa"])
    assert any(arg.startswith("--auth-token=") for arg in local_args)
    assert any(arg.startswith("--auth-token=") for arg in effective_command(services["rasa"]))
    # The end-to-end stack (tests/conftest.py) always starts Rasa with a token beginning "-".


# ---------------------------------------------------------------- Rasa endpoints and databases


def test_production_endpoints_use_shared_stores(endpoints: dict) -> None:
    tracker, lock = endpoints.get("tracker_store") or {}, endpoints.get("lock_store") or {}
    assert str(tracker.get("type")).upper() == "SQL"
    assert tracker.get("dialect") == "postgresql"
    assert str(lock.get("type")).lower() == "redis"


def test_production_action_endpoint_matches_the_local_one(
    endpoints: dict, local_endpoints: dict, procfile: dict
) -> None:
    (_, actions_args), *_ = invocations(procfile["actions"])
    production, local = endpoints["action_endpoint"], local_endpoints["action_endpoint"]
    url = urlsplit(production["url"])
    assert (url.hostname, url.port) == ("actions", int(options(actions_args)["--port"]))
    assert url.path == urlsplit(local["url"]).path
    assert {k: v for k, v in production.items() if k != "url"} == {k: v for k, v in local.items() if k != "url"}


def test_rasa_gets_every_variable_its_endpoints_use(services: dict, endpoints: dict) -> None:
    # Rasa refuses to start when a ${VAR} in endpoints.yml is unset.
    used = set(re.findall(r"\$\{(\w+)\}", " ".join(scalars(endpoints))))
    env = environment(services["rasa"])
    missing = sorted(name for name in used if not env.get(name))
    assert not missing, f"the rasa service does not set {missing}"
    assert "SANIC_WORKERS" in env


def test_postgres_creates_both_databases(services: dict, endpoints: dict) -> None:
    postgres = services["postgres"]
    assert postgres["image"].split(":")[0] == "postgres"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(str(volume).split(":")[1] == "/var/lib/postgresql/data" for volume in postgres["volumes"])
    created = {environment(postgres).get("POSTGRES_DB")}
    for volume in postgres["volumes"]:
        source, target = str(volume).split(":")[:2]
        if target.startswith("/docker-entrypoint-initdb.d/"):
            assert source.startswith("./docker/"), "init scripts belong under docker/"
            created |= set(re.findall(r"create\s+database\s+\"?(\w+)", read(source), re.I))
    assert endpoints["tracker_store"]["db"] in created, "Rasa's tracker database is never created"


def test_redis_is_checked_with_ping(services: dict) -> None:
    assert services["redis"]["image"].split(":")[0] == "redis"
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]


def test_rasa_is_healthy_only_once_its_model_is_loaded(services: dict) -> None:
    """`/` answers "Hello from Rasa" before any model is loaded; `/status` (with the token)
    names the model file only once it is."""
    check = " ".join(services["rasa"]["healthcheck"]["test"])
    assert "/status?token=" in check and "RASA_TOKEN" in check and "model_file" in check


def test_the_local_bot_keeps_its_conversations_in_a_sql_store() -> None:
    """`make run`'s Rasa (Procfile, endpoints.yml) keeps trackers in SQLite under var/, so a
    restarted bot goes on where each conversation was (tests/e2e/test_restarts.py)."""
    local = yaml.safe_load(read("endpoints.yml"))
    assert local["tracker_store"] == {"type": "SQL", "dialect": "sqlite", "db": "var/rasa-tracker.db"}
    assert "--endpoints endpoints.yml" in read("Procfile")


def test_the_dispatch_bench_measures_a_worker_as_deployed(services: dict) -> None:
    """`make bench`'s dispatch figure is that of the worker compose, the Kubernetes manifests
    and `make run-scaled` start: the same concurrency."""
    from amicable.runtime import scaled
    from amicable.runtime.bench_campaign import WORKER_CONCURRENCY

    deployed = {
        "compose": " ".join(services["worker"]["command"]),
        "k8s": read("deploy/k8s/worker.yaml"),
        "run-scaled": inspect.getsource(scaled),
    }
    for where, text in deployed.items():
        assert f"--concurrency={WORKER_CONCURRENCY}" in text, where
