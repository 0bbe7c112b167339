"""The shapes of answers to the bot's questions (a reference, a date, a postcode, a code, an
amount, a day to pay), in EN/FR/NL, with no Rasa import: the NLU component
(`bot/components/expected_answer.py`), the action server and the tests share them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words people put around an answer ("my reference is ...", "c'est le ...", "het is ...").
FILLER = _vocabulary(
    """my the is it its it's ref reference file number no nr num code postcode postal zip i was born on
    on de of at a an thats that's sure yes ok okay here you go please thanks
    mon ma ma le la les est c'est cest référence reference numéro numero dossier code postal je suis né née le
    oui voici merci svp
    mijn het is referentie nummer dossier postcode ik ben geboren op de op ja hier alstublieft dank u
    """
)
MONTHS = _vocabulary(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre decembre
    januari februari maart april mei juni juli augustus september oktober november december
    """
)
DAY_WORDS = _vocabulary(
    """monday tuesday wednesday thursday friday saturday sunday today tomorrow week weeks next end payday month
    lundi mardi mercredi jeudi vendredi samedi dimanche aujourd'hui demain semaine semaines prochain prochaine fin
    mois jours jour quinzaine
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag vandaag morgen week weken volgende eind einde
    maand dagen dag overmorgen
    """
)
NUMBER_WORDS = _vocabulary(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty
    seventy eighty ninety hundred thousand
    un une deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt trente quarante cinquante
    soixante septante huitante octante nonante cent cents mille
    een twee drie vier vijf zes zeven acht negen tien elf twaalf vijftien twintig dertig veertig vijftig zestig
    zeventig tachtig negentig honderd duizend
    """
)

# What is expected when no form is open but an offer awaits a yes or a no, or (after a
# schedule was turned down) another monthly amount.
YES_NO = "yes_no"
ANOTHER_AMOUNT = "another_amount"
# The header in which the bot's channel tells the gateway what its last question expects
# (bot/expecting.py, channels/outbox.py).
EXPECTING_HEADER = "Bot-Expecting"


def expected(active_loop: str | None, slots: Mapping[str, Any]) -> str | None:
    """What the bot's last question expects, from its conversation state: the slot its open form
    is asking for, or YES_NO / ANOTHER_AMOUNT when no form is open but an offer awaits an
    answer; None when nothing in particular is expected.

    The one statement of the rule: Rasa applies it to each message before understanding it
    (bot/expecting.py), the gateway to what it redacts and how it reads care cues."""
    if not active_loop:
        if slots.get("offer") == ANOTHER_AMOUNT:
            return ANOTHER_AMOUNT
        return YES_NO if slots.get("offer") else None
    slot = slots.get("requested_slot")
    return slot if isinstance(slot, str) else None


# A yes or a no to what the bot just offered, as its first word or words.
YES = _vocabulary(
    """yes yeah yep yup yea sure ok okay alright fine deal absolutely definitely certainly perfect great lovely
    agreed please oui ouais d'accord daccord dac parfait entendu volontiers certainement absolument impeccable
    nickel ja jawel jazeker jep oké oke prima graag akkoord top zeker natuurlijk uiteraard
    """
)
YES_PHRASES = (
    "that works",
    "that's fine",
    "thats fine",
    "go ahead",
    "sounds good",
    "let's do",
    "lets do",
    "go for it",
    "why not",
    "c'est bon",
    "cest bon",
    "ça marche",
    "ca marche",
    "ça me va",
    "ca me va",
    "allez-y",
    "allez y",
    "je veux bien",
    "avec plaisir",
    "bien sûr",
    "bien sur",
    "dat is goed",
    "is goed",
    "doe maar",
    "dat lukt",
    "in orde",
    "goed zo",
    "very good",
    "très bien",
    "tres bien",
    "c'est parfait",
)
NO = _vocabulary("no nope nah not non nan nee neen niet")
# "yes, but ..." is not a plain yes: the classifier reads the rest.
BUT = _vocabulary("but though however except mais sauf pourtant cependant maar behalve alleen")


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[\w'+/.-]+", folded)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _content(text: str) -> list[str]:
    return [w for w in _words(text) if w.strip(".,:;!?") not in FILLER]


def reference_text(text: str) -> str:
    """The reference in an answer, without the words around it: from the first piece with a
    figure (or a short prefix right before one, "inv 2025 00871") to the last piece with a
    figure (or a short suffix right after it, "rc 88412 b"). "my reference is HE-228F219E, obviously" gives "is he-228f219e": the API tries
    the shorter endings too ("he-228f219e")."""
    words = [w.strip('.,:;!?()"') for w in _words(text)]
    words = [w for w in words if w]
    marks = [i for i, w in enumerate(words) if _has_digit(w)]
    if not marks:
        return ""
    start, end = marks[0], marks[-1] + 1
    if start > 0 and len(words[start - 1]) <= 4 and words[start - 1].isalpha():
        start -= 1
    # A short letter suffix after the figures is part of it ("RC 88412 B", "NL 778 231 KQ");
    # the API also tries the reference without it.
    if end < len(words) and len(words[end]) <= 3 and words[end].isalpha() and words[end] not in FILLER:
        end += 1
    return " ".join(words[start:end])


def words_besides_answer(text: str) -> list[str]:
    """Words that are neither figures nor filler: what a person says beyond the answer."""
    return [w for w in _content(text) if w.isalpha() and len(w) > 4]


def looks_like_reference(text: str) -> bool:
    """`HE-A16DD6E4`, `inv 2025 00871`, `2210034567`, `+++090/9337/55493+++`, `FAC/2025/00123`,
    perhaps with "my reference is" around it: at most four pieces, one digit at least, or up
    to eight groups of figures read out in twos or threes ("66 10 28 44 73")."""
    pieces = _content(reference_text(text)) or reference_text(text).split()
    joined = re.sub(r"[^0-9a-z]", "", "".join(pieces))
    words = [p for p in pieces if not _has_digit(p)]
    # Letter-only pieces are prefixes ("inv", "fac", "he"), never outnumbering the figures,
    # and at most one suffix ("rc 88412 b").
    prefixes = all(len(re.sub(r"[^a-z]", "", w)) <= 4 for w in words) and len(words) <= len(pieces) - len(words) + 1
    most = 8 if all(p.isdigit() for p in pieces) else 4
    return 1 <= len(pieces) <= most and prefixes and _has_digit(joined) and 3 <= len(joined) <= 40


def looks_like_date(text: str) -> bool:
    words = _words(text)
    return len(words) <= 9 and (_has_digit(text) or any(w in MONTHS for w in words))


def looks_like_postcode(text: str) -> bool:
    pieces = _content(text)
    joined = re.sub(r"[^0-9a-z]", "", "".join(pieces))
    return 1 <= len(pieces) <= 2 and _has_digit(joined) and 3 <= len(joined) <= 10


def looks_like_code(text: str) -> bool:
    return re.fullmatch(r"\D{0,20}\d(?:[\s-]?\d){5}\D{0,20}", text.strip()) is not None


def looks_like_amount(text: str) -> bool:
    words = _words(text)
    return len(words) <= 12 and (_has_digit(text) or any(w.strip("-") in NUMBER_WORDS for w in words))


def looks_like_day(text: str) -> bool:
    words = _words(text)
    return len(words) <= 10 and (_has_digit(text) or any(w in DAY_WORDS or w in MONTHS for w in words))


def yes_or_no(text: str) -> str | None:
    """ "affirm" or "deny" when a short message opens with a plain yes or no ("Yes, thank you
    so much", "ok I can stretch to that", "non merci", "ja deal"), else None. A figure or a
    "but" means more than a yes or a no."""
    words = [w.strip(".,;:!?'\"()") for w in _words(text)]
    words = [w for w in words if w]
    # Dutch "maar" is also a softener ("doe maar", "zeg maar"), not a "but".
    buts = [w for i, w in enumerate(words) if w in BUT and not (w == "maar" and i and words[i - 1] in ("doe", "zeg"))]
    if not words or len(words) > 10 or _has_digit(text) or buts:
        return None
    first = words[0]
    if first in NO:
        return "deny"
    opening = " ".join(words[:4])
    stretched = re.sub(r"(.)\1+$", r"\1", first)  # "jaa", "yess", "ouiii", "okk"
    if first in YES or stretched in YES or any(opening.startswith(phrase) for phrase in YES_PHRASES):
        return "affirm"
    return None


FITS = {
    "account_reference": looks_like_reference,
    "identity_answer": looks_like_date,
    "identity_postcode": looks_like_postcode,
    "identity_code": looks_like_code,
    "plan_amount": looks_like_amount,
    "promise_date": looks_like_day,
    YES_NO: lambda text: yes_or_no(text) is not None,
    ANOTHER_AMOUNT: looks_like_amount,
}


def fits(slot: str | None, text: str) -> bool:
    check = FITS.get(slot or "")
    return bool(check and text and check(text))
