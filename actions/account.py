"""The base of every action that discloses or changes an account: the identity check first."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api import AmicableApi, ApiError
from actions.common import ask_identity_first, service_problem, verified
from actions.handover import mark, stall


class AccountAction(Action, ABC):
    """Base of every action that discloses or changes an account.

    The identity check comes first, here and only here; then the account is read through the
    API and handed to `act`. An unreachable API gets a calm apology, never a guess.
    """

    def intro(self, tracker: Tracker) -> str | None:
        """What to say before asking for identity (a greeting by default)."""
        return "utter_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if not verified(tracker):
            if tracker.get_slot("verification_failed"):
                # The check ended without a match: the same answer again would go round in
                # circles, so a person is offered next, then takes over.
                return await stall(dispatcher, tracker, ["utter_verification_failed"])
            return ask_identity_first(dispatcher, tracker, self.intro(tracker))
        try:
            account = await AmicableApi().account(tracker.sender_id)
            events = await self.act(dispatcher, tracker, account)
            # Run in the middle of a form (the balance, "what is this about?"), the form's
            # question comes again after it: a turn that did not move on.
            return [*events, *mark()] if tracker.active_loop_name else events
        except ApiError as error:
            if error.status == 403:
                # The confirmation lapsed (idle, handed back, another number): ask again.
                return [SlotSet("verified", False), *ask_identity_first(dispatcher, tracker, None)]
            return service_problem(dispatcher)

    @abstractmethod
    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, account: dict[str, Any]) -> list[EventType]:
        """Handle the request for a verified debtor whose account has been read."""
