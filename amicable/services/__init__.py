"""Business rules, each in one place. Doors (api/, web/, channels/) and the outreach jobs call
these; none of them reads HTTP."""

from amicable.errors import NotFound, ServiceError

__all__ = ["NotFound", "ServiceError"]
