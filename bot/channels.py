"""The one way into Rasa: its REST channel, answering only the gateway.

Rasa's own REST channel takes any `sender` from anyone who can reach the port; another
process on the network could then speak as a phone conversation that is verified at that
moment. This channel keeps the REST format and path (`/webhooks/rest/webhook`) and refuses
every request that does not carry `Authorization: Bearer $RASA_TOKEN`, the secret the web
process shares with Rasa (which also guards Rasa's HTTP API through `--auth-token`).
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import action_results, event_types, sqlite_store

# Every Rasa server of this project loads this channel at start, before its tracker store: the
# place to make its check of action answers cheap (bot/action_results.py), its reading of
# stored events too (bot/event_types.py), and its SQLite store commit without a flush per
# write (bot/sqlite_store.py).
action_results.install()
event_types.install()
sqlite_store.install()


class GatewayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        token = os.environ.get("RASA_TOKEN", "")

        @blueprint.middleware("request")
        async def only_the_gateway(request: Request) -> Any:
            if request.method != "POST":
                return None  # the channel's health answer says nothing
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not token or not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"error": "this channel answers the gateway only"}, status=401)
            return None

        return blueprint
