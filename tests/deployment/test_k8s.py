"""The Kubernetes manifests (deploy/k8s/) describe the same stack as docker-compose.yml, the
Procfile and amicable/settings.py, scaled out, and are valid Kubernetes.

No cluster and no kubectl: the kustomization is rendered here (its `resources:`, `namespace:`
and `images:`, the only fields it uses; any other field fails the render rather than being
ignored), every document is validated offline with kubernetes-validate against the schemas it
ships, strictly (an unknown field fails), and the topology is compared with the files the
processes really read. Each check is a function returning its problems, so the tests at the end
feed it a broken copy of the manifests and expect it to complain.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from amicable.settings import Settings
from tests.deployment.commands import options, settings_env_names

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SECRET_TEMPLATE = K8S / "secret.template.yaml"
# Applied by hand, never by `kubectl apply -k`: validated and checked all the same.
BY_HAND = (K8S / "restore.pod.yaml",)

# Validated against the oldest Kubernetes the manifests target (CronJob's timeZone is GA from
# 1.27) and the newest schema kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.30", "1.37")

# The processes and how many of each: web, Rasa and the action server scaled out, the scheduler
# alone (it has no leader election), the workers free to scale.
REPLICAS = {"web": 2, "rasa": 2, "actions": 2, "scheduler": 1}
APP_PROCESSES = ("web", "worker", "scheduler")
# Images whose ENTRYPOINT is the program (rasa/rasa: `rasa`; rasa/rasa-sdk: its start script):
# their compose `command` is a Kubernetes `args`. The app image has no ENTRYPOINT.
ENTRYPOINT_IMAGES = {"amicable-rasa", "amicable-actions"}
IMAGES = {
    "web": "amicable-web",
    "worker": "amicable-web",
    "scheduler": "amicable-web",
    "migrate": "amicable-web",
    "rasa": "amicable-rasa",
    "actions": "amicable-actions",
}
# Who opens connections to whom (compose's network allowed all of these and nothing needs
# more): the gateway in web asks Rasa, Rasa calls the action server, the app's processes,
# the migrations and the backups use PostgreSQL, Rasa keeps its trackers there and its locks
# in Redis.
CONNECTIONS = {
    "rasa": {"web"},
    "actions": {"rasa"},
    "postgres": {"web", "worker", "scheduler", "migrate", "rasa", "backup"},
    "redis": {"web", "worker", "scheduler", "rasa"},
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}
RENDERED_FIELDS = {"apiVersion", "kind", "namespace", "resources", "images"}
COMPONENT = "app.kubernetes.io/component"


# ---------------------------------------------------------------- reading the repository


def read(relative: str) -> str:
    path = ROOT / relative
    assert path.is_file(), f"{relative} is missing"
    return path.read_text(encoding="utf-8")


def yaml_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def dockerfile_instructions(relative: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for raw in read(relative).splitlines():
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        keyword, _, rest = (pending + raw).strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def dockerfile_cmd(relative: str) -> list[str]:
    cmds = [args for keyword, args in dockerfile_instructions(relative) if keyword == "CMD"]
    assert cmds, f"{relative} has no CMD"
    return json.loads(cmds[-1]) if cmds[-1].startswith("[") else ["/bin/sh", "-c", cmds[-1]]


def compose_command(service: dict) -> list[str]:
    """What a compose service runs: its `command`, else the CMD of the image it builds."""
    if service.get("command") is not None:
        command = service["command"]
        return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    build = service.get("build")
    assert build, "a compose service without `command` must build an image whose CMD is checked"
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    return dockerfile_cmd(str(Path(context) / dockerfile))


def as_kubernetes(argument: str) -> str:
    """Compose's `${NAME}`, `${NAME:?message}` or `${NAME:-default}` written as Kubernetes
    writes an environment reference in a command: `$(NAME)`."""
    return re.sub(r"\$\{(\w+)(?::?[-?][^}]*)?\}", r"$(\1)", argument)


def invocation(argv: list[str]) -> tuple[str, list[str]]:
    """(program, arguments), whatever wraps it: `VAR=x path/python -m module args`."""
    argv = list(argv)
    while argv and re.fullmatch(r"\w+=.*", argv[0]):
        argv.pop(0)
    if Path(argv[0]).name.startswith("python") and len(argv) >= 3 and argv[1] == "-m":
        return argv[2], argv[3:]
    return Path(argv[0]).name, argv[1:]


@dataclass(frozen=True)
class Sources:
    """What the processes really run and read, from the repository's own files."""

    compose: dict[str, dict]
    procfile: dict[str, list[str]]
    endpoints: dict
    # docker/rasa.Dockerfile: where each COPY puts a file, relative to the image's /app.
    rasa_image_files: dict[str, str]
    postgres_init_sql: str
    settings: set[str] = field(default_factory=settings_env_names)

    @property
    def endpoint_variables(self) -> set[str]:
        return set(re.findall(r"\$\{(\w+)\}", yaml.safe_dump(self.endpoints)))


@cache
def load_sources() -> Sources:
    compose = yaml.safe_load(read("docker-compose.yml"))["services"]
    procfile = {}
    for line in read("Procfile").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            procfile[name.strip()] = shlex.split(command)
    instructions = dockerfile_instructions("docker/rasa.Dockerfile")
    workdir = "/app"
    copies = {}
    for keyword, arguments in instructions:
        if keyword == "WORKDIR":
            workdir = arguments
        elif keyword == "COPY":
            *sources, target = [part for part in arguments.split() if not part.startswith("--")]
            for source in sources:
                destination = target if target.startswith("/") else f"{workdir.rstrip('/')}/{target}"
                if destination.endswith("/") and not source.endswith("/"):
                    destination += Path(source).name  # a file copied into a directory
                path = Path(destination)
                if path.is_relative_to("/app"):
                    copies[str(path.relative_to("/app"))] = source.rstrip("/")
    return Sources(
        compose=compose,
        procfile=procfile,
        endpoints=yaml.safe_load(read("docker/endpoints.yml")),
        rasa_image_files=copies,
        postgres_init_sql=read("docker/postgres-init.sql"),
    )


# ---------------------------------------------------------------- rendering the kustomization


def render(directory: Path) -> list[dict]:
    """The documents `kubectl apply -k directory` would send, for the fields used here."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - RENDERED_FIELDS
    assert not unknown, f"kustomization.yaml uses {sorted(unknown)}, which this renderer does not apply"
    documents: list[dict] = []
    for entry in kustomization.get("resources") or []:
        path = directory / entry
        assert path.exists(), f"kustomization.yaml lists {entry}, which does not exist"
        documents += render(path) if path.is_dir() else yaml_documents(path)
    namespace = kustomization.get("namespace")
    images = {image["name"]: image for image in kustomization.get("images") or []}
    for document in documents:
        if namespace and document.get("kind") not in CLUSTER_SCOPED:
            document.setdefault("metadata", {})["namespace"] = namespace
        for container in all_containers(document):
            container["image"] = set_image(container.get("image", ""), images)
    return documents


def set_image(image: str, images: dict[str, dict]) -> str:
    """Kustomize's images transformer: match on the name without tag or digest."""
    name, tag = re.match(r"^(.*?)((?::[\w.\-]+)?(?:@sha256:[0-9a-f]+)?)$", image).groups()
    override = images.get(name)
    if not override:
        return image
    name = override.get("newName", name)
    if "digest" in override:
        return f"{name}@{override['digest']}"
    return f"{name}:{override['newTag']}" if "newTag" in override else name + tag


def pod_template(document: dict) -> dict | None:
    """The pod a workload makes (metadata and spec); a Pod is its own."""
    kind, spec = document.get("kind"), document.get("spec") or {}
    if kind == "Pod":
        return document
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        return spec.get("template")
    if kind == "CronJob":
        return spec.get("jobTemplate", {}).get("spec", {}).get("template")
    return None


def pod_spec(document: dict) -> dict | None:
    template = pod_template(document)
    return template.get("spec") if template else None


def env_value(container: dict, name: str) -> str:
    return next((str(v.get("value", "")) for v in container.get("env") or [] if v["name"] == name), "")


def all_containers(document: dict) -> list[dict]:
    spec = pod_spec(document) or {}
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


@dataclass
class Manifests:
    """The rendered documents, the Secret template and the pods applied by hand beside them,
    and the kustomization."""

    documents: list[dict]
    secret_template: dict
    kustomization: dict
    by_hand: list[dict] = field(default_factory=list)

    @property
    def everything(self) -> list[dict]:
        return [*self.documents, *self.by_hand]

    def find(self, kind: str, name: str) -> dict:
        matches = [d for d in self.documents if d["kind"] == kind and d["metadata"]["name"] == name]
        assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
        return matches[0]

    def of_kind(self, *kinds: str) -> list[dict]:
        return [d for d in self.documents if d["kind"] in kinds]

    def container(self, kind: str, name: str, container: str | None = None) -> dict:
        spec = pod_spec(self.find(kind, name)) or {}
        wanted = container or name
        found = [c for c in spec.get("containers") or [] if c["name"] == wanted]
        assert found, f"{kind} {name} has no container {wanted}"
        return found[0]

    @property
    def config(self) -> dict[str, str]:
        return {key: str(value) for key, value in (self.find("ConfigMap", "amicable-config").get("data") or {}).items()}

    @property
    def secret_keys(self) -> dict[str, str]:
        data = {**(self.secret_template.get("data") or {}), **(self.secret_template.get("stringData") or {})}
        return {key: "" if value is None else str(value) for key, value in data.items()}


@cache
def load_manifests() -> Manifests:
    (template,) = yaml_documents(SECRET_TEMPLATE)
    return Manifests(
        documents=render(K8S),
        secret_template=template,
        kustomization=yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8")),
        by_hand=[document for path in BY_HAND for document in yaml_documents(path)],
    )


@pytest.fixture
def manifests() -> Manifests:
    """A fresh copy each time: the tests that break a check mutate it."""
    return copy.deepcopy(load_manifests())


@pytest.fixture
def sources() -> Sources:
    return copy.deepcopy(load_sources())


# ---------------------------------------------------------------- the checks


def schema_problems(document: dict, version: str) -> list[str]:
    """kubernetes-validate, strict: a field the schema does not have is an error, and so is a
    kind it has no schema for (a typo in apiVersion or kind)."""
    label = f"{document.get('kind')} {document.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path)
        return [f"{label}: {path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{label}: {error.message}"]
    return []


def environment_problems(m: Manifests, s: Sources) -> list[str]:
    """Every name in the ConfigMap and the Secret is one the app reads (a field of Settings) or
    one Rasa's endpoints read; every setting is named in one or the other; no name is in both."""
    allowed = s.settings | s.endpoint_variables
    problems = [
        f"ConfigMap amicable-config: {key} is neither a setting nor an endpoints variable"
        for key in sorted(set(m.config) - allowed)
    ]
    problems += [
        f"Secret template: {key} is neither a setting nor an endpoints variable"
        for key in sorted(set(m.secret_keys) - allowed)
    ]
    problems += [
        f"setting {name} is in neither the ConfigMap nor the Secret template"
        for name in sorted(s.settings - set(m.config) - set(m.secret_keys))
    ]
    problems += [f"{key} is in both the ConfigMap and the Secret" for key in sorted(set(m.config) & set(m.secret_keys))]
    return problems


def startup_problems(m: Manifests, secrets: dict[str, str]) -> list[str]:
    """What the app's own start-up check says of the ConfigMap's values with these secrets:
    the values must parse as the settings' types, and production must not refuse them."""
    try:
        # Only what the pod gets: nothing from the test process's environment or .env.
        with mock.patch.dict(os.environ, {**m.config, **secrets}, clear=True):
            settings = Settings(_env_file=None)
    except ValueError as error:
        return [f"the ConfigMap's values do not parse: {error}"]
    problems = list(settings.production_problems())
    if settings.amicable_demo:
        problems.append("AMICABLE_DEMO must be false in production")
    return problems


def filled_secrets(m: Manifests) -> dict[str, str]:
    """The template's keys with values of the shape production asks for; email stays off."""
    filled = {key: f"{key.lower()}-{'x' * 32}" for key in m.secret_keys}
    filled.update(STRIPE_WEBHOOK_SECRET="whsec_" + "y" * 32, SMTP_URL="")
    return filled


def secret_problems(m: Manifests, s: Sources) -> list[str]:
    """The template names every secret compose requires (`${NAME:?...}`), holds no value, is
    not applied by `kubectl apply -k` (it would blank the live one), and every reference to a
    Secret or ConfigMap key in the workloads names one that exists."""
    problems = []
    template = m.secret_template
    if template.get("kind") != "Secret":
        problems.append("secret.template.yaml is not a Secret")
    required = set(re.findall(r"\$\{(\w+):\?", read("docker-compose.yml")))
    problems += [
        f"the Secret template lacks {name}, which compose requires" for name in sorted(required - set(m.secret_keys))
    ]
    problems += [f"the Secret template holds a value for {key}" for key, value in m.secret_keys.items() if value]
    if SECRET_TEMPLATE.name in (m.kustomization.get("resources") or []):
        problems.append("secret.template.yaml is applied by the kustomization: it would blank the live Secret")
    for path in BY_HAND:
        if path.name in (m.kustomization.get("resources") or []):
            problems.append(f"{path.name} is applied by the kustomization; it is meant to be started by hand")
    secret_name, config_name = template["metadata"]["name"], "amicable-config"
    for document in m.everything:
        for container in all_containers(document):
            where = f"{document['kind']} {document['metadata']['name']}/{container['name']}"
            for source in container.get("envFrom") or []:
                for kind, known in (("secretRef", secret_name), ("configMapRef", config_name)):
                    if kind in source and source[kind]["name"] != known:
                        problems.append(f"{where}: envFrom {kind} {source[kind]['name']} does not exist")
            for variable in container.get("env") or []:
                reference = variable.get("valueFrom") or {}
                if "secretKeyRef" in reference:
                    ref = reference["secretKeyRef"]
                    if ref["name"] != secret_name or ref["key"] not in m.secret_keys:
                        problems.append(f"{where}: {variable['name']} refers to a missing secret key {ref['key']}")
                if "configMapKeyRef" in reference:
                    ref = reference["configMapKeyRef"]
                    if ref["name"] != config_name or ref["key"] not in m.config:
                        problems.append(f"{where}: {variable['name']} refers to a missing config key {ref['key']}")
    # The action server holds its own key and never the agency's.
    actions = m.container("Deployment", "actions")
    names = {variable["name"] for variable in actions.get("env") or []}
    if actions.get("envFrom") or "AMICABLE_API_KEY" in names:
        problems.append("the action server must get only AMICABLE_ACTIONS_KEY, never the whole Secret")
    if "AMICABLE_ACTIONS_KEY" not in names:
        problems.append("the action server needs AMICABLE_ACTIONS_KEY")
    return problems


def expected_command(process: str, s: Sources) -> list[str]:
    return [as_kubernetes(argument) for argument in compose_command(s.compose[process])]


def command_problems(m: Manifests, s: Sources) -> list[str]:
    """Each container runs what compose runs for its process (compose is kept in step with the
    Procfile by tests/test_deployment.py), and the Procfile's processes run as they do there."""
    problems = []
    workloads = {name: ("Deployment", name) for name in ("web", "worker", "scheduler", "rasa", "actions")}
    workloads["migrate"] = ("Job", "migrate")
    for process, (kind, name) in workloads.items():
        container = m.container(kind, name, process)
        expected = expected_command(process, s)
        if IMAGES[process] in ENTRYPOINT_IMAGES:
            if container.get("command"):
                problems.append(f"{process}: `command` would replace the image's entrypoint; use `args`")
            actual = container.get("args") or []
        else:
            actual = [*(container.get("command") or []), *(container.get("args") or [])]
        if actual != expected:
            problems.append(f"{process} runs {actual}, compose runs {expected}")
    for process in ("web", "scheduler"):
        container = m.container("Deployment", process)
        if invocation(container.get("command") or ["?"]) != invocation(s.procfile[process]):
            problems.append(f"{process} does not run the Procfile's {shlex.join(s.procfile[process])}")
    rasa_args = m.container("Deployment", "rasa").get("args") or []
    if "--auth-token=$(RASA_TOKEN)" not in rasa_args:
        problems.append(
            "rasa's token must be one argument (--auth-token=$(RASA_TOKEN)): a random one may start with '-'"
        )
    local = options(invocation(s.procfile["rasa"])[1])
    for flag in ("--port", "--model", "--endpoints", "--credentials", "--enable-api"):
        if options(rasa_args).get(flag) != local.get(flag):
            problems.append(f"rasa {flag}: Procfile {local.get(flag)!r}, Kubernetes {options(rasa_args).get(flag)!r}")
    actions_port = options(invocation(s.procfile["actions"])[1]).get("--port")
    if options(m.container("Deployment", "actions").get("args") or []).get("--port") != actions_port:
        problems.append(f"the action server must listen on the Procfile's port {actions_port}")
    return problems


def image_problems(m: Manifests) -> list[str]:
    """Each process runs its image, tagged through the kustomization's `images:`."""
    problems = []
    pinned = {image["name"]: image for image in m.kustomization.get("images") or []}
    for name in sorted(set(IMAGES.values())):
        if not (pinned.get(name) or {}).get("newTag") and not (pinned.get(name) or {}).get("digest"):
            problems.append(f"kustomization.yaml images: sets no tag for {name}")
    for process, image in IMAGES.items():
        kind = "Job" if process == "migrate" else "Deployment"
        expected = set_image(image, pinned)
        actual = m.container(kind, process, process)["image"]
        if actual != expected:
            problems.append(f"{process} runs {actual}, expected {expected} ({image} through images:)")
    for document in m.documents:
        for container in all_containers(document):
            image = container["image"]
            if (":" not in image.rsplit("/", 1)[-1] and "@" not in image) or image.endswith(":latest"):
                problems.append(f"{document['metadata']['name']}/{container['name']}: {image} has no fixed tag")
    return problems


def replica_problems(m: Manifests) -> list[str]:
    problems = []
    for name, wanted in REPLICAS.items():
        replicas = m.find("Deployment", name)["spec"].get("replicas", 1)
        if replicas != wanted:
            problems.append(f"{name} has {replicas} replicas, wanted {wanted}")
    strategy = (m.find("Deployment", "scheduler")["spec"].get("strategy") or {}).get("type")
    if strategy != "Recreate":
        problems.append("the scheduler must be replaced with Recreate: a rolling update runs two for a while")
    if m.find("Deployment", "worker")["spec"].get("replicas", 1) < 1:
        problems.append("no Celery worker")
    return problems


CPU = re.compile(r"^(\d+(?:\.\d+)?)(m?)$")
MEMORY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
MEMORY_UNITS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


def quantity(resource: str, value: object) -> float:
    text = str(value)
    if resource == "cpu":
        match = CPU.match(text)
        assert match, f"not a CPU quantity: {text}"
        return float(match.group(1)) / (1000 if match.group(2) else 1)
    match = MEMORY.match(text)
    assert match, f"not a memory quantity: {text}"
    return float(match.group(1)) * MEMORY_UNITS[match.group(2)]


def container_problems(m: Manifests) -> list[str]:
    """Every long-running container has readiness and liveness probes; every container,
    init and batch ones included, has CPU and memory requests within limits, and runs as a
    numeric non-root user without privilege escalation or capabilities (the namespace enforces
    the `restricted` Pod Security Standard)."""
    problems = []
    for document in m.everything:
        spec = pod_spec(document)
        if spec is None:
            continue
        pod_security = spec.get("securityContext") or {}
        long_running = document["kind"] in ("Deployment", "StatefulSet", "DaemonSet")
        for container in spec.get("containers") or []:
            where = f"{document['kind']} {document['metadata']['name']}/{container['name']}"
            if long_running:
                for probe in ("readinessProbe", "livenessProbe"):
                    if not container.get(probe):
                        problems.append(f"{where} has no {probe}")
        for container in all_containers(document):
            where = f"{document['kind']} {document['metadata']['name']}/{container['name']}"
            resources = container.get("resources") or {}
            for resource in ("cpu", "memory"):
                request = (resources.get("requests") or {}).get(resource)
                limit = (resources.get("limits") or {}).get(resource)
                if request is None or limit is None:
                    problems.append(f"{where} lacks a {resource} request or limit")
                elif quantity(resource, request) > quantity(resource, limit):
                    problems.append(f"{where}: {resource} request {request} is above its limit {limit}")
            security = {**pod_security, **(container.get("securityContext") or {})}
            if security.get("runAsNonRoot") is not True:
                problems.append(f"{where} does not set runAsNonRoot")
            if not isinstance(security.get("runAsUser"), int) or security["runAsUser"] == 0:
                problems.append(f"{where}: a numeric non-root runAsUser lets the kubelet check runAsNonRoot")
            if security.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where} must set allowPrivilegeEscalation: false")
            if "ALL" not in ((security.get("capabilities") or {}).get("drop") or []):
                problems.append(f"{where} must drop all capabilities")
            if (security.get("seccompProfile") or {}).get("type") not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{where} needs the RuntimeDefault seccomp profile")
    return problems


def compose_check_url(service: dict) -> tuple[int, str] | None:
    match = re.search(r"https?://localhost:(\d+)(/[^'\"?]*)", " ".join(service["healthcheck"]["test"]))
    return (int(match.group(1)), match.group(2)) if match else None


def container_port(container: dict, port: int | str) -> int | None:
    if isinstance(port, int):
        return port
    return next((p["containerPort"] for p in container.get("ports") or [] if p.get("name") == port), None)


def probe_problems(m: Manifests, s: Sources) -> list[str]:
    """The probes ask what compose's healthchecks ask: the same URL for web and the action
    server, the same command for Rasa (ready only once /status names a model) and the
    scheduler (its heartbeat), the same ping of this pod's own Celery worker."""
    problems = []
    for process in ("web", "actions"):
        url = compose_check_url(s.compose[process])
        if url is None:
            problems.append(f"compose's {process} healthcheck asks no http://localhost URL")
            continue
        port, path = url
        container = m.container("Deployment", process)
        for probe in ("readinessProbe", "livenessProbe"):
            http = (container.get(probe) or {}).get("httpGet") or {}
            if http.get("path") != path or container_port(container, http.get("port", "")) != port:
                problems.append(f"{process} {probe} must GET {path} on {port}, as compose's healthcheck does")
    for process, probes in (
        ("rasa", ("readinessProbe", "startupProbe")),
        ("scheduler", ("readinessProbe", "livenessProbe")),
    ):
        test = s.compose[process]["healthcheck"]["test"]
        command = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
        container = m.container("Deployment", process)
        for probe in probes:
            if ((container.get(probe) or {}).get("exec") or {}).get("command") != command:
                problems.append(f"{process} {probe} must run compose's healthcheck {command}")
    rasa_ready = " ".join(
        ((m.container("Deployment", "rasa").get("readinessProbe") or {}).get("exec") or {}).get("command") or []
    )
    if not all(part in rasa_ready for part in ("/status?token=", "RASA_TOKEN", "model_file")):
        problems.append("rasa is ready only once /status (with the token) names the model file")
    worker_test = shlex.join(s.compose["worker"]["healthcheck"]["test"][1:])
    container = m.container("Deployment", "worker")
    for probe in ("readinessProbe", "livenessProbe"):
        command = ((container.get(probe) or {}).get("exec") or {}).get("command") or []
        script = command[-1] if command[:2] == ["sh", "-c"] else shlex.join(command)
        ping = worker_test.replace(" inspect ping", ' inspect ping -d "celery@$HOSTNAME"')
        if script != ping:
            problems.append(f"worker {probe} must ping this pod's worker: {ping}")
    for name, needle in (("postgres", "pg_isready"), ("redis", "redis-cli ping")):
        container = m.container("StatefulSet", name)
        for probe in ("readinessProbe", "livenessProbe"):
            if needle not in " ".join(((container.get(probe) or {}).get("exec") or {}).get("command") or []):
                problems.append(f"{name} {probe} must run {needle}, as compose's healthcheck does")
    return problems


def exposure_problems(m: Manifests) -> list[str]:
    """Only web is reachable from outside, through an Ingress with TLS for every host it serves,
    whose host is PUBLIC_BASE_URL's, over https. Rasa and the action server are ClusterIP."""
    problems = []
    ingresses = m.of_kind("Ingress")
    if not ingresses:
        return ["no Ingress for the web Service"]
    public = urlsplit(m.config.get("PUBLIC_BASE_URL", ""))
    if public.scheme != "https":
        problems.append("PUBLIC_BASE_URL must be https: HSTS and the Secure cookie follow from it")
    web_service = m.find("Service", "web")
    for ingress in ingresses:
        name = ingress["metadata"]["name"]
        tls = ingress["spec"].get("tls") or []
        if not tls:
            problems.append(f"Ingress {name} has no tls section")
        covered = set()
        for entry in tls:
            if not entry.get("secretName"):
                problems.append(f"Ingress {name}: a tls entry without secretName")
            covered |= set(entry.get("hosts") or [])
        for rule in ingress["spec"].get("rules") or []:
            if rule.get("host") not in covered:
                problems.append(f"Ingress {name}: {rule.get('host')} is served without TLS")
            if rule.get("host") != public.hostname:
                problems.append(f"Ingress {name}: host {rule.get('host')} is not PUBLIC_BASE_URL's {public.hostname}")
            for path in (rule.get("http") or {}).get("paths") or []:
                backend = path["backend"].get("service") or {}
                ports = {p.get("name") for p in web_service["spec"]["ports"]} | {
                    p["port"] for p in web_service["spec"]["ports"]
                }
                port = backend.get("port") or {}
                if backend.get("name") != "web" or (port.get("name") or port.get("number")) not in ports:
                    problems.append(f"Ingress {name} routes to {backend}, not the web Service")
    # Behind the Ingress the peer is the controller: the throttles count per debtor only if
    # uvicorn reads X-Forwarded-For from trusted proxies, and never from anyone ("*").
    trusted = env_value(m.container("Deployment", "web"), "FORWARDED_ALLOW_IPS")
    if not trusted or "*" in trusted:
        problems.append(f"web's FORWARDED_ALLOW_IPS must name the proxies' networks, not {trusted!r}")
    for service in m.of_kind("Service"):
        kind = service["spec"].get("type", "ClusterIP")
        if kind != "ClusterIP":
            problems.append(f"Service {service['metadata']['name']} is {kind}: only the Ingress is public")
    return problems


WAIT_FOR_MIGRATIONS = "alembic current --check-heads"


def migration_problems(m: Manifests, s: Sources) -> list[str]:
    """A Job migrates, once; web, worker and scheduler start only when the database is at the
    head revision of their own image, and none of them migrates itself (replicas would race)."""
    problems = []
    job = m.find("Job", "migrate")
    job_container = m.container("Job", "migrate")
    migrate = [*(job_container.get("command") or []), *(job_container.get("args") or [])]
    if invocation(migrate) != ("amicable", ["migrate"]):
        problems.append(f"the migrate Job runs {migrate}, not `python -m amicable migrate`")
    if job["spec"].get("backoffLimit", 6) < 1:
        problems.append("the migrate Job must retry while PostgreSQL starts")
    for process in APP_PROCESSES:
        spec = pod_spec(m.find("Deployment", process)) or {}
        waits = [c for c in spec.get("initContainers") or [] if WAIT_FOR_MIGRATIONS in " ".join(c.get("command") or [])]
        if not waits:
            problems.append(f"{process} starts without waiting for the migrations ({WAIT_FOR_MIGRATIONS})")
        for wait in waits:
            if wait["image"] != m.container("Deployment", process)["image"]:
                problems.append(f"{process} waits for another image's migrations")
            if "DATABASE_URL" not in {v["name"] for v in wait.get("env") or []} and not wait.get("envFrom"):
                problems.append(f"{process}'s wait for migrations has no DATABASE_URL")
        for container in spec.get("containers") or []:
            if "amicable migrate" in " ".join([*(container.get("command") or []), *(container.get("args") or [])]):
                problems.append(f"{process}/{container['name']} migrates: its replicas would race")
    return problems


def rasa_store_problems(m: Manifests, s: Sources) -> list[str]:
    """Rasa scales only with a shared tracker store (SQL on PostgreSQL) and lock store (Redis):
    the endpoints file its image holds at the path its command reads has both, every variable
    that file uses is set on the container, and every address points at a Service here."""
    problems = []
    rasa = m.container("Deployment", "rasa")
    endpoints_path = options(rasa.get("args") or []).get("--endpoints")
    if s.rasa_image_files.get(str(endpoints_path)) != "docker/endpoints.yml":
        problems.append(f"docker/rasa.Dockerfile does not put docker/endpoints.yml at /app/{endpoints_path}")
    tracker, lock = s.endpoints.get("tracker_store") or {}, s.endpoints.get("lock_store") or {}
    if str(tracker.get("type")).upper() != "SQL" or tracker.get("dialect") != "postgresql":
        problems.append("Rasa's tracker store must be SQL on PostgreSQL")
    if str(lock.get("type")).lower() != "redis":
        problems.append("Rasa's lock store must be Redis")
    env = {variable["name"] for variable in rasa.get("env") or []}
    problems += [f"rasa does not set {name}, which endpoints.yml reads" for name in sorted(s.endpoint_variables - env)]
    services = {service["metadata"]["name"]: service for service in m.of_kind("Service")}

    def service_port(name: str) -> int | None:
        service = services.get(name)
        return service["spec"]["ports"][0]["port"] if service else None

    action_url = urlsplit(s.endpoints["action_endpoint"]["url"])
    if service_port(action_url.hostname) != action_url.port:
        problems.append(f"endpoints.yml calls {action_url.hostname}:{action_url.port}, which no Service serves")
    addresses = {
        "RASA_URL": m.config.get("RASA_URL", ""),
        "REDIS_URL": m.config.get("REDIS_URL", ""),
        "AMICABLE_API_URL": env_value(m.container("Deployment", "actions"), "AMICABLE_API_URL"),
    }
    for variable, url in addresses.items():
        parts = urlsplit(url)
        if service_port(parts.hostname) != parts.port:
            problems.append(f"{variable}={url} reaches no Service of this kustomization")
    if service_port(m.config.get("POSTGRES_HOST")) != int(m.config.get("POSTGRES_PORT", 0)):
        problems.append("POSTGRES_HOST/POSTGRES_PORT reach no Service")
    if service_port(m.config.get("REDIS_HOST")) != int(m.config.get("REDIS_PORT", 0)):
        problems.append("REDIS_HOST/REDIS_PORT reach no Service")
    init = m.find("ConfigMap", "postgres-init").get("data") or {}
    if list(init.values()) != [s.postgres_init_sql]:
        problems.append("the postgres-init ConfigMap differs from docker/postgres-init.sql")
    created = set(re.findall(r"create\s+database\s+\"?(\w+)", " ".join(init.values()), re.I))
    if tracker.get("db") not in created:
        problems.append(f"Rasa's tracker database {tracker.get('db')} is never created")
    return problems


def network_problems(m: Manifests) -> list[str]:
    """Each policy selects a real workload, admits exactly the components that connect to it,
    by labels those components' pods really carry, on the port its Service targets."""
    problems = []
    pods = {}
    for document in m.documents:
        template = pod_template(document)
        if template is not None:
            labels = template["metadata"]["labels"]
            pods[labels.get(COMPONENT)] = (labels, document)
    policies = {p["spec"]["podSelector"]["matchLabels"].get(COMPONENT): p for p in m.of_kind("NetworkPolicy")}
    for target, sources in CONNECTIONS.items():
        policy = policies.get(target)
        if policy is None:
            problems.append(f"no NetworkPolicy for {target}")
            continue
        selector = policy["spec"]["podSelector"]["matchLabels"]
        if target not in pods or not selector.items() <= pods[target][0].items():
            problems.append(f"NetworkPolicy {target} selects no pod")
        admitted: set[str] = set()
        for rule in policy["spec"].get("ingress") or []:
            for peer in rule.get("from") or []:
                for component, (labels, _) in pods.items():
                    if selects(peer.get("podSelector") or {}, labels):
                        admitted.add(component)
            service = m.find("Service", target)
            ports = {p.get("port") for p in rule.get("ports") or []}
            target_container = (pod_spec(pods[target][1]) or {})["containers"][0] if target in pods else {}
            wanted = {container_port(target_container, p["targetPort"]) for p in service["spec"]["ports"]}
            if ports != wanted:
                problems.append(f"NetworkPolicy {target} opens {ports}, its pods listen on {wanted}")
        if admitted != sources:
            problems.append(f"NetworkPolicy {target} admits {sorted(admitted)}, wanted {sorted(sources)}")
    return problems


def selects(selector: dict, labels: dict) -> bool:
    """A label selector's matchLabels and In/NotIn/Exists/DoesNotExist expressions."""
    if not (selector.get("matchLabels") or {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        matched = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[operator]
        if not matched:
            return False
    return bool(selector)


# ---------------------------------------------------------------- the manifests pass


def test_renderer_loads_every_listed_file_once(manifests: Manifests) -> None:
    listed = manifests.kustomization["resources"]
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml", SECRET_TEMPLATE.name}
    on_disk -= {path.name for path in BY_HAND}
    assert set(listed) == on_disk, f"YAML files not in kustomization.yaml: {sorted(on_disk - set(listed))}"
    keys = [(d["kind"], d["metadata"]["name"]) for d in manifests.documents]
    assert len(keys) == len(set(keys)), "a resource is defined twice"
    assert all(d["metadata"].get("namespace") == "amicable" for d in manifests.documents if d["kind"] != "Namespace")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_document_is_valid_kubernetes(manifests: Manifests, version: str) -> None:
    documents = [*manifests.everything, manifests.secret_template]
    problems = [problem for document in documents for problem in schema_problems(document, version)]
    assert not problems, "\n".join(problems)
    assert len(documents) > 20


def test_configuration_names_only_what_the_processes_read(manifests: Manifests, sources: Sources) -> None:
    assert "DATABASE_URL" in sources.settings, f"the settings found are {sorted(sources.settings)}"
    assert not environment_problems(manifests, sources)


def test_production_starts_with_the_config_and_filled_secrets(manifests: Manifests) -> None:
    assert startup_problems(manifests, filled_secrets(manifests)) == []


def test_production_refuses_the_empty_template(manifests: Manifests) -> None:
    problems = " ".join(startup_problems(manifests, manifests.secret_keys))
    for name in ("AMICABLE_API_KEY", "AMICABLE_ACTIONS_KEY", "AMICABLE_LINK_SECRET", "RASA_TOKEN", "STRIPE_API_KEY"):
        assert name in problems


def test_secret_template_names_every_required_secret(manifests: Manifests, sources: Sources) -> None:
    assert not secret_problems(manifests, sources)


def test_commands_are_composes_and_the_procfiles(manifests: Manifests, sources: Sources) -> None:
    assert not command_problems(manifests, sources)


def test_images_are_tagged_through_the_kustomization(manifests: Manifests) -> None:
    assert not image_problems(manifests)


def test_replicas_of_the_scaled_topology(manifests: Manifests) -> None:
    assert not replica_problems(manifests)


def test_every_container_has_probes_resources_and_runs_unprivileged(manifests: Manifests) -> None:
    assert not container_problems(manifests)


def test_probes_ask_what_composes_healthchecks_ask(manifests: Manifests, sources: Sources) -> None:
    assert not probe_problems(manifests, sources)


def test_only_web_is_exposed_and_over_tls(manifests: Manifests) -> None:
    assert not exposure_problems(manifests)


def test_migrations_run_once_before_the_app_processes(manifests: Manifests, sources: Sources) -> None:
    assert not migration_problems(manifests, sources)


def test_rasa_shares_its_tracker_and_lock_stores(manifests: Manifests, sources: Sources) -> None:
    assert not rasa_store_problems(manifests, sources)


def test_network_policies_admit_exactly_the_connections_made(manifests: Manifests) -> None:
    assert not network_problems(manifests)


# ---------------------------------------------------------------- the wait for migrations, run


def wait_script(m: Manifests) -> list[str]:
    spec = pod_spec(m.find("Deployment", "web")) or {}
    (wait,) = [c for c in spec["initContainers"] if c["name"] == "wait-for-migrations"]
    return wait["command"]


def run_for(command: list[str], env: dict[str, str], seconds: float) -> tuple[int | None, str]:
    """Run the command for at most `seconds`: (exit code or None if still running, output)."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=seconds)
        return process.returncode, output
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return None, output


def test_the_wait_for_migrations_holds_until_the_schema_is_at_head(manifests: Manifests, tmp_path: Path) -> None:
    """The init container's own script, run as the image runs it (from the directory that
    holds alembic.ini, `alembic` on PATH): it keeps waiting on a database that is behind, and
    lets the pod start once `amicable migrate` has run."""
    from amicable.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'app.db'}"
    env = {**os.environ, "DATABASE_URL": url, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    code, output = run_for(wait_script(manifests), env, seconds=6)
    assert code is None, f"the wait ended on an empty database: {output}"
    assert "waiting for the migrate Job" in output
    upgrade(url)
    started = time.monotonic()
    code, output = run_for(wait_script(manifests), env, seconds=60)
    assert code == 0, output
    assert time.monotonic() - started < 30


# ---------------------------------------------------------------- each check can fail


def containers_named(m: Manifests, name: str) -> Iterator[dict]:
    for document in m.documents:
        for container in all_containers(document):
            if container["name"] == name:
                yield container


def mutate(m: Manifests, kind: str, name: str, change: Callable[[dict], object]) -> Manifests:
    change(m.find(kind, name))
    return m


def container_of(kind: str, name: str, container: str | None = None) -> Callable[[Manifests], dict]:
    return lambda m: m.container(kind, name, container)


def manifests_only(check: Callable[[Manifests], list[str]]) -> Callable[[Manifests, Sources], list[str]]:
    return lambda m, s: check(m)


BROKEN: dict[str, tuple[Callable[[Manifests, Sources], list[str]], Callable[[Manifests, Sources], object]]] = {
    "unknown field": (
        lambda m, s: schema_problems(m.find("Deployment", "web"), KUBERNETES_VERSIONS[0]),
        lambda m, s: m.container("Deployment", "web").update(
            livenesProbe={"httpGet": {"path": "/health", "port": 8000}}
        ),
    ),
    "wrong type": (
        lambda m, s: schema_problems(m.find("Deployment", "rasa"), KUBERNETES_VERSIONS[0]),
        lambda m, s: m.find("Deployment", "rasa")["spec"].update(replicas="two"),
    ),
    "unknown kind": (
        lambda m, s: schema_problems(m.find("Ingress", "web"), KUBERNETES_VERSIONS[0]),
        lambda m, s: m.find("Ingress", "web").update(apiVersion="extensions/v1beta1"),
    ),
    "setting the app does not read": (
        environment_problems,
        lambda m, s: m.find("ConfigMap", "amicable-config")["data"].update(PUBLIC_BASE_URI="https://x"),
    ),
    "setting left out": (
        environment_problems,
        lambda m, s: m.find("ConfigMap", "amicable-config")["data"].pop("CORS_ORIGINS"),
    ),
    "value that does not parse": (
        lambda m, s: startup_problems(m, filled_secrets(m)),
        lambda m, s: m.find("ConfigMap", "amicable-config")["data"].update(MAX_BODY_BYTES="a megabyte"),
    ),
    "demo in production": (
        lambda m, s: startup_problems(m, filled_secrets(m)),
        lambda m, s: m.find("ConfigMap", "amicable-config")["data"].update(AMICABLE_DEMO="true"),
    ),
    "required secret missing": (
        secret_problems,
        lambda m, s: m.secret_template["stringData"].pop("STRIPE_WEBHOOK_SECRET"),
    ),
    "value in the template": (
        secret_problems,
        lambda m, s: m.secret_template["stringData"].update(RASA_TOKEN="hunter2"),
    ),
    "template applied by -k": (
        secret_problems,
        lambda m, s: m.kustomization["resources"].append("secret.template.yaml"),
    ),
    "reference to a missing key": (
        secret_problems,
        lambda m, s: m.container("Deployment", "rasa")["env"][0]["valueFrom"]["secretKeyRef"].update(key="RASA_TOKN"),
    ),
    "admin key for the action server": (
        secret_problems,
        lambda m, s: m.container("Deployment", "actions").update(envFrom=[{"secretRef": {"name": "amicable-secrets"}}]),
    ),
    "web runs another command": (
        command_problems,
        lambda m, s: m.container("Deployment", "web").update(command=["python", "-m", "amicable", "run"]),
    ),
    "rasa without its API": (
        command_problems,
        lambda m, s: m.container("Deployment", "rasa")["args"].remove("--enable-api"),
    ),
    "token as its own argument": (
        command_problems,
        lambda m, s: m.container("Deployment", "rasa").update(
            args=[a for a in m.container("Deployment", "rasa")["args"] if not a.startswith("--auth-token")]
            + ["--auth-token", "$(RASA_TOKEN)"]
        ),
    ),
    "command replaces rasa's entrypoint": (
        command_problems,
        lambda m, s: m.container("Deployment", "rasa").update(command=["rasa"]),
    ),
    "image with no tag": (
        manifests_only(image_problems),
        lambda m, s: m.container("Deployment", "worker").update(image="amicable-web"),
    ),
    "restore pod as root": (
        manifests_only(container_problems),
        lambda m, s: m.by_hand[0]["spec"]["securityContext"].update(runAsUser=0),
    ),
    "image set by hand": (
        manifests_only(image_problems),
        lambda m, s: m.container("Deployment", "scheduler").update(image="python:3.11-slim"),
    ),
    "web alone": (
        manifests_only(replica_problems),
        lambda m, s: m.find("Deployment", "web")["spec"].update(replicas=1),
    ),
    "two schedulers": (
        manifests_only(replica_problems),
        lambda m, s: m.find("Deployment", "scheduler")["spec"].update(replicas=2),
    ),
    "scheduler rolled": (
        manifests_only(replica_problems),
        lambda m, s: m.find("Deployment", "scheduler")["spec"].pop("strategy"),
    ),
    "probe dropped": (
        manifests_only(container_problems),
        lambda m, s: m.container("Deployment", "rasa").pop("livenessProbe"),
    ),
    "limits dropped": (
        manifests_only(container_problems),
        lambda m, s: m.container("Deployment", "worker")["resources"].pop("limits"),
    ),
    "request above limit": (
        manifests_only(container_problems),
        lambda m, s: m.container("StatefulSet", "redis")["resources"]["requests"].update(memory="1Gi"),
    ),
    "init container without resources": (
        manifests_only(container_problems),
        lambda m, s: (pod_spec(m.find("Deployment", "web")) or {})["initContainers"][0].pop("resources"),
    ),
    "root allowed": (
        manifests_only(container_problems),
        lambda m, s: (
            [c["securityContext"].update(runAsNonRoot=False) for c in containers_named(m, "pg-dump")]
            + [(pod_spec(m.find("CronJob", "backup")) or {})["securityContext"].update(runAsNonRoot=False)]
        ),
    ),
    "named user": (
        manifests_only(container_problems),
        lambda m, s: (pod_spec(m.find("Deployment", "web")) or {})["securityContext"].pop("runAsUser"),
    ),
    "rasa ready before its model": (
        probe_problems,
        lambda m, s: m.container("Deployment", "rasa").update(readinessProbe={"httpGet": {"path": "/", "port": 5005}}),
    ),
    "web probe on another path": (
        probe_problems,
        lambda m, s: m.container("Deployment", "web")["livenessProbe"]["httpGet"].update(path="/"),
    ),
    "worker ping of any worker": (
        probe_problems,
        lambda m, s: m.container("Deployment", "worker")["livenessProbe"]["exec"].update(
            command=s.compose["worker"]["healthcheck"]["test"][1:]
        ),
    ),
    "no tls": (manifests_only(exposure_problems), lambda m, s: m.find("Ingress", "web")["spec"].pop("tls")),
    "tls without a secret": (
        manifests_only(exposure_problems),
        lambda m, s: m.find("Ingress", "web")["spec"]["tls"][0].pop("secretName"),
    ),
    "plain http": (
        manifests_only(exposure_problems),
        lambda m, s: m.find("ConfigMap", "amicable-config")["data"].update(
            PUBLIC_BASE_URL="http://amicable.example.com"
        ),
    ),
    "every proxy trusted": (
        manifests_only(exposure_problems),
        lambda m, s: m.container("Deployment", "web")["env"][0].update(value="*"),
    ),
    "rasa published": (
        manifests_only(exposure_problems),
        lambda m, s: m.find("Service", "rasa")["spec"].update(type="LoadBalancer"),
    ),
    "worker before migrations": (
        migration_problems,
        lambda m, s: (pod_spec(m.find("Deployment", "worker")) or {}).pop("initContainers"),
    ),
    "replicas migrating": (
        migration_problems,
        lambda m, s: m.container("Deployment", "web").update(
            command=["sh", "-c", "python -m amicable migrate && python -m amicable serve"]
        ),
    ),
    "job not migrating": (migration_problems, lambda m, s: m.container("Job", "migrate").update(command=["true"])),
    "endpoint variable unset": (
        rasa_store_problems,
        lambda m, s: m.container("Deployment", "rasa").update(
            env=[v for v in m.container("Deployment", "rasa")["env"] if v["name"] != "REDIS_PORT"]
        ),
    ),
    "tracker in memory": (
        rasa_store_problems,
        lambda m, s: s.endpoints.update(tracker_store={"type": "InMemoryTrackerStore"}),
    ),
    "locks in memory": (rasa_store_problems, lambda m, s: s.endpoints.pop("lock_store")),
    "endpoints not in the image": (rasa_store_problems, lambda m, s: s.rasa_image_files.pop("endpoints.yml")),
    "rasa url to nowhere": (
        rasa_store_problems,
        lambda m, s: m.find("ConfigMap", "amicable-config")["data"].update(RASA_URL="http://rasa:5055"),
    ),
    "tracker database never created": (
        rasa_store_problems,
        lambda m, s: m.find("ConfigMap", "postgres-init")["data"].update({"10-create-rasa-db.sql": "SELECT 1;\n"}),
    ),
    "rasa cut off from postgres": (
        manifests_only(network_problems),
        lambda m, s: m.find("NetworkPolicy", "postgres")["spec"]["ingress"][0]["from"][0]["podSelector"][
            "matchExpressions"
        ][1].update(values=["web", "worker", "scheduler", "migrate", "backup"]),
    ),
    "policy on a label no pod has": (
        manifests_only(network_problems),
        lambda m, s: m.find("NetworkPolicy", "actions")["spec"]["ingress"][0]["from"][0]["podSelector"][
            "matchExpressions"
        ][0].update(values=["amicabel"]),
    ),
    "policy on the wrong port": (
        manifests_only(network_problems),
        lambda m, s: m.find("NetworkPolicy", "rasa")["spec"]["ingress"][0]["ports"][0].update(port=5055),
    ),
}


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_each_check_fails_on_broken_manifests(manifests: Manifests, sources: Sources, broken: str) -> None:
    check, breakage = BROKEN[broken]
    assert check(manifests, sources) == [], f"the check fails on the real manifests already ({broken})"
    breakage(manifests, sources)
    assert check(manifests, sources), f"the check passed on broken manifests: {broken}"


def test_renderer_refuses_fields_it_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: []\npatches: [{path: p.yaml}]\n")
    with pytest.raises(AssertionError, match="patches"):
        render(tmp_path)


def test_renderer_applies_namespace_and_images(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "namespace: n\nresources: [pod.yaml]\nimages: [{name: app, newName: r.example/app, newTag: '2'}]\n"
    )
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: app}, {name: b, image: other:1}]\n"
    )
    (pod,) = render(tmp_path)
    assert pod["metadata"]["namespace"] == "n"
    assert [c["image"] for c in pod["spec"]["containers"]] == ["r.example/app:2", "other:1"]


def test_sources_are_what_the_checks_compare_with(sources: Sources) -> None:
    """The checks read compose, the Procfile, the Rasa image and the endpoints: if one of
    those moved, the checks above would compare with nothing."""
    assert {"web", "worker", "scheduler", "migrate", "rasa", "actions"} <= set(sources.compose)
    assert {"web", "rasa", "actions", "scheduler"} <= set(sources.procfile)
    assert sources.rasa_image_files.get("endpoints.yml") == "docker/endpoints.yml"
    assert {"POSTGRES_PASSWORD", "REDIS_HOST"} <= sources.endpoint_variables
