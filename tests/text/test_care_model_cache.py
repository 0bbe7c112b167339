"""The care model is kept in the cache between starts (amicable/text/care.py `_learned`):
loaded, it reads messages exactly as the model just learned; any change to what it is learned
from learns it again; a damaged file is learned again, never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.text import care

EXAMPLES = """
messages:
- text: i want to end my life
  cue: suicidal
- text: my husband died last month
  cue: bereavement
- text: can i pay next friday
  cue: none
"""
MESSAGES = ["i want to end it all", "my wife passed away", "send me the link", "i will pay myself"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(care, "CACHE", tmp_path)
    care._learned.cache_clear()
    yield tmp_path / "care-models"
    care._learned.cache_clear()


def _read(model) -> list[list[float]]:  # noqa: ANN001
    return model.predict_proba([care._fold(m) for m in MESSAGES]).round(6).tolist()


def test_a_kept_model_reads_as_the_learned_one_and_a_change_learns_again(cache: Path) -> None:
    learned = care._learned("en", EXAMPLES)
    files = list(cache.glob("en-*.joblib"))
    assert len(files) == 1
    written = files[0].stat().st_mtime_ns
    care._learned.cache_clear()
    loaded = care._learned("en", EXAMPLES)
    assert loaded is not learned and _read(loaded) == _read(learned)
    assert files[0].stat().st_mtime_ns == written  # read, not written again

    care._learned.cache_clear()
    care._learned("en", EXAMPLES + "- text: my dad is in hospital\n  cue: illness\n")
    assert len(list(cache.glob("en-*.joblib"))) == 2


def test_a_damaged_file_is_learned_again(cache: Path) -> None:
    learned = care._learned("en", EXAMPLES)
    (path,) = cache.glob("en-*.joblib")
    path.write_bytes(b"not a model")
    care._learned.cache_clear()
    again = care._learned("en", EXAMPLES)
    assert _read(again) == _read(learned)
    assert path.stat().st_size > 1000
