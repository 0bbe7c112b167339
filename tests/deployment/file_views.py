"""What a compose service sees inside its container, rebuilt as a folder without a container
engine, and its command started there with the project's own environments.

A service's files are its image's (the COPY and ADD lines of its Dockerfile, as the build
context and .dockerignore let them through, under its WORKDIR) plus its compose `volumes:`.
Rebuilding exactly that, and nothing of the checkout beside it, is what shows whether an image
is complete: a Dockerfile that forgets a folder the command imports, or a model whose classes
the image lacks, fails here as it would in production.

What the images' RUN lines pip-install is stood in for by the project's environments (.venv
for the app image, .venv-rasa for the Rasa images), which must satisfy every requirement those
lines name (unmet_requirements); their `mkdir -p` parts are reproduced. What the base images
bring (the entrypoint, the working directory) is written down in BASE_IMAGES. Everything else
is read from the files.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_ENV = ROOT / ".venv"
RASA_ENV = ROOT / ".venv-rasa"
# The project's own top-level packages: a process of a view must load these from the view only.
PROJECT_PACKAGES = ("amicable", "api", "channels", "web", "server", "bot", "actions")


class UnsupportedDockerfile(ValueError):
    """An instruction the view cannot reproduce faithfully: better refused than guessed."""


# ---------------------------------------------------------------- what the base images add


@dataclass(frozen=True)
class BaseImage:
    """What a base image contributes that its Dockerfile here does not say."""

    workdir: str = "/"
    entrypoint: tuple[str, ...] = ()
    # Turns ENTRYPOINT + CMD into the command the container runs, when a script decides it.
    resolve: Callable[[list[str]], list[str]] | None = None


def _rasa_sdk_entrypoint(argv: list[str]) -> list[str]:
    """rasa/rasa-sdk's entrypoint.sh: `start ARGS` runs `python -m rasa_sdk ARGS`; anything
    else runs as given."""
    if argv[:1] == ["start"]:
        return ["python", "-m", "rasa_sdk", *argv[1:]]
    return argv


BASE_IMAGES: dict[str, BaseImage] = {
    # Rasa's images: ENTRYPOINT ["rasa"], WORKDIR /app, user 1001.
    "rasa/rasa": BaseImage(workdir="/app", entrypoint=("rasa",)),
    "rasa/rasa-sdk": BaseImage(workdir="/app", resolve=_rasa_sdk_entrypoint),
    "python": BaseImage(),
}


def base_image(reference: str) -> BaseImage:
    name = reference.split("@")[0].rsplit(":", 1)[0] if ":" in reference.split("/")[-1] else reference
    if name not in BASE_IMAGES:
        raise UnsupportedDockerfile(f"unknown base image {reference!r}: say what it adds in BASE_IMAGES")
    return BASE_IMAGES[name]


# ---------------------------------------------------------------- reading a Dockerfile


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines, pending = [], ""
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        lines.append(pending + raw)
        pending = ""
    if pending:
        lines.append(pending)
    found = []
    for line in lines:
        keyword, _, rest = line.strip().partition(" ")
        found.append((keyword.upper(), rest.strip()))
    return found


def _exec_or_shell(arguments: str) -> list[str]:
    """CMD/ENTRYPOINT as argv: JSON exec form, or shell form run by /bin/sh -c."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return ["/bin/sh", "-c", arguments]


def _env_pairs(arguments: str) -> dict[str, str]:
    """ENV K=V K2="V 2" (or the old ENV K V form)."""
    tokens = shlex.split(arguments)
    if tokens and "=" not in tokens[0]:
        return {tokens[0]: " ".join(tokens[1:])}
    return dict(token.split("=", 1) for token in tokens)


def _pip_requirements(arguments: str, context: Path) -> list[str]:
    """What the `pip install` parts of a RUN line ask for: requirement specifiers, and the
    lines of `-r` files (read from the build context)."""
    found: list[str] = []
    for part in re.split(r"&&|;", arguments):
        words = shlex.split(part)
        if "pip" not in [Path(word).name for word in words[:3]] or "install" not in words:
            continue
        words = words[words.index("install") + 1 :]
        index = 0
        while index < len(words):
            word = words[index]
            if word in ("-r", "--requirement"):
                lines = (context / words[index + 1]).read_text().splitlines()
                found += [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]
                index += 2
                continue
            if not word.startswith("-"):
                found.append(word)
            index += 1
    return found


@dataclass
class Copy:
    sources: list[str]
    destination: str  # absolute, in the container


@dataclass
class Image:
    """The parts of an image's last build stage that decide what its container sees and runs."""

    dockerfile: str
    context: Path
    base: str
    workdir: str
    env: dict[str, str]
    copies: list[Copy]
    directories: list[str]
    entrypoint: list[str]
    cmd: list[str]
    resolve: Callable[[list[str]], list[str]] | None = None
    # What RUN lines pip-install: the environment standing in for the image must satisfy them.
    pip: list[str] = field(default_factory=list)

    def command(self, compose_command: list[str] | None = None) -> list[str]:
        """What the container runs: ENTRYPOINT + (the compose `command` or CMD)."""
        argv = [*self.entrypoint, *(compose_command if compose_command is not None else self.cmd)]
        return self.resolve(argv) if self.resolve else argv


def _absolute(path: str, workdir: str) -> str:
    return str(PurePosixPath(workdir) / path) + ("/" if path.endswith("/") and path != "/" else "")


def read_image(dockerfile: str, context: Path = ROOT, text: str | None = None) -> Image:
    """Parse a Dockerfile (relative to the repository) into what its container will see."""
    source = text if text is not None else (ROOT / dockerfile).read_text(encoding="utf-8")
    image: Image | None = None
    cmd_set = False
    for keyword, arguments in instructions(source):
        if keyword == "FROM":
            reference = arguments.split()[0]
            base = base_image(reference)
            # A later stage starts afresh: only the last one is the image.
            image = Image(
                dockerfile=dockerfile,
                context=context,
                base=reference,
                workdir=base.workdir,
                env={},
                copies=[],
                directories=[],
                entrypoint=list(base.entrypoint),
                cmd=[],
                resolve=base.resolve,
            )
            cmd_set = False
            continue
        if image is None:
            if keyword == "ARG":
                continue
            raise UnsupportedDockerfile(f"{dockerfile}: {keyword} before FROM")
        if "$" in arguments and keyword in ("COPY", "ADD", "WORKDIR"):
            raise UnsupportedDockerfile(f"{dockerfile}: variables in {keyword} {arguments}")
        if keyword == "WORKDIR":
            image.workdir = str(PurePosixPath(image.workdir) / arguments)
        elif keyword == "ENV":
            image.env.update(_env_pairs(arguments))
        elif keyword in ("COPY", "ADD"):
            image.copies.append(_parse_copy(dockerfile, keyword, arguments, image.workdir))
        elif keyword == "RUN":
            image.directories += _made_directories(arguments, image.workdir)
            image.pip += _pip_requirements(arguments, context)
        elif keyword == "ENTRYPOINT":
            image.entrypoint = _exec_or_shell(arguments)
            image.resolve = None
            if not cmd_set:
                image.cmd = []  # a new ENTRYPOINT drops the CMD inherited from the base image
        elif keyword == "CMD":
            image.cmd, cmd_set = _exec_or_shell(arguments), True
        elif keyword in ("USER", "EXPOSE", "HEALTHCHECK", "LABEL", "ARG", "STOPSIGNAL", "SHELL", "VOLUME"):
            continue
        else:
            raise UnsupportedDockerfile(f"{dockerfile}: {keyword} is not reproduced by the file view")
    if image is None:
        raise UnsupportedDockerfile(f"{dockerfile} has no FROM")
    return image


def _parse_copy(dockerfile: str, keyword: str, arguments: str, workdir: str) -> Copy:
    flags = []
    while arguments.startswith("--"):
        flag, _, arguments = arguments.partition(" ")
        flags.append(flag)
        arguments = arguments.strip()
    paths = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
    for flag in flags:
        name = flag.split("=", 1)[0]
        if name not in ("--chown", "--chmod", "--link"):
            # --from copies out of another stage or image, which the view does not build.
            raise UnsupportedDockerfile(f"{dockerfile}: {keyword} {flag}")
    if len(paths) < 2:
        raise UnsupportedDockerfile(f"{dockerfile}: {keyword} {arguments} names no destination")
    *sources, destination = paths
    for source in sources:
        if keyword == "ADD" and (re.match(r"\w+://", source) or re.search(r"\.(tar|tgz|gz|bz2|xz)$", source)):
            raise UnsupportedDockerfile(f"{dockerfile}: ADD {source} (a download or an archive to unpack)")
    return Copy(sources=sources, destination=_absolute(destination, workdir))


def _made_directories(arguments: str, workdir: str) -> list[str]:
    """The `mkdir -p` parts of a RUN line; the rest (package installs) the environments stand for."""
    made = []
    for part in re.split(r"&&|;", arguments):
        words = shlex.split(part)
        if words[:1] == ["mkdir"]:
            made += [_absolute(word, workdir) for word in words[1:] if not word.startswith("-")]
    return made


# ---------------------------------------------------------------- the build context


def dockerignore(context: Path) -> list[tuple[re.Pattern[str], bool]]:
    """The context's .dockerignore as (pattern, is an exception) pairs, in order."""
    path = context / ".dockerignore"
    rules = []
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((re.compile(_glob_regex(pattern)), exception))
    return rules


def _glob_regex(pattern: str) -> str:
    """Docker's matching: `*` and `?` stay within one path element, `**` spans any number."""
    regex, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(?:.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        elif pattern[index] == "[":
            end = pattern.find("]", index)
            regex, index = regex + pattern[index : end + 1], end + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return regex


def brings(source: str, relative: str) -> bool:
    """Whether a COPY source (a file, a folder, a glob) brings this path of the context."""
    source = os.path.normpath(source).lstrip("/")
    parts = relative.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    if any(c in source for c in "*?["):
        pattern = re.compile(_glob_regex(source))
        return any(pattern.fullmatch(candidate) for candidate in candidates)
    return source in (".", *candidates)


def ignored(relative: str, rules: list[tuple[re.Pattern[str], bool]]) -> bool:
    """Whether the build context leaves this path out: the last rule matching the path, or a
    folder above it, decides."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    verdict = False
    for pattern, exception in rules:
        if any(pattern.fullmatch(candidate) for candidate in candidates):
            verdict = not exception
    return verdict


# ---------------------------------------------------------------- the view


@dataclass
class View:
    """A container's file system, rooted in a folder: container path /x is root/x."""

    root: Path
    image: Image
    log: list[str] = field(default_factory=list)

    @property
    def workdir(self) -> Path:
        return self.host(self.image.workdir)

    def host(self, container_path: str) -> Path:
        return self.root / container_path.lstrip("/")

    def localise(self, value: str) -> str:
        """A setting naming a path under the image's working directory names it in the view."""
        workdir = self.image.workdir.rstrip("/")
        if value == workdir or value.startswith(workdir + "/"):
            return str(self.host(value))
        return value


def build_view(image: Image, volumes: list | None, root: Path, project: Path = ROOT) -> View:
    """Lay out the image's files under root, then the service's mounts over them."""
    view = View(root=root, image=image)
    rules = dockerignore(image.context)
    view.host("/").mkdir(parents=True, exist_ok=True)
    view.workdir.mkdir(parents=True, exist_ok=True)
    for copy in image.copies:
        _copy(copy, image.context, rules, view)
    for directory in image.directories:
        view.host(directory).mkdir(parents=True, exist_ok=True)
    for volume in volumes or []:
        _mount(volume, project, view)
    return view


def _copy(copy: Copy, context: Path, rules: list[tuple[re.Pattern[str], bool]], view: View) -> None:
    matched: list[Path] = []
    for source in copy.sources:
        pattern = os.path.normpath(source).lstrip("/")
        found = [context / pattern] if not any(c in pattern for c in "*?[") else sorted(context.glob(pattern))
        found = [path for path in found if path.exists() and not ignored(_relative(path, context), rules)]
        if not found:
            raise FileNotFoundError(f"COPY {source}: not in the build context (or left out by .dockerignore)")
        matched += found
    into_folder = copy.destination.endswith("/") or len(matched) > 1
    destination = view.host(copy.destination)
    for path in matched:
        if path.is_dir():
            _copy_tree(path, destination, context, rules)
            view.log.append(f"{_relative(path, context)}/ -> {copy.destination}")
        else:
            target = destination / path.name if into_folder or destination.is_dir() else destination
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            view.log.append(f"{_relative(path, context)} -> /{target.relative_to(view.root)}")


def _copy_tree(folder: Path, destination: Path, context: Path, rules: list[tuple[re.Pattern[str], bool]]) -> None:
    """A folder's contents into destination (Docker copies what is inside, not the folder)."""
    destination.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.rglob("*")):
        if ignored(_relative(path, context), rules):
            continue
        target = destination / path.relative_to(folder)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _relative(path: Path, context: Path) -> str:
    return path.resolve().relative_to(context.resolve()).as_posix() if path != context else "."


def _mount(volume: str | dict, project: Path, view: View) -> None:
    """A bind mount's source is copied in; a named volume starts as an empty folder."""
    if isinstance(volume, dict):
        kind, source, target = volume.get("type", "volume"), volume.get("source", ""), volume["target"]
    else:
        source, target = str(volume).split(":")[:2]
        kind = "bind" if source.startswith((".", "/", "~")) else "volume"
    destination = view.host(target)
    if kind == "bind":
        path = (project / source).resolve()
        if not path.exists():
            raise FileNotFoundError(f"volume {volume}: {source} does not exist")
        if path.is_dir():
            shutil.copytree(path, destination, dirs_exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
        view.log.append(f"mount {source} -> {target}")
    else:
        destination.mkdir(parents=True, exist_ok=True)
        view.log.append(f"volume {source} -> {target}")


# ---------------------------------------------------------------- compose


_SUBSTITUTION = re.compile(
    r"\$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|\{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)\}|(?P<invalid>)))"
)
_OPERATORS = (":?", "?", ":-", "-", ":+", "+")


class InterpolationError(ValueError):
    """A required variable (`${VAR:?message}`) is unset, or a `$` starts no valid expression:
    compose refuses the file."""


def _closing_brace(text: str) -> int:
    """compose-go's getFirstBraceClosingIndex, quirks included: every "{" opens (and the
    character after it is skipped), and the first "}" that brings the count back to 0 closes."""
    depth, index = 0, 0
    while index < len(text):
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        if text[index] == "{":
            depth += 1
            index += 1
        index += 1
    return -1


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Compose's substitution (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
    `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$`), ported from
    compose-go v2's template.go so that nested defaults and braces in values come out as
    `docker compose` makes them."""

    def replace(match: re.Match[str]) -> str:
        substring = match.group(0)
        found = [(substring.find(op), order, op) for order, op in enumerate(_OPERATORS) if op in substring]
        operator = min(found)[2] if found else None
        end = _closing_brace(substring)
        rest = ""
        if end > -1:
            substring, rest = substring[: end + 1], substring[end + 1 :]
        groups = _SUBSTITUTION.search(substring).groupdict()  # type: ignore[union-attr]
        if groups["escaped"]:
            return "$"
        if groups["named"]:
            return variables.get(groups["named"], "")
        expression = groups["braced"]
        if not expression:
            raise InterpolationError(f"invalid template: {text!r}")
        if operator and operator in expression:
            name, argument = expression.split(operator, 1)
            argument = interpolate(argument, variables)
            value = variables.get(name)
            if operator in (":?", "?"):
                if value is None or (operator == ":?" and value == ""):
                    raise InterpolationError(f"required variable {name} is missing a value: {argument}")
            elif operator in (":-", "-"):
                if value is None or (operator == ":-" and value == ""):
                    value = argument
            elif value is not None and (operator == "+" or value != ""):
                value = argument
            return (value or "") + interpolate(rest, variables)
        return variables.get(expression, "")

    return _SUBSTITUTION.sub(replace, text)


def interpolate_all(node: object, variables: Mapping[str, str]) -> object:
    if isinstance(node, dict):
        return {key: interpolate_all(value, variables) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_all(value, variables) for value in node]
    if isinstance(node, str):
        return interpolate(node, variables)
    return node


def compose_file(path: Path = ROOT / "docker-compose.yml") -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass
class Service:
    """A compose service as `docker compose up` would run it with the caller's variables."""

    name: str
    spec: dict
    image: Image
    variables: Mapping[str, str]

    @property
    def environment(self) -> dict[str, str]:
        """Image ENV, then the service's `environment:`; a key without a value passes the
        caller's variable on when it is set."""
        env = dict(self.image.env)
        declared = self.spec.get("environment") or {}
        if isinstance(declared, list):
            declared = dict((item.split("=", 1) + [None])[:2] for item in declared)
        for key, value in declared.items():
            if value is None:
                if key in self.variables:
                    env[key] = self.variables[key]
            else:
                env[key] = str(value)
        return env

    @property
    def command(self) -> list[str]:
        command = self.spec.get("command")
        if isinstance(command, str):
            command = shlex.split(command)
        return self.image.command([str(part) for part in command] if command is not None else None)

    def healthcheck(self) -> list[str] | None:
        """The service's compose health check as argv (None when it has none or disables it)."""
        test = (self.spec.get("healthcheck") or {}).get("test")
        if not test or (self.spec.get("healthcheck") or {}).get("disable"):
            return None
        if isinstance(test, str):
            return ["/bin/sh", "-c", test]
        if test[0] == "CMD":
            return [str(part) for part in test[1:]]
        if test[0] == "CMD-SHELL":
            return ["/bin/sh", "-c", str(test[1])]
        return None


def service_spec(name: str, variables: Mapping[str, str], compose: dict | None = None) -> dict:
    """The named service of docker-compose.yml, interpolated with the caller's variables."""
    data = interpolate_all(compose if compose is not None else compose_file(), variables)
    return data["services"][name]  # type: ignore[index]


def service(name: str, variables: Mapping[str, str], compose: dict | None = None) -> Service:
    """The named service with the image it builds."""
    spec = service_spec(name, variables, compose)
    build = spec.get("build")
    if not build:
        raise UnsupportedDockerfile(f"{name} builds no image: there is no Dockerfile to rebuild it from")
    context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    relative = (context / dockerfile).resolve().relative_to(ROOT).as_posix()
    return Service(name=name, spec=spec, image=read_image(relative, context), variables=variables)


# ---------------------------------------------------------------- running a command in a view


def base_environment(python_env: Path, home: Path) -> dict[str, str]:
    """A container's bare environment: the image's Python first on PATH, no PYTHONPATH, nothing
    of the caller's shell (a stray variable must not make a broken image look whole)."""
    return {
        "PATH": f"{python_env / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
    }


@dataclass
class Process:
    """A service's command running from its view; stopped by its own process group."""

    name: str
    popen: subprocess.Popen
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tail(self, lines: int = 60) -> str:
        return "\n".join(
            line for line in self.output().splitlines()[-lines * 4 :] if not line.startswith(("#", "import "))
        )[-6000:]

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)
        except ProcessLookupError:
            pass


def start(name: str, argv: list[str], view: View, env: Mapping[str, str], logs: Path) -> Process:
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"{name}.log"
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            argv,
            cwd=view.workdir,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Process(name=name, popen=popen, log_path=log_path)


def run(argv: list[str], view: View, env: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=view.workdir, env=dict(env), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def wait_until(check: Callable[[], bool], process: Process | None, timeout: float, every: float = 1.0) -> bool:
    """Poll check until it holds; False at the timeout or as soon as the process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        if process is not None and not process.alive():
            return check()
        time.sleep(every)
    return False


def with_option(argv: list[str], flag: str, value: str) -> list[str]:
    """argv with `flag value` (or `flag=value`) set to value, added at the end when absent."""
    result, index, found = [], 0, False
    while index < len(argv):
        token = argv[index]
        if token == flag and index + 1 < len(argv):
            result += [flag, value]
            index, found = index + 2, True
            continue
        if token.startswith(flag + "="):
            result.append(f"{flag}={value}")
            found = True
        else:
            result.append(token)
        index += 1
    return result if found else [*result, flag, value]


_CHECK_REQUIREMENTS = """
import json, sys
from importlib.metadata import PackageNotFoundError, version
from packaging.requirements import Requirement
unmet = []
for line in json.loads(sys.argv[1]):
    requirement = Requirement(line)
    if requirement.marker is not None and not requirement.marker.evaluate():
        continue
    try:
        found = version(requirement.name)
    except PackageNotFoundError:
        unmet.append(f"{line} (not installed)")
        continue
    if not requirement.specifier.contains(found, prereleases=True):
        unmet.append(f"{line} (has {found})")
print(json.dumps(unmet))
"""


def unmet_requirements(requirements: list[str], python_env: Path) -> list[str]:
    """The requirements an environment does not satisfy, judged by that environment's Python."""
    result = subprocess.run(
        [str(python_env / "bin" / "python"), "-c", _CHECK_REQUIREMENTS, json.dumps(requirements)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


# ---------------------------------------------------------------- where the code came from


_LOADED = re.compile(r"^# code object from '?(?P<path>[^']+?)'?$|^# (?P<cached>\S+) matches (?P<source>\S+)$", re.M)


def loaded_project_files(verbose_output: str) -> tuple[set[Path], set[Path]]:
    """From a PYTHONVERBOSE=1 run: (project modules loaded from the checkout, all source files
    loaded). The app's environment has the checkout installed editable, so an import the view
    cannot satisfy would quietly succeed from the checkout; the verbose log says which it was."""
    loaded: set[Path] = set()
    for match in _LOADED.finditer(verbose_output):
        path = Path(match.group("path") or match.group("source"))
        if path.suffix == ".pyc" and path.parent.name == "__pycache__":
            path = path.parent.parent / (path.name.split(".")[0] + ".py")
        loaded.add(path)
    checkout = {ROOT / package for package in PROJECT_PACKAGES}
    from_checkout = {path for path in loaded if any(path.is_relative_to(folder) for folder in checkout)}
    return from_checkout, loaded
