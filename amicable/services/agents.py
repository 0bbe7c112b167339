"""Agents: accounts with hashed passwords (argon2), sessions that expire, and the one rule of
who may open what (a supervisor any conversation; an agent the waiting queue and their own).

A session lasts while it is used: it ends after `IDLE` without a request, and in any case
`MAX_AGE` after sign-in. The cookie carries a random token; only its SHA-256 is stored, so
the sessions table cannot be replayed from a backup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from amicable.db.models import Agent, AgentSession, Handoff
from amicable.services import ServiceError

IDLE = timedelta(hours=2)
MAX_AGE = timedelta(hours=12)
ROLES = ("agent", "supervisor")
_hasher = PasswordHasher()
# Checked against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password anyone has")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_agent(session: Session, email: str, name: str, role: str, password: str) -> Agent:
    if role not in ROLES:
        raise ServiceError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 12:
        raise ServiceError("a password needs at least 12 characters")
    email = email.strip().lower()
    if session.scalar(select(Agent).where(Agent.email == email)) is not None:
        raise ServiceError(f"an agent with {email} exists already", 409)
    agent = Agent(email=email, name=name.strip() or email, role=role, password_hash=_hasher.hash(password))
    session.add(agent)
    session.flush()
    return agent


def sign_in(session: Session, email: str, password: str, now: datetime | None = None) -> str | None:
    """A new session token for the right e-mail and password, or None (without saying which)."""
    now = now or datetime.now(UTC)
    agent = session.scalar(select(Agent).where(Agent.email == email.strip().lower(), Agent.active.is_(True)))
    try:
        _hasher.verify(agent.password_hash if agent else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if agent is None:
        return None
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = _hasher.hash(password)
    token = secrets.token_urlsafe(32)
    session.add(AgentSession(token_hash=_digest(token), agent=agent, expires_at=now + MAX_AGE, last_seen_at=now))
    session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
    return token


def agent_for(session: Session, token: str | None, now: datetime | None = None) -> Agent | None:
    """The agent of a live session (and the session kept alive), or None."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    record = session.scalar(select(AgentSession).where(AgentSession.token_hash == _digest(token)))
    if record is None or record.expires_at <= now or now - record.last_seen_at > IDLE or not record.agent.active:
        return None
    record.last_seen_at = now
    return record.agent


def sign_out(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(AgentSession).where(AgentSession.token_hash == _digest(token)))


def may_open(agent: Agent, handoff: Handoff | None) -> bool:
    if agent.role == "supervisor":
        return True
    if handoff is None:
        return False
    return handoff.agent_id in (None, agent.id) and handoff.status != "closed"
