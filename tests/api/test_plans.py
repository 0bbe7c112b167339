"""Installment plans: a proposal becomes a schedule within the creditor's policy, or the
nearest schedule that fits; only a plan that fits is ever recorded."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from amicable.policy import PlanPolicy
from amicable.services import ServiceError
from amicable.services.plans import add_months, quote
from tests.conftest import AUTH
from tests.factories import account_body

POLICY = PlanPolicy(min_installment=Decimal("25.00"), max_installments=12, first_due_days=7)
TODAY = date(2026, 1, 24)


def test_a_proposal_that_fits_is_taken_as_it_is():
    offer = quote(Decimal("120.50"), Decimal("50"), POLICY, TODAY)
    assert offer.fits and offer.why is None
    assert offer.installments == [
        (date(2026, 1, 31), Decimal("50.00")),
        (date(2026, 2, 28), Decimal("50.00")),
        (date(2026, 3, 31), Decimal("20.50")),
    ]
    assert offer.total == Decimal("120.50")


def test_a_remainder_of_a_few_cents_joins_the_last_installment():
    offer = quote(Decimal("120.50"), Decimal("60"), POLICY, TODAY)
    assert [amount for _, amount in offer.installments] == [Decimal("60.00"), Decimal("60.50")]


def test_below_the_minimum_installment_is_countered_with_the_minimum():
    offer = quote(Decimal("120.50"), Decimal("10"), POLICY, TODAY)
    assert not offer.fits and offer.why == "below_minimum"
    assert offer.monthly == Decimal("25.00")
    assert [amount for _, amount in offer.installments] == [Decimal("25.00")] * 4 + [Decimal("20.50")]


def test_a_plan_longer_than_allowed_is_countered_with_the_longest_allowed():
    offer = quote(Decimal("1000.00"), Decimal("50"), POLICY, TODAY)
    assert not offer.fits and offer.why == "too_long"
    assert offer.monthly == Decimal("83.34")
    assert len(offer.installments) == 12
    assert offer.installments[-1][1] == Decimal("83.26")
    assert offer.total == Decimal("1000.00")


def test_more_than_the_balance_is_one_payment_of_the_balance():
    offer = quote(Decimal("120.50"), Decimal("500"), POLICY, TODAY)
    assert offer.fits
    assert offer.installments == [(date(2026, 1, 31), Decimal("120.50"))]


@pytest.mark.parametrize(("owed", "proposed"), [("0", "50"), ("100", "0"), ("100", "-5")])
def test_nothing_to_plan_is_an_error(owed, proposed):
    with pytest.raises(ServiceError):
        quote(Decimal(owed), Decimal(proposed), POLICY, TODAY)


def test_months_keep_the_day_or_take_the_last_day_of_a_short_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_quote_records_nothing_and_agreed_plan_is_recorded(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    due = (date.today() + timedelta(days=7)).isoformat()
    client.post("/api/v1/accounts/ACC-1001/promises", json={"due_on": due}, headers=AUTH)
    quoted = client.post("/api/v1/accounts/ACC-1001/plans/quote", json={"monthly_amount": "50"}, headers=AUTH)
    assert quoted.status_code == 200
    assert quoted.json()["fits"] is True
    assert [i["amount"] for i in quoted.json()["installments"]] == ["50.00", "50.00", "20.50"]
    assert quoted.json()["total"] == "120.50"
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["plans"] == []

    created = client.post(
        "/api/v1/accounts/ACC-1001/plans", json={"monthly_amount": "50.00", "conversation_id": "c-1"}, headers=AUTH
    )
    assert created.status_code == 201
    assert [i["status"] for i in created.json()["installments"]] == ["scheduled"] * 3
    state = client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["status"] == "in_plan"
    assert state["plans"][0]["id"] == created.json()["id"]
    assert state["promises"][0]["status"] == "replaced"
    assert state["contact_log"][-1]["kind"] == "plan"


def test_a_plan_outside_policy_is_refused_with_the_counter_offer(client):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    response = client.post("/api/v1/accounts/ACC-1001/plans", json={"monthly_amount": "10"}, headers=AUTH)
    assert response.status_code == 422
    assert "25.00" in response.json()["detail"]
    assert client.get("/api/v1/accounts/ACC-1001", headers=AUTH).json()["plans"] == []


@pytest.mark.parametrize("body", [{"monthly_amount": 50.5}, {"monthly_amount": "fifty"}, {}, {"monthly_amount": "-3"}])
def test_bad_plan_requests_are_refused_clearly(client, body):
    client.post("/api/v1/accounts", json=account_body(), headers=AUTH)
    response = client.post("/api/v1/accounts/ACC-1001/plans", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"]
