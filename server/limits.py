"""Refuse requests before they reach a route: oversized bodies (413, before they are read into
memory) and NUL characters (400). Both inspect the body as it arrives, through `_guarded`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


async def _refuse(send: Send, refused: Refused) -> None:
    body = json.dumps({"detail": refused.detail}).encode()
    await send(
        {"type": "http.response.start", "status": refused.status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": body})


async def _guarded(app: ASGIApp, scope: Scope, receive: Receive, send: Send, inspect: Callable[[bytes], None]) -> None:
    """Run the app with each body chunk shown to `inspect` as it arrives; `inspect` raises
    `Refused`, which is answered with its status unless the response has already begun."""
    started = False

    async def inspected_receive() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            inspect(message.get("body", b""))
        return message

    async def tracking_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, inspected_receive, tracking_send)
    except Refused as refused:
        if not started:
            await _refuse(send, refused)


class BodySizeLimit:
    """Counts bytes as they arrive, so a client that sends no Content-Length is capped too."""

    def __init__(self, app: ASGIApp, default: int, larger: dict[str, int]) -> None:
        self.app, self.default, self.larger = app, default, larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = next((v for prefix, v in self.larger.items() if scope["path"].startswith(prefix)), self.default)
        too_large = Refused(413, f"request body larger than {limit} bytes")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, too_large)
            return
        seen = 0

        def count(body: bytes) -> None:
            nonlocal seen
            seen += len(body)
            if seen > limit:
                raise too_large

        await _guarded(self.app, scope, receive, send, count)


# A JSON escape of half a UTF-16 pair. A whole pair (an emoji sent as "\\ud83d\\ude00") is text;
# half of one is not, and cannot be encoded as UTF-8 to be stored, logged or answered.
_PAIR = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_HALF = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def has_lone_surrogate(body: bytes) -> bool:
    return b"\\u" in body and _HALF.search(_PAIR.sub(b"", body)) is not None


class NoNulCharacters:
    """Refuse with 400 any request carrying a NUL character (in the path, the query, a JSON
    string as `\\u0000`, a form field as `%00`): no text a person writes has one, and
    PostgreSQL cannot store one, so it would otherwise end in a server error. A JSON string
    with half a surrogate pair (`"\\ud800"`) is refused the same way: it is not text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nul = Refused(400, "the request contains a NUL character")
        query = scope.get("query_string", b"").lower()
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
            await _refuse(send, nul)
            return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        form = content_type.startswith(b"application/x-www-form-urlencoded")
        # Uploaded files (statements, imports) are read by their own parsers, which name the
        # bad line; only JSON and forms are checked here.
        if not (form or content_type.startswith(b"application/json")):
            await self.app(scope, receive, send)
            return

        def check(body: bytes) -> None:
            if b"\x00" in body or b"\\u0000" in body.lower() or (form and b"%00" in body):
                raise nul
            if not form and has_lone_surrogate(body):
                raise Refused(400, "the request contains half a surrogate pair (like \\ud800), which is not text")

        await _guarded(self.app, scope, receive, send, check)
