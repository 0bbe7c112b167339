"""Bring a database's schema up to date with Alembic (migrations/). A library function, so
the CLI, the benchmarks and the conversation simulator all migrate the same way."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from amicable.paths import ROOT


def upgrade(database_url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")
