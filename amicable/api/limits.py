"""Refuse oversized request bodies with 413 before they are read into memory."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Counts bytes as they arrive, so a client that sends no Content-Length is capped too."""

    def __init__(self, app: ASGIApp, default: int, larger: dict[str, int]) -> None:
        self.app, self.default, self.larger = app, default, larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = next((v for prefix, v in self.larger.items() if scope["path"].startswith(prefix)), self.default)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = json.dumps({"detail": f"request body larger than {limit} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


class NulCharacter(Exception):
    pass


class NoNulCharacters:
    """Refuse with 400 any request carrying a NUL character (in the path, the query, a JSON
    string as `\\u0000`, a form field as `%00`): no text a person writes has one, and
    PostgreSQL cannot store one, so it would otherwise end in a server error."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").lower()
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
            await self._refuse(send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"")
        form = content_type.startswith(b"application/x-www-form-urlencoded")
        # Uploaded files (statements, imports) are read by their own parsers, which name the
        # bad line; only JSON and forms are checked here.
        checked = form or content_type.startswith(b"application/json")
        started = False

        async def checked_receive() -> Message:
            message = await receive()
            body = message.get("body", b"") if message["type"] == "http.request" and checked else b""
            if b"\x00" in body or b"\\u0000" in body.lower() or (form and b"%00" in body):
                raise NulCharacter
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, checked_receive, tracking_send)
        except NulCharacter:
            if not started:
                await self._refuse(send)

    @staticmethod
    async def _refuse(send: Send) -> None:
        body = json.dumps({"detail": "the request contains a NUL character"}).encode()
        await send({"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
