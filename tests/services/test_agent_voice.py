"""How a colleague is named to the debtor: joined, signed, left; the creditor named only once
identity is confirmed; the creditor's naming policy followed."""

from __future__ import annotations

from amicable.db.models import Agent, Conversation
from amicable.policy import HandoverPolicy, Policy
from amicable.services import agent_voice


def _policy(naming: str) -> Policy:
    return Policy(handover=HandoverPolicy(agent_name=naming))


def test_the_creditor_is_named_only_to_a_confirmed_debtor(load):
    account = load("B-1")
    agent = Agent(name="Sam Peeters", email="sam@bw.example", role="agent", password_hash="x")
    stranger = Conversation(id="sms:+1", channel="sms", language="en", verified=False, account=account)
    debtor = Conversation(id="sms:+2", channel="sms", language="fr", verified=True, account=account)
    assert agent_voice.joined(stranger, agent, Policy()) == (
        "Sam from our team has joined the conversation. You are now talking with a person."
    )
    assert agent_voice.joined(debtor, agent, Policy()).startswith("Sam de Brightwater Energy a rejoint")
    assert agent_voice.signed("Bonjour", agent, Policy(), debtor) == "Sam: Bonjour"


def test_the_naming_policy_is_followed():
    agent = Agent(name="Sam Peeters", email="sam@bw.example", role="agent", password_hash="x")
    unnamed = Agent(name="desk@bw.example", email="desk@bw.example", role="agent", password_hash="x")
    assert agent_voice.shown_name(agent, _policy("first_name")) == "Sam"
    assert agent_voice.shown_name(agent, _policy("full_name")) == "Sam Peeters"
    assert agent_voice.shown_name(agent, _policy("none"), "nl") == "Een collega"
    # An e-mail is never shown to a debtor as a name.
    assert agent_voice.shown_name(unnamed, _policy("full_name")) == "A colleague"
