"""`make run-scaled` as a person starts it: two Rasa servers, two action servers, two web
workers, Celery and the scheduler on PostgreSQL and Redis. The load script then checks every
transcript (each message stored once, in order, answered) across the instances, also while
one Rasa server is killed outright: its conversations go on with the other, which reads the
same trackers. Ctrl-C stops everything, datastores included."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from amicable.paths import APP_PYTHON, ROOT
from amicable.runtime import scaled

pytestmark = pytest.mark.stack

PORTS = (scaled.WEB_PORT, *scaled.RASA_PORTS, *scaled.ACTIONS_PORTS, scaled.POSTGRES_PORT, scaled.REDIS_PORT)


def _taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _load(command: list[str], levels: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, "--levels", levels], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture
def scaled_stack() -> tuple[subprocess.Popen[str], Path, list[str]]:
    if any(_taken(port) for port in PORTS):
        pytest.skip(f"one of the scaled stack's ports is in use: {PORTS}")
    log = ROOT / "var" / "scaled-test.log"
    log.parent.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "RASA_URL")}
    process = subprocess.Popen(
        [str(APP_PYTHON), "-m", "amicable", "run-scaled"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    ready = None
    while ready is None:
        assert process.poll() is None, log.read_text()[-4000:]
        assert time.monotonic() < deadline, log.read_text()[-4000:]
        ready = re.search(r"load check: (.+?) · Ctrl-C stops", log.read_text())
        time.sleep(1)
    command = ready.group(1).split()
    command[0] = str(APP_PYTHON)  # the line says .venv/bin/python, relative to the project
    yield process, log, command
    if process.poll() is None:  # a test failed before Ctrl-C: stop it the same way
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _clean(result: subprocess.CompletedProcess[str], levels: int) -> None:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if re.match(r"\|\s+\d+ \|", line)]
    assert len(rows) == levels
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[5:] == ["0", "0", "0", "0"], row  # errors, 429, incomplete, reordered


def test_no_turn_lost_duplicated_or_reordered_across_instances_nor_when_a_bot_dies(scaled_stack) -> None:
    """One test, in this order (the steps share one stack and the last stops it)."""
    process, log, command = scaled_stack
    _clean(_load(command, "1,16"), 2)

    # A Rasa server killed outright: its conversations go on with the other one.
    found = subprocess.run(["pgrep", "-f", "--", f"--port {scaled.RASA_PORTS[0]} "], capture_output=True, text=True)
    pids = [int(pid) for pid in found.stdout.split()]
    assert pids, "the first Rasa server is not running"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    _clean(_load(command, "16"), 1)
    assert "rasa1 stopped" in log.read_text()

    # Ctrl-C stops every process and both datastores.
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=120) == 0, log.read_text()[-3000:]
    deadline = time.monotonic() + 30
    while any(_taken(port) for port in PORTS):
        assert time.monotonic() < deadline, [port for port in PORTS if _taken(port)]
        time.sleep(0.5)
