"""Installments taken from a saved method: which methods may be saved, the demo's local
provider saving and charging, and a demo method never charged outside the demo."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amicable.services import ServiceError, autopay, payment_events
from amicable.services.accounts import balance
from amicable.services.plans import record_plan
from tests.services.conftest import invoice


def test_sepa_debits_are_offered_for_euro_accounts_only(session, config, load):
    euro = record_plan(session, config, load(), Decimal("50"), None)
    pounds = load("GB-1", invoices=[invoice("G1", "120.00", -3, "GBP")], country="GB", postcode="SW1A1AA")
    sterling = record_plan(session, config, pounds, Decimal("50"), None)
    assert autopay.methods_for(config, euro) == ["sepa_debit", "card"]
    assert autopay.methods_for(config, sterling) == ["card"]
    with pytest.raises(ServiceError, match="sepa_debit cannot be saved"):
        autopay.start(session, config, sterling, "sepa_debit")


def test_only_an_active_plan_takes_a_method(session, config, load):
    account = load()
    old = record_plan(session, config, account, Decimal("50"), None)
    record_plan(session, config, account, Decimal("60"), None)
    with pytest.raises(ServiceError) as refused:
        autopay.start(session, config, old, "card")
    assert refused.value.status_code == 409


def test_in_the_demo_a_method_is_saved_and_an_installment_charged_once(session, config, load):
    account = load()
    plan = record_plan(session, config, account, Decimal("50"), None)
    assert payment_events.save_method(session, config, plan, "sepa_debit") is None  # no page to go to
    assert (plan.autopay_method, plan.autopay_payment_method) == ("sepa_debit", f"pm_local_{plan.id}")
    first = plan.installments[0]
    assert payment_events.charge_installment(session, config, plan, first, first.amount)
    session.flush()
    assert first.charge_id == f"pi_local_{plan.id}_1"
    assert balance(account) == Decimal("70.50")  # 120.50 - 50.00
    payment_events.charge_installment(session, config, plan, first, first.amount)  # the same charge again
    session.flush()
    assert balance(account) == Decimal("70.50")


def test_a_method_saved_in_the_demo_is_never_charged_outside_it(session, config, load):
    account = load()
    plan = record_plan(session, config, account, Decimal("50"), None)
    payment_events.save_method(session, config, plan, "card")
    production = config.model_copy(update={"amicable_demo": False})
    first = plan.installments[0]
    assert payment_events.charge_installment(session, production, plan, first, first.amount) is False
    assert first.charge_id == "failed:demo_method"
    assert (plan.autopay_method, plan.autopay_payment_method) == (None, None)  # back to links
    assert balance(account) == Decimal("120.50")
