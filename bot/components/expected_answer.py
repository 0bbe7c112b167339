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

When no form is open but an offer awaits a yes or a no (`expecting` is "yes_no"), a message
that opens with a plain yes or no is read as `affirm` or `deny`, unless the classifier is sure
of some other request. After a schedule was turned down ("another_amount"), an amount is read as
the next monthly offer in the same way.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.answers import ANOTHER_AMOUNT, YES_NO, fits, words_besides_answer, yes_or_no

INFORM = "inform"
# Requests that are never an answer, when the classifier is reasonably sure of them.
INTERRUPTS = {"opt_out", "request_human", "dispute", "already_paid"}
INTERRUPT_CONFIDENCE = 0.5
# After an offer, what a plain yes or no may be read as by the classifier ("Yes, thank you so
# much" reads as thanks). Any other request it is sure of ("no, I already paid") stands.
SMALL_TALK = {"affirm", "deny", "thank", "greet", "goodbye", "repeat", "out_of_scope", "nlu_fallback", INFORM}
# After a schedule was turned down, an amount is the new offer unless another request is clear
# ("it's only 185, I'll pay it all now" is a payment, not a monthly amount).
PLAN_TALK = SMALL_TALK | {"request_plan", "promise_to_pay", "reason_cash_flow", "reason_income_loss"}


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
            sure = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0) >= INTERRUPT_CONFIDENCE
            if slot == YES_NO:
                if intent.get(INTENT_NAME_KEY) not in SMALL_TALK and sure:
                    continue
                self._set(message, yes_or_no(text) or INFORM)
                continue
            if slot == ANOTHER_AMOUNT:
                if intent.get(INTENT_NAME_KEY) not in PLAN_TALK and sure:
                    continue
                self._set(message, INFORM)
                continue
            if (
                intent.get(INTENT_NAME_KEY) in INTERRUPTS
                and float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0) >= INTERRUPT_CONFIDENCE
                and len(words_besides_answer(text)) >= 2
            ):
                continue  # "stop, and my reference is ..." still stops
            self._set(message, INFORM)
        return messages

    @staticmethod
    def _set(message: Message, name: str) -> None:
        answer = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, answer, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
        message.set(INTENT_RANKING_KEY, [answer, *ranking], add_to_output=True)

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
