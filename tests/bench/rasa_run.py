"""Checks of how the project changes Rasa's running (bot/), made in Rasa's own environment."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from amicable.paths import RASA_BIN, ROOT
from amicable.runtime.model import rasa_env


def in_rasa(script: str) -> dict[str, Any]:
    """Run `script` with Rasa's Python from the project's root; the JSON it prints last."""
    result = subprocess.run(
        [str(RASA_BIN / "python"), "-c", script], cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
