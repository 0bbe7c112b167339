"""The pay and autopay pages' words in the debtor's language (money and dates are formatted
by amicable.money and amicable.language, like every other text debtors read)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "superseded": "This link has been replaced by a newer one, so it can no longer be paid. "
        "Please use the latest link we sent you, or ask the assistant for one.",
        "nothing_due": "Nothing is due on this file any more, so there is nothing to pay here. Thank you.",
        "link_cancelled": "This payment link was withdrawn and can no longer be paid. Nothing was charged.",
        "plan_replaced": "Your payment plan replaces this link. Each installment comes with its own link.",
        "changed": "The amount owed has changed since this link was made. Continue to pay what is owed now.",
        "refresh": "Show the amount owed now",
        "title": "Payment to {creditor}",
        "reference": "File reference",
        "discount": "{discount} off the balance for paying all of it at once.",
        "done": "Thank you: this payment is complete. You may close this page.",
        "confirming": "Thank you. We are waiting for your bank to confirm the payment; you may close this page.",
        "cancelled": "The payment was cancelled and nothing was charged. You can try again below.",
        "failed": "This payment did not go through. Ask the assistant for a new link, or try another method.",
        "invalid": "This payment link is no longer valid. Ask the assistant for a new one at any time.",
        "how": "How would you like to pay?",
        "pay": "Pay {amount}",
        "valid_until": "Valid until {date}.",
        "transfer": "Or transfer {amount} to {beneficiary}, IBAN {iban}, with the reference {reference}.",
        "autopay_title": "Installments to {creditor}, paid automatically",
        "autopay_intro": "Save a payment method once and each installment is taken on its due date. "
        "You are told of every amount a few days before, and you can stop at any time.",
        "autopay_how": "Which method should we use?",
        "autopay_save": "Save for my installments",
        "autopay_saved": "Thank you: your installments will now be paid automatically.",
        "autopay_cancelled": "Nothing was saved. You can try again below, or keep paying each installment by link.",
        "autopay_closed": "This plan is no longer active, so nothing can be saved for it.",
        # The local provider (the demo): no money moves, and the pages say so.
        "demo": "Demo: this is a test payment. No money moves and nothing is charged to anyone.",
        "autopay_demo": "Demo: this is a test page. No money moves and no real payment method is saved.",
        "unavailable": "Payment by this link is not possible. Nothing was charged. Ask the assistant for a new link.",
        "autopay_unavailable": "Installments cannot be paid automatically at the moment. Nothing was saved; "
        "please keep paying each installment by link.",
    },
    "fr": {
        "superseded": "Ce lien a été remplacé par un plus récent et ne peut plus être payé. "
        "Utilisez le dernier lien que nous vous avons envoyé, ou demandez-en un à l'assistant.",
        "nothing_due": "Plus rien n'est dû sur ce dossier : il n'y a rien à payer ici. Merci.",
        "link_cancelled": "Ce lien de paiement a été retiré et ne peut plus être payé. Rien n'a été débité.",
        "plan_replaced": "Votre plan de paiement remplace ce lien. Chaque échéance a son propre lien.",
        "changed": "Le montant dû a changé depuis la création de ce lien. Continuez pour payer ce qui est dû maintenant.",
        "refresh": "Afficher le montant dû maintenant",
        "title": "Paiement à {creditor}",
        "reference": "Référence du dossier",
        "discount": "{discount} de remise sur le solde pour un paiement en une fois.",
        "done": "Merci : ce paiement est terminé. Vous pouvez fermer cette page.",
        "confirming": "Merci. Nous attendons la confirmation de votre banque ; vous pouvez fermer cette page.",
        "cancelled": "Le paiement a été annulé et rien n'a été débité. Vous pouvez réessayer ci-dessous.",
        "failed": "Ce paiement n'a pas abouti. Demandez un nouveau lien à l'assistant ou essayez un autre moyen.",
        "invalid": "Ce lien de paiement n'est plus valable. Demandez-en un nouveau à l'assistant à tout moment.",
        "how": "Comment souhaitez-vous payer ?",
        "pay": "Payer {amount}",
        "valid_until": "Valable jusqu'au {date}.",
        "transfer": "Ou virez {amount} à {beneficiary}, IBAN {iban}, avec la communication {reference}.",
        "autopay_title": "Mensualités à {creditor}, payées automatiquement",
        "autopay_intro": "Enregistrez une fois un moyen de paiement et chaque mensualité sera prélevée à sa date. "
        "Vous êtes prévenu de chaque montant quelques jours avant et pouvez arrêter à tout moment.",
        "autopay_how": "Quel moyen souhaitez-vous utiliser ?",
        "autopay_save": "Enregistrer pour mes mensualités",
        "autopay_saved": "Merci : vos mensualités seront désormais payées automatiquement.",
        "autopay_cancelled": "Rien n'a été enregistré. Vous pouvez réessayer ci-dessous ou payer chaque mensualité par lien.",
        "autopay_closed": "Ce plan n'est plus actif : rien ne peut être enregistré.",
        "demo": "Démonstration : ceci est un paiement de test. Aucun argent n'est transféré et personne n'est débité.",
        "autopay_demo": "Démonstration : ceci est une page de test. Aucun argent n'est transféré et aucun "
        "moyen de paiement réel n'est enregistré.",
        "unavailable": "Le paiement par ce lien n'est pas possible. Rien n'a été débité. "
        "Demandez un nouveau lien à l'assistant.",
        "autopay_unavailable": "Les mensualités ne peuvent pas être payées automatiquement pour le moment. "
        "Rien n'a été enregistré ; continuez à payer chaque mensualité par lien.",
    },
    "nl": {
        "superseded": "Deze link is vervangen door een nieuwere en kan niet meer betaald worden. "
        "Gebruik de laatste link die we u stuurden, of vraag de assistent om een nieuwe.",
        "nothing_due": "Er staat niets meer open op dit dossier: hier valt niets te betalen. Dank u.",
        "link_cancelled": "Deze betaallink is ingetrokken en kan niet meer betaald worden. Er is niets afgeschreven.",
        "plan_replaced": "Uw betalingsregeling vervangt deze link. Elke termijn krijgt een eigen link.",
        "changed": "Het verschuldigde bedrag is veranderd sinds deze link werd gemaakt. Ga verder om te betalen wat nu openstaat.",
        "refresh": "Toon het bedrag dat nu openstaat",
        "title": "Betaling aan {creditor}",
        "reference": "Dossierreferentie",
        "discount": "{discount} korting op het saldo als u alles in één keer betaalt.",
        "done": "Dank u: deze betaling is voltooid. U kunt deze pagina sluiten.",
        "confirming": "Dank u. We wachten op de bevestiging van uw bank; u kunt deze pagina sluiten.",
        "cancelled": "De betaling is geannuleerd en er is niets afgeschreven. U kunt het hieronder opnieuw proberen.",
        "failed": "Deze betaling is niet gelukt. Vraag de assistent om een nieuwe link of probeer een andere methode.",
        "invalid": "Deze betaallink is niet meer geldig. Vraag de assistent gerust om een nieuwe.",
        "how": "Hoe wilt u betalen?",
        "pay": "{amount} betalen",
        "valid_until": "Geldig tot {date}.",
        "transfer": "Of maak {amount} over aan {beneficiary}, IBAN {iban}, met de mededeling {reference}.",
        "autopay_title": "Termijnen aan {creditor}, automatisch betaald",
        "autopay_intro": "Sla één keer een betaalmethode op en elke termijn wordt op de vervaldag afgeschreven. "
        "U krijgt elk bedrag een paar dagen vooraf te horen en u kunt altijd stoppen.",
        "autopay_how": "Welke methode wilt u gebruiken?",
        "autopay_save": "Opslaan voor mijn termijnen",
        "autopay_saved": "Dank u: uw termijnen worden voortaan automatisch betaald.",
        "autopay_cancelled": "Er is niets opgeslagen. Probeer het hieronder opnieuw, of betaal elke termijn via een link.",
        "autopay_closed": "Dit plan is niet meer actief; er kan niets voor worden opgeslagen.",
        "demo": "Demo: dit is een testbetaling. Er wordt geen geld overgemaakt en niemand betaalt iets.",
        "autopay_demo": "Demo: dit is een testpagina. Er wordt geen geld overgemaakt en geen echte "
        "betaalmethode opgeslagen.",
        "unavailable": "Betalen via deze link is niet mogelijk. Er is niets afgeschreven. "
        "Vraag de assistent om een nieuwe link.",
        "autopay_unavailable": "Termijnen kunnen op dit moment niet automatisch worden betaald. Er is niets "
        "opgeslagen; betaal elke termijn via een link.",
    },
}
METHOD_NAMES = {
    "card": {"en": "Card", "fr": "Carte", "nl": "Kaart"},
    "bancontact": {"en": "Bancontact"},
    "ideal": {"en": "iDEAL"},
    "sepa_debit": {"en": "SEPA Direct Debit", "fr": "Domiciliation SEPA", "nl": "SEPA-incasso"},
}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["en"])


def method_name(method: str, language: str) -> str:
    names = METHOD_NAMES.get(method, {})
    return names.get(language) or names.get("en") or method.replace("_", " ").title()
