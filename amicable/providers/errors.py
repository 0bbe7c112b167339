"""What a provider says when a message did not go: shared by every sender (outbound.py
re-exports them, so callers catch one pair whatever the channel)."""


class NotSent(Exception):
    """The message did not reach the debtor; says why, in words an agent can act on."""


class NotConfigured(NotSent):
    """The provider for this channel is not configured (the demo's console takes over)."""
