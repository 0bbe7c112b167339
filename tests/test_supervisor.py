"""`make run`'s supervisor (amicable/runtime/supervisor.py) with stand-in processes: one ready
line only once every check passes, library warnings silenced in the children, and Ctrl-C
stopping everything with exit 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from amicable.runtime.stack import free_port

SCRIPT = """
import sys
from pathlib import Path
import amicable.runtime.supervisor as s
from amicable.runtime.supervisor import procfile, ready_check, supervise
port, s.FIRST_PAUSE = int(sys.argv[2]), float(sys.argv[5])
checks = {"server": ready_check(f"http://127.0.0.1:{port}/")}
sys.exit(supervise(procfile(Path(sys.argv[1])), {}, checks, sys.argv[4], Path(sys.argv[3])))
"""


def supervisor_command(
    tmp_path: Path, procfile: str, port: int, ready: str = "READY", first_pause: float = 1.0
) -> list[str]:
    """The supervisor over `procfile` (written into tmp_path), its ready check on `port`."""
    (tmp_path / "Procfile").write_text(procfile)
    return [sys.executable, "-c", SCRIPT, str(tmp_path / "Procfile"), str(port), str(tmp_path), ready, str(first_pause)]


def start_supervisor(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(command, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# The children find the project as the tests do.
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def test_one_ready_line_no_warnings_and_a_clean_stop(tmp_path: Path):
    port = free_port()
    python = sys.executable
    warn = "import warnings; warnings.warn('old api', DeprecationWarning, stacklevel=1); print('noisy started', flush=True)"
    # The server starts late, so the ready line must wait for it.
    serve = f"import time; time.sleep(1.5); import http.server as h; h.test(HandlerClass=h.SimpleHTTPRequestHandler, port={port}, bind='127.0.0.1')"
    procfile = f'noisy: {python} -c "{warn}; import time; time.sleep(600)"\nserver: {python} -c "{serve}"\n'
    supervisor = start_supervisor(supervisor_command(tmp_path, procfile, port, "READY: http://localhost/agent"))
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = supervisor.stdout.readline()
        lines.append(line)
        if line.startswith("READY"):
            break
    assert any(line.startswith("READY: http://localhost/agent") for line in lines), lines
    assert any("noisy" in line and "started" in line for line in lines)
    supervisor.send_signal(signal.SIGTERM)  # as `kill` does; Ctrl-C (SIGINT) takes the same path
    rest, _ = supervisor.communicate(timeout=60)
    output = "".join(lines) + rest
    assert supervisor.returncode == 0, output
    assert output.count("READY") == 1
    assert "DeprecationWarning" not in output and "Traceback" not in output, output
    # Nothing left running: the stand-in server's port is free again.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def _read_until(process: subprocess.Popen[str], lines: list[str], wanted, seconds: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if wanted("".join(lines)):
            return
    raise AssertionError("".join(lines))


def test_a_process_that_dies_is_started_again_while_the_others_keep_serving(tmp_path: Path):
    """One process dying (as Rasa or the action server may) does not stop the others: it is
    started again, with a growing pause, and said so; the server answered throughout."""
    port = free_port()
    python = sys.executable
    starts = tmp_path / "starts"
    flaky = f"import pathlib, time; p = pathlib.Path(r'{starts}'); p.write_text(p.read_text() + 'x' if p.exists() else 'x'); print('flaky up', flush=True); time.sleep(1); raise SystemExit(3)"
    serve = f"import http.server as h; h.test(HandlerClass=h.SimpleHTTPRequestHandler, port={port}, bind='127.0.0.1')"
    procfile = f'server: {python} -c "{serve}"\nflaky: {python} -c "{flaky}"\n'
    supervisor = start_supervisor(supervisor_command(tmp_path, procfile, port, first_pause=0.2))
    lines: list[str] = []
    try:
        _read_until(supervisor, lines, lambda text: "READY" in text)
        _read_until(supervisor, lines, lambda text: text.count("flaky: starting again") >= 3)
        assert supervisor.poll() is None
        text = "".join(lines)
        assert "flaky stopped (exit 3); the others keep running; starting it again in 0.2 s." in text, text
        assert "starting it again in 0.4 s." in text  # the pause grows: 0.2, 0.4, 0.8 …
        assert len(starts.read_text()) >= 3
        # The server kept serving the whole time.
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        assert "server stopped" not in text
    finally:
        supervisor.send_signal(signal.SIGTERM)
        rest, _ = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 0, "".join(lines) + rest


def test_a_process_that_cannot_start_stops_the_stack_with_the_reason(tmp_path: Path):
    port = free_port()
    python = sys.executable
    command = supervisor_command(tmp_path, f'server: {python} -c "raise SystemExit(2)"\n', port, first_pause=0.2)
    result = subprocess.run(command, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "server stopped 3 times while starting (exit 2); stopping the others." in result.stdout


def test_a_second_signal_while_stopping_does_not_leave_children_running(tmp_path: Path):
    """Ctrl-C, then the TERM a wrapper (make, timeout) sends: the supervisor still stops every
    child, here one that ignores TERM and must be killed after the grace period."""
    port = free_port()
    python = sys.executable
    stubborn = (
        "import signal, http.server as h; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        f"h.test(HandlerClass=h.SimpleHTTPRequestHandler, port={port}, bind='127.0.0.1')"
    )
    # `exec`: the command itself is the process the supervisor waits for, for its grace period.
    supervisor = start_supervisor(supervisor_command(tmp_path, f'server: exec {python} -c "{stubborn}"\n', port))
    lines: list[str] = []
    _read_until(supervisor, lines, lambda text: "READY" in text)
    supervisor.send_signal(signal.SIGINT)
    time.sleep(1)
    supervisor.send_signal(signal.SIGTERM)
    rest, _ = supervisor.communicate(timeout=90)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the child outlived its supervisor: " + "".join(lines) + rest
