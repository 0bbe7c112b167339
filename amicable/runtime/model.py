"""Train the Rasa model only when its inputs change.

The fingerprint covers everything training reads (config, domain, training data, the Rasa
environment's requirements); a model trained from the same inputs is taken from the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

from amicable.paths import CACHE, MODEL, RASA_BIN, ROOT

# bot/components holds custom NLU components once config.yml names any; evaluation code is not an input.
TRAINING_INPUTS = ("config.yml", "domain.yml", "data", "requirements/rasa.txt", "bot/components")


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        for file in _files(root / name) if (root / name).exists() else []:
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RASA_CACHE_DIRECTORY", str(CACHE / "rasa-graph-cache"))
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def ensure_model(force: bool = False) -> tuple[Path, float | None]:
    """Return the model path and the training time in seconds (None when reused)."""
    fp = fingerprint()
    cached = CACHE / "models" / f"{fp}.tar.gz"
    MODEL.parent.mkdir(exist_ok=True)
    if cached.exists() and not force:
        if not MODEL.exists() or fingerprint_of_current() != fp:
            shutil.copyfile(cached, MODEL)
            (MODEL.parent / "fingerprint").write_text(fp)
        return MODEL, None
    cached.parent.mkdir(parents=True, exist_ok=True)
    print(f"[train] training the bot model (inputs fingerprint {fp}); this takes a few minutes", flush=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(RASA_BIN / "rasa"),
            "train",
            "--fixed-model-name",
            f"{fp}-partial",
            "--out",
            str(cached.parent),
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
        ],
        cwd=ROOT,
        env=rasa_env(),
        check=True,
    )
    elapsed = time.monotonic() - started
    (cached.parent / f"{fp}-partial.tar.gz").rename(cached)
    (CACHE / "models" / f"{fp}.seconds").write_text(f"{elapsed:.1f}\n")
    shutil.copyfile(cached, MODEL)
    (MODEL.parent / "fingerprint").write_text(fp)
    print(f"[train] trained in {elapsed:.0f} s", flush=True)
    return MODEL, elapsed


def fingerprint_of_current() -> str | None:
    marker = MODEL.parent / "fingerprint"
    return marker.read_text().strip() if marker.exists() and MODEL.exists() else None
