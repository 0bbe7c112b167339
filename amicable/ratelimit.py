"""Request throttles for the doors anyone can knock on: the public conversation webhooks and
the agents' login. Built on `limits` (moving windows): in Redis when `REDIS_URL` is set, so
every web process shares one count, in memory otherwise (one process, as in the demo).

What must hold across restarts and be exact under concurrency (failed identity checks) is
counted in the database instead: `amicable.services.attempts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from amicable.settings import Settings


@dataclass(frozen=True)
class Rule:
    """One limit, e.g. `Rule("webhook-sender", "20/minute")`: the name keeps counts apart."""

    name: str
    rate: str

    @property
    def item(self) -> RateLimitItem:
        return parse(self.rate)


# A person types a few messages a minute; a script types hundreds. A household or an office
# behind one address shares the per-source figure, hence its headroom.
WEBHOOK_PER_SENDER = Rule("webhook-sender", "20/minute")
WEBHOOK_PER_SOURCE = Rule("webhook-source", "120/minute")
NEW_CONVERSATIONS_PER_SOURCE = Rule("conversation-source", "30/hour")
# The API: a runaway script of one key must not starve every other client (an import of a
# whole portfolio is one request); wrong keys from one source are someone guessing.
API_PER_KEY = Rule("api-key", "1200/minute")
API_WRONG_KEY_PER_SOURCE = Rule("api-wrong-key-source", "30/minute")
# Each login costs argon2's 64 MiB and a thread: a flood must not starve every other route.
LOGIN_PER_ACCOUNT = Rule("login-account", "5/15minutes")
LOGIN_PER_SOURCE = Rule("login-source", "20/15minutes")


class Throttle:
    def __init__(self, settings: Settings) -> None:
        self.storage = storage_from_string(settings.redis_url or "memory://")
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.overrides = {name: parse(rate) for name, rate in settings.rate_limits.items()}

    def _item(self, rule: Rule) -> RateLimitItem:
        return self.overrides.get(rule.name) or rule.item

    def hit(self, rule: Rule, key: str) -> bool:
        """Count one request; False when it is over the limit (and then it is not counted)."""
        return self.limiter.hit(self._item(rule), rule.name, key)

    def allowed(self, rule: Rule, key: str) -> bool:
        """Whether one more would pass, without counting it."""
        return self.limiter.test(self._item(rule), rule.name, key)

    def reset(self) -> None:
        self.storage.reset()
