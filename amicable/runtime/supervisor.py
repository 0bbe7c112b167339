"""`make run`: the Procfile's processes started together, their output prefixed by name, one
"ready" line with every address once the bot has loaded its model, and Ctrl-C stopping them
all with a clean exit (no `make: *** Error 143`).

Python's own warnings (deprecations in the libraries the bot is built on) are switched off in
the children: a person starting the demo has nothing to do about them.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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


def supervise(
    processes: dict[str, str],
    env: dict[str, str],
    checks: dict[str, Callable[[], bool]],
    ready_line: str,
    cwd: Path,
    timeout: float = 600,
) -> int:
    """Run until Ctrl-C (exit 0) or until a process dies (exit 1, the others stopped)."""
    env = {**env, **QUIET}
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness polls are not news
    # Ctrl-C, or a `kill`: stop the children in order and exit cleanly. Set explicitly, since a
    # shell starting this in the background leaves SIGINT ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    width = max(len(name) for name in processes)
    children: dict[str, subprocess.Popen[str]] = {}
    for name, command in processes.items():
        children[name] = subprocess.Popen(
            command,
            shell=True,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # Ctrl-C reaches this supervisor, which stops them in order
        )
        threading.Thread(target=_relay, args=(name, children[name].stdout, width), daemon=True).start()
    try:
        pending, deadline = dict(checks), time.monotonic() + timeout
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"\n{name} stopped (exit {child.returncode}); stopping the others.", flush=True)
                    return 1
            for name, check in list(pending.items()):
                if check():
                    del pending[name]
                    if not pending:
                        print(f"\n{ready_line}\n", flush=True)
            if pending and time.monotonic() > deadline:
                print(f"\nnot ready after {timeout:.0f} s: {', '.join(pending)}", flush=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        _stop(children)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(children: dict[str, subprocess.Popen[str]]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    for child in children.values():
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
