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
from amicable.runtime.supervisor import procfile, ready_check, supervise
port = int(sys.argv[2])
checks = {"server": ready_check(f"http://127.0.0.1:{port}/")}
sys.exit(supervise(procfile(Path(sys.argv[1])), {}, checks, "READY: http://localhost/agent", Path(sys.argv[3])))
"""


def test_one_ready_line_no_warnings_and_a_clean_stop(tmp_path: Path):
    port = free_port()
    python = sys.executable
    warn = "import warnings; warnings.warn('old api', DeprecationWarning, stacklevel=1); print('noisy started', flush=True)"
    # The server starts late, so the ready line must wait for it.
    serve = f"import time; time.sleep(1.5); import http.server as h; h.test(HandlerClass=h.SimpleHTTPRequestHandler, port={port}, bind='127.0.0.1')"
    (tmp_path / "Procfile").write_text(
        f'noisy: {python} -c "{warn}; import time; time.sleep(600)"\nserver: {python} -c "{serve}"\n'
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    supervisor = subprocess.Popen(
        [python, "-c", SCRIPT, str(tmp_path / "Procfile"), str(port), str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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
