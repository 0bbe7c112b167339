"""Dates as debtors write them, resolved towards the future (runs the action server's parser
in the Rasa environment, where it lives)."""

from __future__ import annotations

import json
import subprocess

import pytest

from amicable.runtime.model import rasa_env
from amicable.runtime.paths import RASA_BIN, ROOT

TODAY = "2026-11-23"  # a Monday
CASES = [
    ("I can pay next Friday", "en", "2026-11-27"),
    ("friday next week", "en", "2026-12-04"),
    ("on the 28th", "en", "2026-11-28"),
    ("the 5th", "en", "2026-12-05"),
    ("end of the month", "en", "2026-11-30"),
    ("I get paid on the 25th, I will pay then", "en", "2026-11-25"),
    ("je peux payer vendredi", "fr", "2026-11-27"),
    ("je peux payer le 12 décembre", "fr", "2026-12-12"),
    ("fin du mois", "fr", "2026-11-30"),
    ("le 5", "fr", "2026-12-05"),
    ("dans deux semaines", "fr", "2026-12-07"),
    ("ik kan volgende week vrijdag betalen", "nl", "2026-12-04"),
    ("volgende vrijdag", "nl", "2026-11-27"),
    ("de 28ste", "nl", "2026-11-28"),
    ("eind van de maand", "nl", "2026-11-30"),
    ("I can pay", "en", None),
    ("yes", "en", None),
    ("je peux payer", "fr", None),
    ("ik kan betalen", "nl", None),
]


@pytest.fixture(scope="module")
def parsed() -> dict[str, str | None]:
    script = (
        "import json, sys\nfrom datetime import date\nfrom actions.parsing import parse_future_date\n"
        "cases = json.load(sys.stdin)\n"
        f"today = date.fromisoformat({TODAY!r})\n"
        "out = {t: (lambda d: d.isoformat() if d else None)(parse_future_date(t, today, l, 'Europe/Brussels')) for t, l, _ in cases}\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [str(RASA_BIN / "python"), "-W", "ignore", "-c", script],
        input=json.dumps(CASES),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=rasa_env(),
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("text", "language", "expected"), CASES)
def test_dates_resolve_to_the_right_day(parsed, text, language, expected):
    assert parsed[text] == expected
