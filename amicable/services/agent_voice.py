"""How a person's words reach the debtor: a debtor must always know whether a bot or a
person is writing. When a colleague takes a conversation, the debtor is told who joined; each
of their messages carries their name on every channel.

Before the debtor's identity is confirmed, the creditor is not named (that would tell a
stranger holding the phone who the debt is owed to): the colleague joins "from our team".
How a colleague is named follows the creditor's policy (`handover.agent_name`)."""

from __future__ import annotations

from amicable.db.models import Agent, Conversation
from amicable.policy import Policy

JOINED = {
    "en": {
        "creditor": "{name} from {creditor} has joined the conversation. You are now talking with a person.",
        "team": "{name} from our team has joined the conversation. You are now talking with a person.",
    },
    "fr": {
        "creditor": "{name} de {creditor} a rejoint la conversation. Vous parlez maintenant avec une personne.",
        "team": "{name} de notre équipe a rejoint la conversation. Vous parlez maintenant avec une personne.",
    },
    "nl": {
        "creditor": "{name} van {creditor} neemt het gesprek over. U praat nu met een persoon.",
        "team": "{name} van ons team neemt het gesprek over. U praat nu met een persoon.",
    },
}
UNNAMED = {"en": "A colleague", "fr": "Un collègue", "nl": "Een collega"}
LEFT = {
    "en": "{name} has left the conversation; the assistant answers again.",
    "fr": "{name} a quitté la conversation ; l'assistant répond à nouveau.",
    "nl": "{name} heeft het gesprek verlaten; de assistent antwoordt weer.",
}


def _language(conversation: Conversation) -> str:
    language = conversation.language or (conversation.account.debtor.language if conversation.account else "en")
    return language if language in JOINED else "en"


def shown_name(agent: Agent, policy: Policy, language: str = "en") -> str:
    """The colleague's name as the debtor sees it. An agent entered without a name has their
    e-mail as name, which is never shown: they are "a colleague"."""
    name = agent.name.strip()
    if policy.handover.agent_name == "none" or not name or "@" in name:
        return UNNAMED.get(language, UNNAMED["en"])
    return name if policy.handover.agent_name == "full_name" else name.split()[0]


def joined(conversation: Conversation, agent: Agent, policy: Policy) -> str:
    language = _language(conversation)
    texts = JOINED[language]
    name = shown_name(agent, policy, language)
    if conversation.verified and conversation.account is not None:
        return texts["creditor"].format(name=name, creditor=conversation.account.creditor.name)
    return texts["team"].format(name=name)


def left(conversation: Conversation, agent: Agent, policy: Policy) -> str:
    language = _language(conversation)
    return LEFT[language].format(name=shown_name(agent, policy, language))


def signed(text: str, agent: Agent, policy: Policy, conversation: Conversation) -> str:
    """The message as it goes out on a text channel: the colleague's name first, so it cannot
    be taken for the assistant's. The web chat shows the name beside the message instead."""
    return f"{shown_name(agent, policy, _language(conversation))}: {text}"
