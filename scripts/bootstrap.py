"""Build the two Python environments, or reuse them when nothing they depend on changed.

Runs on a bare machine with only the standard library, before any environment exists.
Each environment lives in a cache folder named by a fingerprint of its requirement file
and interpreter version, and the repository links `.venv` / `.venv-rasa` to it: a fresh
clone on a machine that already built the same environment links it in seconds.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("AMICABLE_CACHE_DIR", Path.home() / ".cache" / "amicable"))


def say(message: str) -> None:
    print(f"[setup] {message}", flush=True)


def fail(message: str) -> None:
    print(f"[setup] ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def python_version(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        return int(out[0]), int(out[1])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def find_python310() -> str:
    """Rasa 3.6 installs only on Python 3.8-3.10; we standardise on 3.10."""
    candidates = [shutil.which("python3.10") or ""]
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        root = str(Path.home() / ".pyenv")
    candidates += sorted(glob.glob(f"{root}/versions/3.10.*/bin/python3.10"), reverse=True)
    candidates += ["/usr/bin/python3.10", "/usr/local/bin/python3.10"]
    for candidate in candidates:
        if candidate and python_version(candidate) == (3, 10):
            return candidate
    fail(
        "Rasa 3.6 needs Python 3.10 and none was found.\n"
        "  Install it with one of:\n"
        "    pyenv install 3.10            (then run this again)\n"
        "    apt-get install python3.10 python3.10-venv\n"
        "  or put a python3.10 executable on PATH."
    )
    raise AssertionError  # unreachable


def requirement_files(requirements: Path) -> list[Path]:
    """The file and those it includes (`-r other.txt`, relative to it), each once."""
    files = [requirements]
    for line in requirements.read_text().splitlines():
        if line.startswith(("-r ", "--requirement ")):
            included = (requirements.parent / line.split(maxsplit=1)[1].strip()).resolve()
            files += [f for f in requirement_files(included) if f not in files]
    return files


def fingerprint(requirements: Path, interpreter: str) -> str:
    """Names the environment by everything pip installs into it: a change to an included
    file (dev.txt includes app.txt) is a change too."""
    digest = hashlib.sha256()
    for file in requirement_files(requirements):
        digest.update(file.read_bytes())
    digest.update(repr(python_version(interpreter)).encode())
    digest.update(b"bootstrap-v1")
    return digest.hexdigest()[:16]


def ensure_env(name: str, link: str, interpreter: str, requirements: Path) -> Path:
    target = CACHE / "venvs" / f"{name}-{fingerprint(requirements, interpreter)}"
    marker = target / ".complete"
    if not marker.exists():
        say(f"building the {name} environment in {target} (once per change of {requirements.name} or what it includes)")
        # A venv's scripts name its absolute path, so it is built where it will live; the
        # marker, written last, tells a finished environment from an interrupted one.
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([interpreter, "-m", "venv", str(target)], check=True)
        pip = [str(target / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip", "wheel"], check=True)
        subprocess.run([*pip, "-r", str(requirements)], check=True)
        marker.write_text("ok\n")
    link_path = ROOT / link
    if link_path.is_symlink() or link_path.exists():
        if link_path.resolve() == target.resolve():
            return target
        if link_path.is_symlink() or link_path.is_file():
            link_path.unlink()
        else:
            shutil.rmtree(link_path)
    link_path.symlink_to(target)
    say(f"{link} -> {target}")
    return target


def install_project(env: Path) -> None:
    """The project itself, editable, in its environment: `.venv/bin/amicable` exists as
    pyproject's [project.scripts] declares. The environment is shared by every checkout with
    the same requirements, so it is pointed at this checkout whenever it points elsewhere, or
    when pyproject.toml changed (the packages it installs may have)."""
    python = env / "bin" / "python"
    marker = env / "amicable-pyproject.sha256"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m, json; print(m.distribution('amicable').read_text('direct_url.json'))",
        ],
        capture_output=True,
        text=True,
    )
    current = marker.read_text().strip() if marker.exists() else ""
    if (
        where.returncode == 0
        and ROOT.as_uri() in where.stdout
        and (env / "bin" / "amicable").exists()
        and current == wanted
    ):
        return
    say(f"installing the project (editable) into {env.name}: the `amicable` command")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps"]
    quiet = {**os.environ, "PYTHONWARNINGS": "ignore"}  # setuptools's notes on its own config are not for users
    subprocess.run([*pip, "--no-build-isolation", "-e", str(ROOT)], check=True, env=quiet)
    marker.write_text(wanted)


def main() -> None:
    if sys.version_info < (3, 11):
        fail(f"the app needs Python 3.11 or newer to run setup; this is {sys.version.split()[0]}")
    # The development environment: the app's requirements (app.txt, what the image installs)
    # and the tools of the tests, lint and benchmarks (dev.txt).
    install_project(ensure_env("app", ".venv", sys.executable, ROOT / "requirements" / "dev.txt"))
    ensure_env("rasa", ".venv-rasa", find_python310(), ROOT / "requirements" / "rasa.txt")


if __name__ == "__main__":
    main()
