"""The few things the gateway says itself, without the bot, in the debtor's language."""

from __future__ import annotations

GATEWAY_TEXTS: dict[str, dict[str, str]] = {
    "too_long": {
        "en": "That's a long message, and I'd rather not get it wrong. Could you tell me in a sentence or two what you'd like to do?",
        "fr": "Votre message est un peu long et je ne voudrais pas mal le comprendre. Pouvez-vous me dire en une ou deux phrases ce que vous souhaitez faire ?",
        "nl": "Dat is een lang bericht en ik wil het niet verkeerd begrijpen. Kunt u in een of twee zinnen zeggen wat u wilt doen?",
    },
    "with_agent": {
        "en": "Thank you, a colleague has your conversation and will answer you here.",
        "fr": "Merci, un collègue a repris votre conversation et vous répondra ici.",
        "nl": "Dank u, een collega heeft uw gesprek overgenomen en antwoordt u hier.",
    },
    "unavailable": {
        "en": "Sorry, I can't answer right now. Nothing you wrote is lost; please try again in a minute.",
        "fr": "Désolé, je ne peux pas répondre pour le moment. Rien de ce que vous avez écrit n'est perdu ; réessayez dans une minute.",
        "nl": "Sorry, ik kan nu even niet antwoorden. Niets van wat u schreef is verloren; probeer het over een minuut opnieuw.",
    },
}


def gateway_text(key: str, language: str | None) -> str:
    texts = GATEWAY_TEXTS[key]
    return texts.get(language or "en", texts["en"])
