"""Every file under policies/ checked at once: creditors' collection policies, outreach
strategies and their templates, the countries' compliance rules, and the care cues and
crisis lines (policies/care/). Run at start (the web
process refuses to serve a broken tree) and by `amicable validate`."""

from __future__ import annotations

from pathlib import Path

from amicable.compliance.rules import Rulebook, rulebook
from amicable.outreach.strategy import check_strategies
from amicable.policy import check_policies
from amicable.text import care


def check_all(policies_dir: Path) -> list[str]:
    """Load and validate everything; return the creditors that have files of their own."""
    own = check_policies(policies_dir)
    strategies = check_strategies(policies_dir)
    rulebook.cache_clear()
    Rulebook(policies_dir / "compliance")
    care.check(policies_dir / "care")
    return sorted(set(own) | set(strategies))
