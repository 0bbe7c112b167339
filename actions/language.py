"""The language the bot answers in, set after every message (Rasa runs this action then).

The gateway detects a message's language and passes it in the message metadata only when it
is clear; then the reply follows it. Otherwise the conversation keeps its language, which
becomes the account's preference once the debtor is verified (see `action_verification_done`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.common import LOCALES


class ValidateSlotMappings(ValidationAction):
    def name(self) -> str:
        return "action_validate_slot_mappings"

    def domain_slots(self, domain: DomainDict) -> list[str]:
        # Only slots named here come back as events, so both are declared.
        return ["language", "language_from_message"]

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        metadata = tracker.latest_message.get("metadata") or {}
        detected = metadata.get("detected_language")
        if detected in LOCALES:
            return {"language": detected, "language_from_message": True}
        if not tracker.get_slot("language_from_message") and metadata.get("language") in LOCALES:
            # The person's own setting (browser, link) until their messages say otherwise.
            return {"language": metadata["language"]}
        return {}

    async def validate_language(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"language": value}

    async def validate_language_from_message(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"language_from_message": value}
