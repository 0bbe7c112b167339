"""The layout tells the truth: every path ARCHITECTURE.md and the README name exists, and the
import contracts (dependencies point inward) hold."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A backticked path: has a slash or a known file ending, no spaces, no placeholders.
PATH = re.compile(r"`([A-Za-z0-9_./-]+(?:/|\.py|\.yml|\.md|\.html|\.txt|\.toml))`")
NOT_PATHS = {"/static", "/health"}
# Paths are checked when they start at the root: a directory of the repository, or a root file.
TOP = {"amicable", "api", "channels", "web", "server", "actions", "bot", "tests", "policies", "data", "docker"}
ROOT_FILES = {"ARCHITECTURE.md", "README.md", "locales.yml", "pyproject.toml", "config.yml", "domain.yml"}


def named_paths(document: str) -> list[str]:
    text = (ROOT / document).read_text(encoding="utf-8")
    found = []
    for match in PATH.finditer(text):
        path = match.group(1)
        if path.startswith(("/", "http", "../")) or path in NOT_PATHS or "{" in path:
            continue
        if path.split("/")[0] in TOP or path in ROOT_FILES:
            found.append(path)
    return sorted(set(found))


@pytest.mark.parametrize("document", ["ARCHITECTURE.md", "README.md"])
def test_every_path_a_document_names_exists(document):
    paths = named_paths(document)
    assert len(paths) > (30 if document == "ARCHITECTURE.md" else 10)
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"{document} names paths that do not exist: {missing}"


def test_the_architecture_names_every_door_and_core_package():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for package in ("api/", "web/", "channels/", "server/", "actions/", "bot/", "amicable/"):
        assert f"`{package}" in text, package
    for sub in sorted(p.name for p in (ROOT / "amicable").iterdir() if (p / "__init__.py").exists()):
        assert f"amicable/{sub}/" in text, f"ARCHITECTURE.md does not place amicable/{sub}/"


def test_the_import_contracts_hold():
    """The same check `make lint` runs; here so that a plain `pytest` catches a wrong import."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
