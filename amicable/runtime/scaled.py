"""`make run-scaled`: the production topology on one machine, every part a real process.

Two Rasa servers, two action servers, two web workers, Celery workers and the scheduler, on
PostgreSQL and Redis from the Debian packages (as the tests start them). What makes it safe
to run several of each:

- the web workers share nothing but PostgreSQL and Redis: the turn lock of a conversation,
  the throttles' counts and the campaign queue are in Redis (channels/turns.py,
  amicable/ratelimit.py, amicable/outreach/tasks.py);
- the Rasa servers share the conversations' trackers (PostgreSQL) and their lock store (Redis),
  so any of them can go on with any conversation; the web process sends each conversation to
  one of them and passes over one that cannot be reached (RASA_URL lists both,
  channels/outbox.py);
- each Rasa server calls its own action server; the action servers keep no state.

`amicable load --url http://127.0.0.1:8000 --database-url …` (printed at start) checks that
no turn is lost, duplicated or reordered across the instances.

Like `make run`, it is the demo (local pay provider, console senders, the demo's keys in
.env): the point is the topology, not production settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from glob import glob
from pathlib import Path

from amicable.paths import APP_PYTHON, MODEL, RASA_BIN, ROOT

INSTANCES = 2
WEB_PORT = 8000
RASA_PORTS = (5005, 5006)
ACTIONS_PORTS = (5055, 5056)
POSTGRES_PORT = 5433
REDIS_PORT = 6380


def pg_bin(name: str) -> str:
    """A PostgreSQL server program from Debian's packages (the newest installed), or on PATH."""
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True) or [shutil.which(name) or ""]
    if not found[0]:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (e.g. apt-get install postgresql)")
    return found[0]


@dataclass
class Datastores:
    """PostgreSQL and Redis of the scaled stack, their data kept under var/scaled/."""

    folder: Path

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://amicable@127.0.0.1:{POSTGRES_PORT}/amicable"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{REDIS_PORT}/0"

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # it refuses root

    @property
    def pg_folder(self) -> Path:
        """PostgreSQL's data, socket and log. As root it runs as the `postgres` user, who must be
        able to reach the folder: under var/scaled when every folder above it lets others in,
        otherwise (a checkout in a private folder) in the temporary folder, one per checkout."""
        if os.geteuid() != 0 or all(os.stat(p).st_mode & 0o001 for p in self.folder.resolve().parents):
            return self.folder / "pg"
        checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"amicable-scaled-pg-{checkout}"

    def _pg(self, *command: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self._as_postgres(), *command], capture_output=True, text=True, cwd=self.pg_folder)
        if result.returncode:
            raise RuntimeError(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()[-800:]}")
        return result

    def start(self) -> Datastores:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pg_folder.mkdir(parents=True, exist_ok=True)
        data = self.pg_folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.pg_folder, "postgres", "postgres")
            self.pg_folder.chmod(0o700)
        if not data.exists():
            self._pg(pg_bin("initdb"), "-D", str(data), "-U", "amicable", "--auth=trust", "-E", "UTF8")
        self._pg(
            pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.pg_folder / "postgres.log"),
            "-w",
            "-o",
            f"-p {POSTGRES_PORT} -k {self.pg_folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
            "start",
        )
        for name in ("amicable", "rasa"):
            exists = self._pg(
                pg_bin("psql"), "-h", "127.0.0.1", "-p", str(POSTGRES_PORT), "-U", "amicable", "-d", "postgres",
                "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
            )  # fmt: skip
            if not exists.stdout.strip():
                self._pg(pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(POSTGRES_PORT), "-U", "amicable", name)
        redis = shutil.which("redis-server")
        if not redis:
            raise RuntimeError("redis-server is not installed (e.g. apt-get install redis-server)")
        self.redis = subprocess.Popen(
            [redis, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        subprocess.run(
            [*self._as_postgres(), pg_bin("pg_ctl"), "-D", str(self.pg_folder / "data"), "-m", "fast", "stop"],
            capture_output=True,
            cwd=self.pg_folder,
        )
        if getattr(self, "redis", None) is not None:
            self.redis.terminate()
            self.redis.wait(timeout=15)


def endpoints(folder: Path, instance: int) -> Path:
    """Rasa server `instance`'s endpoints: its own action server, the shared stores."""
    path = folder / f"endpoints-{instance}.yml"
    path.write_text(
        "action_endpoint:\n"
        f'  url: "http://127.0.0.1:{ACTIONS_PORTS[instance]}/webhook"\n'
        "  enable_selective_domain: true\n"
        "tracker_store:\n"
        "  type: SQL\n"
        "  dialect: postgresql\n"
        "  url: 127.0.0.1\n"
        f"  port: {POSTGRES_PORT}\n"
        "  db: rasa\n"
        "  username: amicable\n"
        "lock_store:\n"
        "  type: redis\n"
        "  url: 127.0.0.1\n"
        f"  port: {REDIS_PORT}\n"
        "  db: 1\n"
        "  key_prefix: amicable\n"
    )
    return path


def processes(folder: Path, rasa_token: str) -> dict[str, str]:
    """name -> command, for the supervisor (amicable/runtime/supervisor.py)."""
    commands: dict[str, str] = {}
    for n in range(INSTANCES):
        commands[f"actions{n + 1}"] = (
            f"SANIC_HOST=127.0.0.1 AMICABLE_API_KEY= {RASA_BIN / 'python'} -m rasa_sdk --actions actions"
            f" --port {ACTIONS_PORTS[n]}"
        )
        commands[f"rasa{n + 1}"] = (
            f"{RASA_BIN / 'rasa'} run --enable-api --auth-token={rasa_token} --interface 127.0.0.1"
            f" --port {RASA_PORTS[n]} --model {MODEL} --endpoints {endpoints(folder, n)} --credentials credentials.yml"
        )
    # One socket, two worker processes (uvicorn's --workers): the kernel shares the connections.
    commands["web"] = (
        f"{APP_PYTHON} -m uvicorn server.app:create_app --factory --host 127.0.0.1 --port {WEB_PORT}"
        f" --workers {INSTANCES} --no-access-log --timeout-graceful-shutdown 5"
    )
    commands["worker"] = f"{APP_PYTHON} -m celery -A amicable.outreach.tasks worker --loglevel=INFO --concurrency=2"
    commands["scheduler"] = f"{APP_PYTHON} -m amicable scheduler"
    return commands


def environment(stores: Datastores) -> dict[str, str]:
    """What the app processes need beyond `make run`'s: the shared stores, both Rasa servers,
    and throttles wide enough for the load script from one address."""
    return {
        "DATABASE_URL": stores.database_url,
        "REDIS_URL": stores.redis_url,
        "RASA_URL": ",".join(f"http://127.0.0.1:{port}" for port in RASA_PORTS),
        "RATE_LIMITS": os.environ.get("RATE_LIMITS")
        or json.dumps({name: "100000/minute" for name in ("webhook-source", "conversation-source", "api-key")}),
    }


def ready_checks(rasa_token: str) -> dict[str, object]:
    from amicable.runtime.supervisor import ready_check

    checks: dict[str, object] = {"web": ready_check(f"http://127.0.0.1:{WEB_PORT}/health")}
    for n in range(INSTANCES):
        checks[f"actions{n + 1}"] = ready_check(f"http://127.0.0.1:{ACTIONS_PORTS[n]}/health")
        checks[f"rasa{n + 1}"] = ready_check(
            f"http://127.0.0.1:{RASA_PORTS[n]}/status?token={rasa_token}",
            lambda response: bool(response.json().get("model_file")),
        )
    return checks


def folder() -> Path:
    return ROOT / "var" / "scaled"
