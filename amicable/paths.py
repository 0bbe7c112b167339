"""Where things live on a developer's machine. The cache outlives clones, so a fresh clone
reuses environments and trained models built from the same inputs."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("AMICABLE_CACHE_DIR", Path.home() / ".cache" / "amicable"))
RASA_BIN = ROOT / ".venv-rasa" / "bin"
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
MODEL = ROOT / "models" / "amicable.tar.gz"
