"""The `amicable` command is installed in the project's environment (`.venv/bin/amicable`, as
pyproject's [project.scripts] declares), so the README's commands run as written, from any
directory; and an agent's password can be piped in without warnings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from amicable.paths import ROOT

COMMAND = ROOT / ".venv" / "bin" / "amicable"


def test_the_command_exists_and_runs_from_any_directory(tmp_path: Path):
    assert COMMAND.exists(), "make (scripts/bootstrap.py) installs the project into .venv"
    result = subprocess.run([str(COMMAND), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "agent-add" in result.stdout


def test_an_agent_password_is_read_from_standard_input_without_noise(tmp_path: Path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'agents.db'}"}
    subprocess.run([str(COMMAND), "migrate"], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120)
    result = subprocess.run(
        [str(COMMAND), "agent-add", "lea@example.com", "--role", "supervisor"],
        cwd=tmp_path,
        env=env,
        input="a long enough secret\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "lea@example.com can now sign in at /agent as supervisor" in result.stdout
    assert "Warning" not in result.stderr and "Password" not in result.stdout
