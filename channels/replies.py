"""The few things the gateway says itself, without the bot, in the debtor's language."""

from __future__ import annotations

GATEWAY_TEXTS: dict[str, dict[str, str]] = {
    "crisis": {
        "en": "I'm really sorry you're feeling this way, and I'm glad you told me. You don't have to face this alone: you can talk to someone right now, free and in confidence — {lines}. If you are in danger right now, call 112. I've asked a colleague to contact you as soon as they can, and we won't ask you about any payment.",
        "fr": "Je suis vraiment désolé que vous vous sentiez comme ça, et merci de me l'avoir dit. Vous n'êtes pas seul·e : vous pouvez parler à quelqu'un tout de suite, gratuitement et en toute confidentialité — {lines}. Si vous êtes en danger maintenant, appelez le 112. J'ai demandé à un collègue de vous contacter dès que possible, et nous ne vous parlerons d'aucun paiement.",
        "nl": "Het spijt me echt dat u zich zo voelt, en fijn dat u het me vertelt. U hoeft dit niet alleen te dragen: u kunt nu meteen met iemand praten, gratis en in vertrouwen — {lines}. Bent u nu in gevaar, bel dan 112. Ik heb een collega gevraagd zo snel mogelijk contact met u op te nemen, en we spreken u niet over betalingen aan.",
    },
    "card_in_chat": {
        "en": "For your safety I've taken your card details out of our conversation: please never share them in a chat, not even with us. Payments go only through our secure pay page, and I'll help you get there.",
        "fr": "Pour votre sécurité, j'ai retiré les données de votre carte de notre conversation : ne les communiquez jamais dans un chat, même à nous. Les paiements se font uniquement sur notre page de paiement sécurisée, et je vais vous y aider.",
        "nl": "Voor uw veiligheid heb ik uw kaartgegevens uit ons gesprek gehaald: deel ze nooit in een chat, ook niet met ons. Betalen gaat alleen via onze beveiligde betaalpagina, en ik help u daarbij.",
    },
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
    "stopped": {
        "en": "You won't get any more messages from us on this number. If you ever want to talk about your file, just write to us again.",
        "fr": "Vous ne recevrez plus de messages de notre part sur ce numéro. Si vous souhaitez parler de votre dossier, il vous suffit de nous réécrire.",
        "nl": "U krijgt van ons geen berichten meer op dit nummer. Wilt u later toch over uw dossier praten, stuur ons dan gewoon opnieuw een bericht.",
    },
    "help": {
        "en": "This is Amicable, an automated assistant that helps you settle an open bill. Write your question, or 'person' to talk to a colleague. Reply STOP to receive no more messages.",
        "fr": "Ici Amicable, un assistant automatique qui vous aide à régler une facture ouverte. Écrivez votre question, ou « conseiller » pour parler à un collègue. Répondez STOP pour ne plus recevoir de messages.",
        "nl": "Dit is Amicable, een geautomatiseerde assistent die u helpt een openstaande rekening te regelen. Stel uw vraag, of schrijf 'medewerker' om met een collega te praten. Antwoord STOP om geen berichten meer te krijgen.",
    },
    "media": {
        "en": "Thank you. I can only read text here, so could you write your message in words?",
        "fr": "Merci. Je ne peux lire que du texte ici : pouvez-vous m'écrire votre message ?",
        "nl": "Dank u. Ik kan hier alleen tekst lezen: kunt u uw bericht in woorden schrijven?",
    },
    "unknown_sender": {
        "en": "Thank you for your message. We could not read the number it came from; please write to us from your own phone number.",
        "fr": "Merci pour votre message. Nous n'avons pas pu lire le numéro d'envoi ; écrivez-nous depuis votre propre numéro, s'il vous plaît.",
        "nl": "Dank u voor uw bericht. We konden het nummer waarvan het kwam niet lezen; stuur ons een bericht vanaf uw eigen nummer.",
    },
    "slow_down": {
        "en": "You're writing faster than I can keep up with. Please wait a minute, then send your message again.",
        "fr": "Vous écrivez plus vite que je ne peux suivre. Attendez une minute, puis renvoyez votre message.",
        "nl": "U schrijft sneller dan ik kan volgen. Wacht even een minuut en stuur uw bericht dan opnieuw.",
    },
    # The bot is away: the message is kept for it (channels/outbox.py holds the row that makes
    # this true) and its answer will come on this channel.
    "kept": {
        "en": "Sorry, I can't answer right now. I have kept your message and will answer it here as soon as I can.",
        "fr": "Désolé, je ne peux pas répondre pour le moment. J'ai gardé votre message et j'y répondrai ici dès que possible.",
        "nl": "Sorry, ik kan nu even niet antwoorden. Ik heb uw bericht bewaard en beantwoord het hier zo snel mogelijk.",
    },
    # The bot was given the message but did not answer in time; its answer is looked for later.
    "late": {
        "en": "This is taking me longer than usual. I'll answer your message here as soon as I can.",
        "fr": "Cela me prend plus de temps que d'habitude. Je répondrai à votre message ici dès que possible.",
        "nl": "Dit duurt langer dan normaal. Ik beantwoord uw bericht hier zo snel mogelijk.",
    },
    # The bot answered with nothing (an action that failed): said plainly, with a way on.
    "no_answer": {
        "en": "Sorry, something went wrong on my side and I could not finish that. Could you say it again, or write 'person' to talk to a colleague?",
        "fr": "Désolé, un problème de mon côté m'a empêché de terminer. Pouvez-vous le redire, ou écrire « conseiller » pour parler à un collègue ?",
        "nl": "Sorry, er ging bij mij iets mis en ik kon dat niet afmaken. Kunt u het nog eens zeggen, of 'medewerker' schrijven om met een collega te praten?",
    },
    # Only what is true where nothing can answer later (a phone call): the message was not
    # acted on, so the debtor is asked to say it again.
    "unavailable": {
        "en": "Sorry, I can't answer right now, so I have not acted on your message. Please send it again in a minute.",
        "fr": "Désolé, je ne peux pas répondre pour le moment : votre message n'a pas encore été traité. Renvoyez-le dans une minute, s'il vous plaît.",
        "nl": "Sorry, ik kan nu even niet antwoorden: uw bericht is nog niet behandeld. Stuur het over een minuut opnieuw.",
    },
}


def gateway_text(key: str, language: str | None) -> str:
    texts = GATEWAY_TEXTS[key]
    return texts.get(language or "en", texts["en"])
