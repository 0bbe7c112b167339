"""The one way into Rasa: its REST channel, answering only the gateway.

Rasa's own REST channel takes any `sender` from anyone who can reach the port; another
process on the network could then speak as a phone conversation that is verified at that
moment. This channel keeps the REST format and path (`/webhooks/rest/webhook`) and refuses
every request that does not carry `Authorization: Bearer $RASA_TOKEN`, the secret the web
process shares with Rasa (which also guards Rasa's HTTP API through `--auth-token`).

Its answer is Rasa's list of replies, with what the bot's last question expects in the
`Bot-Expecting` header (bot/expecting.py); the header is absent when the turn did not run to
its end, so the gateway keeps what it knew.
"""

from __future__ import annotations

import hmac
import os
from asyncio import CancelledError
from typing import Any

import structlog
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import action_results, event_types, expecting, sqlite_store
from bot.answers import EXPECTING_HEADER

# Every Rasa server of this project loads this channel at start, before its tracker store: the
# place to make its check of action answers cheap (bot/action_results.py), its reading of
# stored events too (bot/event_types.py), and its SQLite store commit without a flush per
# write (bot/sqlite_store.py), and its telling what its question expects (bot/expecting.py).
action_results.install()
event_types.install()
sqlite_store.install()
expecting.install()

log = structlog.get_logger()


class GatewayInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = Blueprint("gateway_webhook", __name__)
        token = os.environ.get("RASA_TOKEN", "")

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            collector = expecting.GatewayCollector()
            text = self._extract_message(request)
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        await self._extract_sender(request),
                        input_channel=self._extract_input_channel(request),
                        metadata=self.get_metadata(request),
                    )
                )
            except CancelledError:
                log.error("rest.message.received.timeout")
            except Exception:
                log.exception("rest.message.received.failure")
            headers = {EXPECTING_HEADER: collector.expecting or ""} if collector.finished else {}
            return response.json(collector.messages, headers=headers)

        @blueprint.middleware("request")
        async def only_the_gateway(request: Request) -> Any:
            if request.method != "POST":
                return None  # the channel's health answer says nothing
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not token or not hmac.compare_digest(given.encode(), token.encode()):
                return response.json({"error": "this channel answers the gateway only"}, status=401)
            return None

        return blueprint
