"""Reads the client abandoned are stopped, not left running.

A person who closes the dashboard, or a script that gives up on an export after its own
time-out, leaves the server computing an answer nobody will read, and under load that work
delays everyone else's. When the client of a GET or HEAD goes away before the answer is
sent, the handler is cancelled.

Only reads: a request that changes something (a debtor's message, a payment event, an agent's
reply) is finished even when its sender stopped waiting, because a half-done change is worse
than a finished one nobody reads, and the conversation's outbox delivers a late answer
(channels/outbox.py). A handler running in a worker thread finishes its current call; what it
computes is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger()

READS = ("GET", "HEAD")


class CancelAbandonedReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READS:
            await self.app(scope, receive, send)
            return
        # A read has no body: the first message is the (empty) request. From then on only this
        # watcher reads the connection, and hands the handler what it sees (a disconnect, for
        # an event stream that listens for one).
        first = await receive()
        later: asyncio.Queue[Message] = asyncio.Queue()
        handed_first = False

        async def handler_receive() -> Message:
            nonlocal handed_first
            if not handed_first:
                handed_first = True
                return first
            return await later.get()

        handler = asyncio.ensure_future(self.app(scope, handler_receive, send))

        async def watch() -> None:
            message = first
            while message["type"] != "http.disconnect":
                message = await receive()
                await later.put(message)
            if not handler.done():
                log.info("client went away; request stopped", path=scope.get("path"))
                handler.cancel()

        watcher = asyncio.ensure_future(watch())
        try:
            await handler
        except asyncio.CancelledError:
            if not watcher.done():
                raise  # the server is stopping, not the client leaving
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
