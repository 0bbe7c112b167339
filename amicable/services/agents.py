"""Agents: accounts with hashed passwords (argon2), sessions that expire, and the one rule of
who may open what (a supervisor any conversation; an agent the waiting queue and their own).

A session lasts while it is used: it ends after `IDLE` without a request, and in any case
`MAX_AGE` after sign-in. The cookie carries a random token; only its SHA-256 is stored, so
the sessions table cannot be replayed from a backup.

Sign-in is throttled before any argon2 work (each check costs 64 MiB and a thread), with the
rules in `amicable.ratelimit`:
- per source address (`LOGIN_PER_SOURCE`): every attempt counts, right or wrong, and is
  counted before the password is checked, so a flood from one address costs at most that many
  hashes however many requests arrive at once;
- per account (`LOGIN_PER_ACCOUNT`, the normalised e-mail, known or not): only wrong
  passwords count, so signing in never locks the owner out; a success neither counts nor
  clears earlier failures (else every sign-in of the owner would hand a guesser a fresh
  allowance). Failures are counted once checked, so attempts already in flight when the limit
  is reached may still finish: the overshoot is bounded by the per-source limit and the thread
  pool.
Unknown and known e-mails go through the same steps (one argon2 check, one failure counted),
so neither the time taken nor a 429 tells whether an address has an account.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Agent, AgentSession, Creditor, Handoff
from amicable.ratelimit import LOGIN_PER_ACCOUNT, LOGIN_PER_SOURCE, Rule, Throttle
from amicable.services import ServiceError

IDLE = timedelta(hours=2)
MAX_AGE = timedelta(hours=12)
ROLES = ("agent", "supervisor")
_hasher = PasswordHasher()
# Checked against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY = _hasher.hash("not a password anyone has")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_agent(
    session: Session, email: str, name: str, role: str, password: str, creditor: str | None = None
) -> Agent:
    """A new agent; with `creditor` (named as in the Accounts API), a creditor's own operator,
    who sees that creditor's files only."""
    if role not in ROLES:
        raise ServiceError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 12:
        raise ServiceError("a password needs at least 12 characters")
    email = email.strip().lower()
    if session.scalar(select(Agent).where(Agent.email == email)) is not None:
        raise ServiceError(f"an agent with {email} exists already", 409)
    creditor_id = None
    if creditor:
        creditor_id = session.scalar(select(Creditor.id).where(Creditor.name == creditor.strip()))
        if creditor_id is None:
            raise ServiceError(f"no creditor named {creditor!r}", 404)
    agent = Agent(
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=_hasher.hash(password),
        creditor_id=creditor_id,
    )
    session.add(agent)
    session.flush()
    return agent


class TooManyAttempts(ServiceError):
    """Sign-in refused before the password was checked; `retry_after` in seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"too many sign-in attempts; please wait {minutes} minute{'s' if minutes > 1 else ''} and try again"
        )
        self.retry_after = retry_after


def _retry_after(throttle: Throttle, rule: Rule, key: str) -> int:
    """Seconds until the oldest attempt in the window leaves it, freeing one place."""
    reset_at, _remaining = throttle.limiter.get_window_stats(rule.item, rule.name, key)
    return max(1, math.ceil(reset_at - time.time()))


def _admit(throttle: Throttle, email: str, source: str) -> None:
    """Raise TooManyAttempts when this e-mail or this address is over its limit. A refusal
    for the account does not count against the address; an admitted attempt does."""
    if not throttle.allowed(LOGIN_PER_ACCOUNT, email):
        raise TooManyAttempts(_retry_after(throttle, LOGIN_PER_ACCOUNT, email))
    if not throttle.hit(LOGIN_PER_SOURCE, source):
        raise TooManyAttempts(_retry_after(throttle, LOGIN_PER_SOURCE, source))


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    throttle: Throttle | None,
    source: str = "",
    now: datetime | None = None,
) -> str | None:
    """A new session token for the right e-mail and password, or None (without saying which).

    With a `throttle` (every network caller passes the app's), TooManyAttempts is raised before
    any hash is computed when the account or the `source` address is over its limit; None is
    for callers no one can reach from outside (the command line, tests)."""
    now = now or datetime.now(UTC)
    email = email.strip().lower()
    if throttle is not None:
        _admit(throttle, email, source)
    agent = session.scalar(select(Agent).where(Agent.email == email, Agent.active.is_(True)))
    try:
        # An unknown or inactive address is checked against a dummy hash made with the same
        # parameters: the same work, the same answer.
        _hasher.verify(agent.password_hash if agent else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        agent = None
    if agent is None:
        if throttle is not None:
            throttle.hit(LOGIN_PER_ACCOUNT, email)
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


def may_open(agent: Agent, handoff: Handoff | None, account: Account | None = None) -> bool:
    """A supervisor any conversation, an agent the waiting queue and their own; and a
    creditor's own operator only conversations about that creditor's files (`account`, or the
    hand-over's)."""
    if agent.creditor_id is not None:
        file = account or (handoff.account if handoff is not None else None)
        if file is None or file.creditor_id != agent.creditor_id:
            return False
    if agent.role == "supervisor":
        return True
    if handoff is None:
        return False
    return handoff.agent_id in (None, agent.id) and handoff.status != "closed"


REASONS = {
    "crisis": "Urgent: may be at risk",
    "asked_for_person": "Asked for a person",
    "bot_offer_accepted": "Accepted the offer of a person",
    "bot_stuck": "The assistant could not help",
    "agent_took_over": "Opened by a colleague",
}
# What the contact log records in a conversation that a colleague wants to see in the queue
# (codes: the console words them in the agent's language).
OUTCOMES = ("identity_confirmed", "payment_link", "promise", "plan", "dispute", "opt_out", "reason", "care_cue")


def queue_entry(session: Session, handoff: Handoff, now: datetime) -> dict:
    """What a colleague scans in the queue: why the person is waiting, what they last wrote
    (as kept: already redacted), what the conversation reached so far, and for how long they
    have waited."""
    from amicable.db.models import ContactEvent, Message

    last = None
    outcomes: list[str] = []
    if handoff.conversation_id:
        last = session.scalar(
            select(Message.text)
            .where(Message.conversation_id == handoff.conversation_id, Message.author == "debtor")
            .order_by(Message.id.desc())
            .limit(1)
        )
        logged = session.execute(
            select(ContactEvent.kind, ContactEvent.detail)
            .where(ContactEvent.conversation_id == handoff.conversation_id)
            .order_by(ContactEvent.id)
        ).all()
        for kind, detail in logged:
            code = "identity_confirmed" if (kind, detail) == ("verification", "identity confirmed") else kind
            if code in OUTCOMES and code not in outcomes:
                outcomes.append(code)
    waited = max(0, int((now - handoff.created_at).total_seconds() // 60))
    return {
        "reason_label": REASONS.get(handoff.reason, handoff.reason.replace("_", " ").capitalize()),
        "last_message": (last[:140] + "…") if last and len(last) > 140 else last,
        "outcomes": outcomes,
        "waiting_minutes": waited,
    }


def team(session: Session, supervisor: Agent) -> list[Agent]:
    """The colleagues a supervisor manages: everyone for the agency's supervisors, their own
    creditor's people for a creditor's."""
    query = select(Agent).order_by(Agent.active.desc(), Agent.name)
    if supervisor.creditor_id is not None:
        query = query.where(Agent.creditor_id == supervisor.creditor_id)
    return list(session.scalars(query))


def _managed(session: Session, supervisor: Agent, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None or agent not in team(session, supervisor):
        raise ServiceError("no such colleague", 404)
    return agent


def invite(session: Session, supervisor: Agent, email: str, name: str, role: str, password: str) -> Agent:
    """A supervisor adds a colleague with a first password (passed on to them by the
    supervisor, to be changed later); a creditor's supervisor adds people of that creditor."""
    if supervisor.role != "supervisor":
        raise ServiceError("only a supervisor manages the team", 403)
    creditor = supervisor.creditor_id and session.get(Creditor, supervisor.creditor_id)
    return create_agent(session, email, name, role, password, creditor=creditor.name if creditor else None)


def change(session: Session, supervisor: Agent, agent_id: int, *, role: str | None, active: bool | None) -> Agent:
    """A new role, or the colleague deactivated (every session of theirs ends at once) or back.
    A supervisor cannot lock themselves out: someone must still manage the team."""
    if supervisor.role != "supervisor":
        raise ServiceError("only a supervisor manages the team", 403)
    agent = _managed(session, supervisor, agent_id)
    if agent.id == supervisor.id and (active is False or (role is not None and role != "supervisor")):
        raise ServiceError("ask another supervisor to change your own role or access", 409)
    if role is not None:
        if role not in ROLES:
            raise ServiceError(f"role must be one of {', '.join(ROLES)}", 422)
        agent.role = role
    if active is not None:
        agent.active = active
        if not active:
            session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
    return agent
