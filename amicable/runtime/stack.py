"""Start the whole stack as real processes on chosen ports, for end-to-end tests and the
benchmark. `make run` uses the Procfile instead; both run the same commands."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from amicable.paths import APP_PYTHON, MODEL, RASA_BIN, ROOT
from amicable.runtime.model import rasa_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    workdir: Path
    api_key: str
    database_url: str
    web_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    # Settings for the web process beyond the defaults (a provider's token in tests, say).
    web_env: dict[str, str] = field(default_factory=dict)
    # The action server's scoped key, the secret of debtors' links and Rasa's API token: each
    # its own random value, as production has them.
    actions_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    link_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # How each process was started, so that one can be started again (`restart`).
    commands: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.commands[name] = (command, env)
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the process's life
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self, *, web: bool = True, timeout: float = 240) -> Stack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        endpoints = self.workdir / "endpoints.yml"
        # The conversations' state in a SQL store of its own, as `make run` has it
        # (endpoints.yml): a restarted Rasa goes on where each conversation was.
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n  enable_selective_domain: true\n'
            f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{self.workdir / "rasa-tracker.db"}"\n'
        )
        common = {
            **os.environ,
            "AMICABLE_API_KEY": self.api_key,
            "AMICABLE_ACTIONS_KEY": self.actions_key,
            "AMICABLE_LINK_SECRET": self.link_secret,
            "RASA_TOKEN": self.rasa_token,
            "AMICABLE_DEMO": "1",
        }
        self._spawn(
            "actions",
            [str(RASA_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            {
                **{k: v for k, v in rasa_env().items() if k != "AMICABLE_API_KEY"},
                "AMICABLE_ACTIONS_KEY": self.actions_key,
                "SANIC_HOST": "127.0.0.1",
                "AMICABLE_API_URL": self.web_url,
            },
        )
        self._spawn(
            "rasa",
            [
                str(RASA_BIN / "rasa"),
                "run",
                "--enable-api",
                # One argument: a token that begins with "-" must not read as an option.
                f"--auth-token={self.rasa_token}",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "credentials.yml",
            ],
            {**rasa_env(), "RASA_TOKEN": self.rasa_token},
        )
        if web:
            self._spawn(
                "web",
                [str(APP_PYTHON), "-m", "amicable", "serve", "--host", "127.0.0.1", "--port", str(self.web_port)],
                {
                    **common,
                    "DATABASE_URL": self.database_url,
                    "RASA_URL": self.rasa_url,
                    "PUBLIC_BASE_URL": self.web_url,
                    **self.web_env,
                },
            )
        try:
            self.wait(timeout)
        except BaseException:
            self.stop()  # never leave half a stack running
            raise
        return self

    def wait(self, timeout: float) -> None:
        checks = {
            "actions": f"http://127.0.0.1:{self.actions_port}/health",
            "rasa": f"{self.rasa_url}/status?token={self.rasa_token}",
        }
        if "web" in self.processes:
            checks["web"] = f"{self.web_url}/health"
        deadline = time.monotonic() + timeout
        pending = dict(checks)
        while pending:
            for name, url in list(pending.items()):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.workdir / (name + '.log')}")
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
            if pending:
                time.sleep(0.5)

    def kill(self, name: str) -> None:
        """Kill one process outright (SIGKILL, no goodbye), as a crash or an OOM kill would."""
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)

    def restart(self, name: str, timeout: float = 240) -> None:
        """Start a killed process again with its own command, and wait until it answers."""
        command, env = self.commands[name]
        self._spawn(name, command, env)
        self.wait(timeout)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
