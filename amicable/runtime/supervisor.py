"""`make run`: the Procfile's processes started together, their output prefixed by name, one
"ready" line with every address once the bot has loaded its model, a process that dies started
again with back-off while the others keep serving, and Ctrl-C stopping them all with a clean
exit (no `make: *** Error 143`).

Python's own warnings (deprecations in the libraries the bot is built on) are switched off in
the children: a person starting the demo has nothing to do about them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

QUIET = {
    "PYTHONWARNINGS": "ignore",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}


def procfile(path: Path) -> dict[str, str]:
    """name -> command, in the Procfile's order."""
    processes: dict[str, str] = {}
    for line in path.read_text().splitlines():
        name, _, command = line.partition(":")
        if line.strip() and not line.lstrip().startswith("#") and command.strip():
            processes[name.strip()] = command.strip()
    return processes


# A Python warning as printed ("/path/x.py:39: DeprecationWarning: ..."), perhaps coloured;
# the lines after it (its message's other lines, the source line) run until the next record.
WARNING = re.compile(r"^(?:\x1b\[[0-9;]*m)*\S+:\d+: \w*Warning: ")
RECORD = re.compile(r"^(?:\x1b\[[0-9;]*m)*(?:\d{4}-\d{2}-\d{2}|\[|INFO|WARNING|ERROR|CRITICAL|\w+:)")
COLOUR_ONLY = re.compile(r"^(?:\x1b\[[0-9;]*m)+\s*$")


def _relay(name: str, stream, width: int) -> None:  # noqa: ANN001 (a text stream)
    """Each line prefixed by its process's name; library warnings (some libraries switch
    Python's warnings back on themselves) left out, with their continuation lines."""
    in_warning = False
    for line in stream:
        if WARNING.match(line):
            in_warning = True
            continue
        if in_warning and not RECORD.match(line):
            continue
        in_warning = False
        if COLOUR_ONLY.match(line):
            continue
        sys.stdout.write(f"{name:<{width}} | {line}")
        sys.stdout.flush()


def ready_check(url: str, body: Callable[[httpx.Response], bool] | None = None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            response = httpx.get(url, timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and (body is None or body(response))

    return check


# A process that dies is started again after a pause that doubles on each quick death, from
# FIRST_PAUSE up to LONGEST_PAUSE; one that had run for STEADY seconds starts from the shortest
# pause again. Before the stack was ever ready, a process that dies STARTUP_DEATHS times is a
# broken set-up (a missing model, a port taken), said as such, not retried for ever.
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY = 60.0
STARTUP_DEATHS = 3


@dataclass
class _Child:
    name: str
    command: str
    process: subprocess.Popen[str]
    started: float
    deaths: int = 0
    pause: float = 0.0  # the next pause; 0 until its first death
    restart_at: float | None = None


def _start(name: str, command: str, env: dict[str, str], cwd: Path, width: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C reaches this supervisor, which stops them in order
    )
    threading.Thread(target=_relay, args=(name, process.stdout, width), daemon=True).start()
    return process


def supervise(
    processes: dict[str, str],
    env: dict[str, str],
    checks: dict[str, Callable[[], bool]],
    ready_line: str,
    cwd: Path,
    timeout: float = 600,
) -> int:
    """Run until Ctrl-C (exit 0). A process that dies is restarted with back-off while the
    others keep serving (the web process answers calmly meanwhile); exit 1 only when the stack
    never became ready (a process dying again and again at start, or checks failing for
    `timeout` seconds)."""
    env = {**env, **QUIET}
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness polls are not news
    # Ctrl-C, or a `kill`: stop the children in order and exit cleanly. Set explicitly, since a
    # shell starting this in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    width = max(len(name) for name in processes)
    children = {
        name: _Child(name, command, _start(name, command, env, cwd, width), time.monotonic())
        for name, command in processes.items()
    }
    try:
        pending, deadline, ready = dict(checks), time.monotonic() + timeout, False
        while True:
            now = time.monotonic()
            for child in children.values():
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        print(f"\n{child.name}: starting again (restart {child.deaths}).", flush=True)
                        child.process = _start(child.name, child.command, env, cwd, width)
                        child.started, child.restart_at = now, None
                        if child.name in checks and ready:
                            pending[child.name] = checks[child.name]
                    continue
                if child.process.poll() is None:
                    continue
                _stop_group(child.process)  # what it started must not hold its port
                child.deaths += 1
                if not ready and child.deaths >= STARTUP_DEATHS:
                    print(
                        f"\n{child.name} stopped {child.deaths} times while starting "
                        f"(exit {child.process.returncode}); stopping the others.",
                        flush=True,
                    )
                    return 1
                if not child.pause or now - child.started >= STEADY:
                    child.pause = FIRST_PAUSE
                print(
                    f"\n{child.name} stopped (exit {child.process.returncode}); the others keep running; "
                    f"starting it again in {child.pause:g} s.",
                    flush=True,
                )
                child.restart_at = now + child.pause
                child.pause = min(child.pause * 2, LONGEST_PAUSE)
            for name, check in list(pending.items()):
                if children[name].restart_at is None and check():
                    del pending[name]
                    if ready:
                        print(f"\n{name} is back.", flush=True)
                    elif not pending:
                        ready = True
                        print(f"\n{ready_line}\n", flush=True)
            if not ready and time.monotonic() > deadline:
                print(f"\nnot ready after {timeout:.0f} s: {', '.join(pending)}", flush=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        # A second Ctrl-C, or the TERM a wrapper (make, timeout) sends after the first, must not
        # cut the stopping short and leave children running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop({name: child.process for name, child in children.items()})


def _stop_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(children: dict[str, subprocess.Popen[str]]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=20)
        # The shell that started the command may be gone while the command itself, in its
        # process group, ignored the TERM: nothing of the group outlives the stop.
        _stop_group(child)
