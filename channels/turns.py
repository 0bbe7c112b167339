"""One turn at a time per conversation, in the order the messages arrived.

A turn is: record the debtor's message, ask the bot, record its replies. Two messages of one
conversation handled at once would be stored in one order and seen by the bot in another (the
bot's own per-conversation lock orders only its part), and two first messages would both try to
create the conversation. So the gateway holds the conversation's turn lock for the whole turn.

- Within one web process: an `asyncio.Lock` per conversation. Its waiters are woken in the
  order they came, so turns run in arrival order. Locks are dropped once nobody holds or waits
  for them, so a million conversations leave no trace.
- Across web processes (`REDIS_URL` set): a Redis lock as well, taken inside the local one, so
  a process sends one waiter at a time to Redis. Its lease outlives the longest turn (the
  bot's timeout and a margin) and is renewed by nobody: a process that dies mid-turn frees the
  conversation when the lease ends, not never.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from amicable.settings import Settings

log = structlog.get_logger()

# What a turn may take beyond the bot's own time-out: recording before and after, redaction.
MARGIN_SECONDS = 15.0


class TurnLocks:
    """The gateway's turn locks (`hold(conversation_id)`); shared by every request of a process."""

    def __init__(self, settings: Settings) -> None:
        self._local: dict[str, tuple[asyncio.Lock, int]] = {}
        self._lease = settings.rasa_timeout_seconds + MARGIN_SECONDS
        self._redis = None
        if settings.redis_url:
            from redis.asyncio import Redis

            self._redis = Redis.from_url(settings.redis_url)

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        lock, users = self._local.get(conversation_id, (asyncio.Lock(), 0))
        self._local[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                if self._redis is None:
                    yield
                else:
                    async with self._shared(conversation_id):
                        yield
        finally:
            lock, users = self._local[conversation_id]
            if users == 1:
                del self._local[conversation_id]
            else:
                self._local[conversation_id] = (lock, users - 1)

    @asynccontextmanager
    async def _shared(self, conversation_id: str) -> AsyncIterator[None]:
        assert self._redis is not None
        lock = self._redis.lock(
            f"amicable:turn:{conversation_id}", timeout=self._lease, blocking_timeout=self._lease, sleep=0.02
        )
        acquired = await lock.acquire()
        if not acquired:
            # Another process has held it for longer than any turn takes: it has died mid-turn
            # and its lease is about to end. Going on is better than never answering.
            log.warning("turn lock not acquired in time; going on", conversation=conversation_id)
        try:
            yield
        finally:
            if acquired:
                try:
                    await lock.release()
                except Exception:  # the lease ran out first: another turn may already hold it
                    log.warning("turn lock lease ended before the turn", conversation=conversation_id)

    def waiting(self) -> int:
        """Conversations with a turn running or waiting in this process (for tests and health)."""
        return len(self._local)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
