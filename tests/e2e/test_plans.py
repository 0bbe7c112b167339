"""Negotiating an installment plan through the whole stack, in the three languages: the
debtor names a monthly amount, hears the schedule or the nearest plan that fits, and the
plan is recorded only after a yes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.stack


def test_lost_income_asks_what_is_affordable_and_counters_below_the_minimum(debtor):
    debtor.verify()
    asked = debtor.say("I lost my job last month")
    assert "month" in asked
    assert debtor.account()["reason"] == "income_loss"
    counter = debtor.say("I could manage ten a month")
    assert "€25.00" in counter and "€20.50" in counter and "€120.50" in counter
    assert debtor.account()["plans"] == []  # nothing before a yes
    done = debtor.say("yes")
    plans = debtor.account()["plans"]
    assert [i["amount"] for i in plans[0]["installments"]] == ["25.00"] * 4 + ["20.50"]
    assert debtor.account()["status"] == "in_plan"
    assert "5" in done and "€25.00" in done
    # The debtor may have the installments taken automatically; the page is theirs to open.
    assert f"/plans/{plans[0]['id']}/autopay" in done


def test_a_french_proposal_that_fits_is_confirmed_in_french_then_recorded(french_debtor):
    french_debtor.verify()
    proposal = french_debtor.say("je peux payer soixante euros par mois")
    assert "60,00 €" in proposal and "60,50 €" in proposal and "120,50 €" in proposal
    assert french_debtor.account()["plans"] == []
    done = french_debtor.say("oui c'est bon")
    plans = french_debtor.account()["plans"]
    assert "domiciliation" in done
    assert [i["amount"] for i in plans[0]["installments"]] == ["60.00", "60.50"]


def test_a_dutch_debtor_turns_down_the_schedule_and_proposes_again(dutch_debtor):
    dutch_debtor.say("hallo")
    dutch_debtor.say(dutch_debtor.reference)
    dutch_debtor.say("12-03-1985")
    dutch_debtor.say("3511AB")
    first = dutch_debtor.say("kan ik in termijnen betalen?")
    assert "maand" in first
    proposal = dutch_debtor.say("50 euro per maand")
    assert "€ 50,00" in proposal and "€ 20,50" in proposal
    again = dutch_debtor.say("nee")
    assert "maand" in again and dutch_debtor.account()["plans"] == []
    proposal = dutch_debtor.say("tweehonderdvijftig is te veel, maar veertig lukt wel")
    assert "€ 40,00" in proposal
    dutch_debtor.say("ja")
    plans = dutch_debtor.account()["plans"]
    assert [i["amount"] for i in plans[0]["installments"]] == ["40.00", "40.00", "40.50"]


def test_changing_ones_mind_mid_plan_to_pay_everything_now(debtor):
    debtor.verify()
    debtor.say("can I pay in installments")
    reply = debtor.say("actually, can I just pay it all now?")
    state = debtor.account()
    assert state["payment_links"] and state["payment_links"][0]["url"] in reply
    assert state["plans"] == []


def test_after_a_plan_a_link_is_for_the_next_installment_unless_everything_is_asked(debtor):
    debtor.verify()
    debtor.say("can I pay in installments")
    debtor.say("50 a month")
    debtor.say("yes")
    assert debtor.account()["status"] == "in_plan"
    first = debtor.say("can you send me a link to pay")
    assert "€50.00" in first and "installment" in first and "€120.50" not in first
    everything = debtor.say("actually I want to pay it all off now")
    assert "€120.50" in everything
    links = [link for link in debtor.account()["payment_links"] if link["status"] == "open"]
    assert sorted((link["purpose"], link["amount"]) for link in links) == [
        ("balance", "120.50"),
        ("installment", "50.00"),
    ]


def test_a_returning_debtor_hears_the_plan_they_have_before_any_change(debtor):
    debtor.verify()
    debtor.say("can I pay in installments")
    debtor.say("50 a month")
    debtor.say("yes")
    told = debtor.say("can I pay in installments")
    assert "already have a payment plan" in told and "€50.00" in told
    assert "All right" in debtor.say("no") or debtor.account()["plans"][0]["status"] == "active"
    assert [plan["status"] for plan in debtor.account()["plans"]] == ["active"]
    debtor.say("can I pay in installments")
    debtor.say("yes")
    debtor.say("40 a month")
    debtor.say("yes")
    plans = {plan["status"]: plan for plan in debtor.account()["plans"]}
    assert sorted(plans) == ["active", "cancelled"]
    assert {i["status"] for i in plans["cancelled"]["installments"]} == {"cancelled"}
    assert {i["amount"] for i in plans["active"]["installments"]} >= {"40.00"}
