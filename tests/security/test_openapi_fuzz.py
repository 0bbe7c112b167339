"""Schemathesis against our own OpenAPI schema, on the real app served by uvicorn: every
operation gets generated requests, valid and invalid, with the operator's key. None may end
in a server error, every status code must be one the schema documents for that operation, and
every answer must match what the schema promises."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from amicable.db.migrate import upgrade
from amicable.settings import Settings
from server.app import create_app
from tests.browser.conftest import web  # noqa: F401 - the app on a real port
from tests.conftest import AUTH
from tests.factories import account_body


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the point is the schema and the handlers, not the database."""
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    upgrade(url)
    return url


def _schema() -> dict:
    """The schema as the app publishes it (the same for any settings)."""
    return create_app(Settings(amicable_demo=True, database_url="sqlite://", _env_file=None)).openapi()


schema = schemathesis.openapi.from_dict(_schema())


@pytest.fixture
def seeded(web: str) -> str:  # noqa: F811
    import httpx

    # One real file, so generated requests sometimes meet an existing reference.
    # A generous timeout: on a loaded machine the server's first request can be slow.
    httpx.post(f"{web}/api/v1/accounts", json=account_body("ACC-1001"), headers=AUTH, timeout=60).raise_for_status()
    return web


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_operation_fails_or_breaks_its_schema(case, seeded):
    from schemathesis.checks import not_a_server_error

    case.call_and_validate(
        base_url=seeded,
        headers=AUTH,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance],
        timeout=30,
    )
