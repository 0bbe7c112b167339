"""An answer that fits the question just asked fills it, whatever the intent classifier thinks.

Why: right after "What is your file reference?", `HE-A16DD6E4` reads to an n-gram model like
nothing in particular, and it was classified as `repeat` about half the time; the bot then
rephrased the question again and again. A person at a desk would simply take the reference.

The gateway tells the bot which slot the open form is asking for (message metadata
`expecting`, read from the tracker before the message is passed on). When the text has the
shape of that answer (a reference, a date, a postcode, a six-digit code, an amount, a date to
pay), this component sets the intent to `inform` with full confidence, so the form's slot
mapping takes it and no rule about other intents fires. Only a clear other request (stop,
a person, a dispute, "I already paid") keeps its own intent and interrupts.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

INFORM = "inform"


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Requests that are never an answer, when the classifier is reasonably sure of them.
INTERRUPTS = {"opt_out", "request_human", "dispute", "already_paid"}
INTERRUPT_CONFIDENCE = 0.5

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


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"[\w'+/.-]+", folded)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _content(text: str) -> list[str]:
    return [w for w in _words(text) if w.strip(".,:;!?") not in FILLER]


def reference_text(text: str) -> str:
    """The reference in an answer, without the words around it ("my reference is ...")."""
    return " ".join(_content(text)).strip(" .,:;!?")


def looks_like_reference(text: str) -> bool:
    """`HE-A16DD6E4`, `inv 2025 00871`, `2210034567`, `+++090/9337/55493+++`, `FAC/2025/00123`,
    perhaps with "my reference is" around it: at most four pieces, one digit at least."""
    pieces = _content(text)
    joined = re.sub(r"[^0-9a-z]", "", "".join(pieces))
    words = [p for p in pieces if not _has_digit(p)]
    # Letter-only pieces are prefixes ("inv", "fac", "he"), never outnumbering the figures.
    prefixes = all(len(re.sub(r"[^a-z]", "", w)) <= 4 for w in words) and len(words) <= len(pieces) - len(words)
    return 1 <= len(pieces) <= 4 and prefixes and _has_digit(joined) and 3 <= len(joined) <= 40


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


FITS = {
    "account_reference": looks_like_reference,
    "identity_answer": looks_like_date,
    "identity_postcode": looks_like_postcode,
    "identity_code": looks_like_code,
    "plan_amount": looks_like_amount,
    "promise_date": looks_like_day,
}


def fits(slot: str | None, text: str) -> bool:
    check = FITS.get(slot or "")
    return bool(check and text and check(text))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ExpectedAnswer(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExpectedAnswer:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            metadata = message.get("metadata") or {}
            slot = metadata.get("expecting") if isinstance(metadata, dict) else None
            text = message.get(TEXT) or ""
            if not fits(slot, text):
                continue
            intent = message.get(INTENT) or {}
            if (
                intent.get(INTENT_NAME_KEY) in INTERRUPTS
                and float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0) >= INTERRUPT_CONFIDENCE
            ):
                continue
            answer = {INTENT_NAME_KEY: INFORM, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, answer, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != INFORM]
            message.set(INTENT_RANKING_KEY, [answer, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
