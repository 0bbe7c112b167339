"""`PATCH /api/v1/accounts/{reference}` changes only the fields it names; an unknown reference is
404, an unknown field 422. Each test changes its own account of the module's portfolio."""

from __future__ import annotations

import copy

import pytest
from fastapi.testclient import TestClient

from tests.blind_portfolio.support import LIST, Portfolio, readback, walk
from tests.conftest import AUTH


def _without(body: dict, *paths: tuple[str, ...]) -> dict:
    """A copy without the given nested keys, and without any `updated_at`."""
    body = copy.deepcopy(body)
    for path in paths:
        node = body
        for key in path[:-1]:
            node = node[key]
        node.pop(path[-1], None)

    def strip(node: object) -> None:
        if isinstance(node, dict):
            node.pop("updated_at", None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(body)
    return body


def patch(api: TestClient, reference: str, body: dict, headers: dict | None = None):  # type: ignore[no-untyped-def]
    return api.patch(f"{LIST}/{reference}", json=body, headers=headers or AUTH)


def test_patch_changes_only_the_debtors_email(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    before = readback(rw_api, "BW-2025-0002")
    others = {ref: readback(rw_api, ref) for ref in ("HE-A16DD6E4", "PT/NL/7783", "FAC/2025/00123")}
    response = patch(rw_api, "BW-2025-0002", {"debtor": {"email": "f.lefevre@proton.me"}})
    assert response.status_code == 200, response.text
    after = readback(rw_api, "BW-2025-0002")
    assert after["debtor"]["email"] == "f.lefevre@proton.me"
    assert _without(after, ("debtor", "email")) == _without(before, ("debtor", "email"))
    for reference, state in others.items():
        assert _without(readback(rw_api, reference)) == _without(state), reference


def test_the_new_email_is_what_search_finds(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    response = patch(rw_api, "BW-2025-0003", {"debtor": {"email": "Sofie.Janssens@Example.org"}})
    assert response.status_code == 200, response.text
    assert walk(rw_api, {"q": "@telenet.be"}).references == ["PT/BE/0092"]
    assert walk(rw_api, {"q": "Janssens@"}).references == ["BW-2025-0003"]


def test_patch_keeps_the_fields_left_out(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    before = readback(rw_api, "BW-2025-0001")
    response = patch(rw_api, "BW-2025-0001", {"debtor": {"language": "fr"}})
    assert response.status_code == 200, response.text
    after = readback(rw_api, "BW-2025-0001")
    assert after["debtor"]["language"] == "fr"
    for key in ("name", "phone", "email", "country", "timezone"):
        assert after["debtor"][key] == before["debtor"][key], key
    assert after["invoices"] == before["invoices"]
    assert after["balance"] == before["balance"] == "120.50"
    assert after["creditor"] == "Brightwater Energy"


def test_two_fields_at_once(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    response = patch(rw_api, "BW-2025-0008", {"debtor": {"phone": "+34699000111", "timezone": "Atlantic/Canary"}})
    assert response.status_code == 200, response.text
    debtor = readback(rw_api, "BW-2025-0008")["debtor"]
    assert (debtor["phone"], debtor["timezone"]) == ("+34699000111", "Atlantic/Canary")
    assert (debtor["name"], debtor["email"], debtor["country"]) == ("Ana Sofía Núñez", "ana.nunez@correo.es", "ES")


@pytest.mark.beyond_spec
def test_patch_answers_the_read_back(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    """The answer is the account as the read-back gives it."""
    response = patch(rw_api, "BW-2025-0005", {"debtor": {"phone": "+31612000999"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reference"] == "BW-2025-0005"
    assert body["debtor"]["phone"] == "+31612000999"
    assert _without(body) == _without(readback(rw_api, "BW-2025-0005"))


def test_an_empty_patch_changes_nothing(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    before = readback(rw_api, "HE-A16DD6E4")
    response = patch(rw_api, "HE-A16DD6E4", {})
    assert response.status_code in (200, 422), response.text
    assert _without(readback(rw_api, "HE-A16DD6E4")) == _without(before)


def test_patch_of_an_unknown_reference_is_404(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    response = patch(rw_api, "BW-2099-0404", {"debtor": {"email": "x@example.com"}})
    assert response.status_code == 404, response.text
    assert response.json().get("detail")
    assert walk(rw_api, limit=50).totals == [len(rw_portfolio.references)]


UNKNOWN_FIELDS = [
    {"colour": "blue"},
    {"debtor": {"favourite_colour": "blue"}},
    {"debtor": {"email": "m.dupont@proton.me", "shoe_size": 44}},
    {"invoices_to_forget": ["FKT-MLS20250042-1"]},
]
INVALID_VALUES = [
    {"debtor": {"email": "not-an-address"}},
    {"debtor": {"language": "xx"}},
    {"debtor": {"timezone": "Mars/Olympus_Mons"}},
    {"debtor": {"name": ""}},
    {"debtor": {"country": "BEL"}},
]


@pytest.mark.parametrize("body", UNKNOWN_FIELDS + INVALID_VALUES)
def test_an_unknown_field_or_a_bad_value_is_422_and_changes_nothing(
    rw_api: TestClient, rw_portfolio: Portfolio, body: dict
) -> None:
    before = readback(rw_api, "MLS-2025-0042")
    response = patch(rw_api, "MLS-2025-0042", body)
    assert response.status_code == 422, response.text
    assert response.json().get("detail")
    assert _without(readback(rw_api, "MLS-2025-0042")) == _without(before)


def test_patch_needs_a_key(rw_api: TestClient, rw_portfolio: Portfolio) -> None:
    wrong = {"Authorization": "Bearer not-a-key-at-all-0123456789"}
    response = patch(rw_api, "INV-2025-00871", {"debtor": {"email": "x@example.com"}}, headers=wrong)
    assert response.status_code == 401
    assert readback(rw_api, "INV-2025-00871")["debtor"]["email"] == "lotte.peeters@outlook.com"
