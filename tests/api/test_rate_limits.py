"""The API's request budgets (amicable/ratelimit.py): a key over its budget gets 429 with
Retry-After and a message, other keys go on; a source sending wrong keys is stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from amicable.db.session import transaction
from amicable.services import api_keys
from server.app import create_app
from tests.conftest import AUTH
from tests.factories import account_body


@pytest.fixture
def tight(settings) -> Iterator[TestClient]:
    limits = {"api-key": "5/minute", "api-wrong-key-source": "3/minute"}
    with TestClient(create_app(settings.model_copy(update={"rate_limits": limits}))) as client:
        yield client


def test_a_key_over_its_budget_is_told_to_wait_and_other_keys_go_on(tight):
    assert tight.post("/api/v1/accounts", json=account_body(), headers=AUTH).status_code == 201
    with transaction(tight.app.state.sessionmaker) as session:
        _, creditor_key = api_keys.create(session, "Brightwater Energy", "reports")
    codes = [tight.get("/api/v1/accounts/ACC-1001", headers=AUTH).status_code for _ in range(6)]
    assert codes == [200, 200, 200, 200, 429, 429]
    refused = tight.get("/api/v1/accounts/ACC-1001", headers=AUTH)
    assert refused.headers["Retry-After"] == "60" and "try again" in refused.json()["detail"]
    other = {"Authorization": f"Bearer {creditor_key}"}
    assert tight.get("/api/v1/accounts/ACC-1001", headers=other).status_code == 200


def test_a_source_guessing_keys_is_stopped(tight):
    wrong = {"Authorization": "Bearer not-a-key-at-all"}
    codes = [tight.get("/api/v1/accounts", headers=wrong).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
