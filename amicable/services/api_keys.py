"""API keys scoped to one creditor. The key is shown once, when it is made; only its SHA-256
is kept (a key is 32 random bytes, so a plain digest cannot be searched back), so neither the
database nor a backup of it can be used to call the API."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import ApiKey, Creditor
from amicable.services import NotFound

# Tells a creditor's key from the agency's at a glance (and in a leaked-secret scanner).
PREFIX = "amk_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(session: Session, creditor_name: str, label: str = "") -> tuple[ApiKey, str]:
    """A new key for a creditor that exists (named as in the Accounts API); the key itself is
    returned here and never again."""
    creditor = session.scalar(select(Creditor).where(Creditor.name == creditor_name.strip()))
    if creditor is None:
        known = ", ".join(session.scalars(select(Creditor.name).order_by(Creditor.name).limit(20)))
        raise NotFound(f"no creditor named {creditor_name!r}" + (f"; known: {known}" if known else ""))
    key = PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(key_hash=_digest(key), prefix=key[: len(PREFIX) + 6], creditor=creditor, label=label.strip())
    session.add(record)
    session.flush()
    return record, key


def find(session: Session, given: str) -> ApiKey | None:
    """The live key with this value, if any. Looked up by digest: equal digests of a 256-bit
    key are equal keys, and the lookup's time tells nothing about the key."""
    if not given.startswith(PREFIX) or len(given) > 200:
        return None
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(given), ApiKey.revoked_at.is_(None)))


def revoke(session: Session, prefix: str) -> int:
    """Revokes the live keys whose shown prefix is this; how many."""
    keys = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))).all()
    for key in keys:
        key.revoked_at = datetime.now(UTC)
    return len(keys)


def listed(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))
