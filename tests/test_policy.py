"""Creditor policies: the default with each creditor's overrides laid over it, checked whole
before the web server starts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amicable.policy import check_policies, load_policy
from amicable.settings import ROOT
from server.app import create_app


def test_a_creditor_file_overrides_only_what_it_names(tmp_path):
    (tmp_path / "default.yml").write_text(
        "payment_link:\n  methods:\n    default: [card]\n    BE: [card, bancontact]\n"
        "plan:\n  min_installment: '25.00'\n  max_installments: 12\n"
    )
    (tmp_path / "acme.yml").write_text("plan:\n  max_installments: 24\ndiscount:\n  pay_in_full_percent: 2.5\n")
    acme = load_policy(tmp_path, "ACME")
    assert acme.plan.max_installments == 24
    assert acme.plan.min_installment == Decimal("25.00")  # from the default
    assert acme.methods_for("be") == ["card", "bancontact"]
    assert acme.discount.pay_in_full_percent == Decimal("2.5")
    assert load_policy(tmp_path, "Someone Else").discount.pay_in_full_percent == 0


def test_the_shipped_policies_are_valid():
    assert "polder-telecom" in check_policies(ROOT / "policies")


@pytest.mark.parametrize(
    "text, field",
    [
        ("discount:\n  pay_in_full_percent: 80\n", "line 2: discount.pay_in_full_percent"),
        (
            "# a comment\nplan:\n  min_installment: 10\n  max_instalments: 6\n",
            "line 4: plan.max_instalments: unknown key",
        ),
        ("promise:\n  max_days: 0\n", "line 2: promise.max_days"),
        ("- just a list\n", "line 1: expected a mapping"),
        ("handover:\n  hours:\n    mon: 17:00-09:00\n", "line 2: handover.hours: mon"),
        ("plan: [unclosed\n", "line 2: not valid YAML"),
    ],
)
def test_a_wrong_policy_stops_the_start_naming_the_field(tmp_path, settings, text, field):
    (tmp_path / "default.yml").write_text("")
    (tmp_path / "brightwater-energy.yml").write_text(text)
    with pytest.raises(ValueError, match=field) as error:
        create_app(settings.model_copy(update={"policies_dir": tmp_path}))
    assert "brightwater-energy.yml" in str(error.value)
