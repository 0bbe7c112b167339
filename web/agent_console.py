"""The agent console: sign in, the queue of conversations waiting for a person, a
conversation's transcript and file, replies on the debtor's channel, notes, outcomes through
the same services as the API, and handing the conversation back to the bot.

The session lives in an HttpOnly, SameSite=Strict cookie; every change also needs the
`X-Requested-With: amicable` header a page of ours sends, so another site cannot post here.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from amicable.db.models import Agent, Conversation, ConversationNote, Handoff, Message
from amicable.policy import Policy, load_policy
from amicable.providers import outbound
from amicable.services import accounts, agent_voice, agents, conversations, identity, outcomes, plans
from amicable.settings import Settings
from api.deps import SessionDep, SettingsDep
from api.schemas import Amount
from web import STATIC
from web.account_words import Words, file_panel

router = APIRouter(prefix="/agent", tags=["agent console"], include_in_schema=False)
COOKIE = "amicable_agent"
PAGE = STATIC / "agent.html"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1000)


class TextIn(Strict):
    text: str = Field(min_length=1, max_length=2000)


class OutcomeIn(Strict):
    kind: Literal["promise", "plan", "dispute"]
    due_on: date | None = None
    monthly_amount: Amount | None = None
    reason: Literal["already_paid", "not_mine", "wrong_amount", "other"] = "other"
    details: str = Field("", max_length=2000)


def current_agent(request: Request, session: SessionDep) -> Agent:
    agent = agents.agent_for(session, request.cookies.get(COOKIE))
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "your session has ended; please sign in again")
    if request.method != "GET" and request.headers.get("x-requested-with") != "amicable":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "changes must come from the console page")
    return agent


AgentDep = Annotated[Agent, Depends(current_agent)]


def _open(session: Session, agent: Agent, conversation_id: str) -> tuple[Conversation, Handoff | None]:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    handoff = session.scalar(
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc()).limit(1)
    )
    if not agents.may_open(agent, handoff, conversation.account):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this conversation is with another colleague")
    return conversation, handoff


@router.get("")
def console_page() -> FileResponse:
    return FileResponse(PAGE, headers={"Cache-Control": "no-store"})


def _cookie_secure(settings: Settings) -> bool:
    """Secure always, except for the demo served over plain http (on localhost)."""
    return not (settings.amicable_demo and settings.public_base_url.startswith("http://"))


@router.post("/api/login")
def login(body: LoginIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep) -> dict:
    # The peer address as the server sees it: X-Forwarded-For is anyone's to write, so behind a
    # proxy every client shares the proxy's budget (see ratelimit.LOGIN_PER_SOURCE).
    source = request.client.host if request.client else "unknown"
    try:
        token = agents.sign_in(session, body.email, body.password, throttle=request.app.state.throttle, source=source)
    except agents.TooManyAttempts as refused:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, refused.message, headers={"Retry-After": str(refused.retry_after)}
        ) from None
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password")
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(agents.MAX_AGE.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_cookie_secure(settings),
        # The whole site: the results dashboard (/dashboard) uses the same sign-in.
        path="/",
    )
    return {"signed_in": True}


@router.post("/api/logout")
def logout(request: Request, response: Response, session: SessionDep, settings: SettingsDep) -> dict:
    agents.sign_out(session, request.cookies.get(COOKIE))
    response.delete_cookie(COOKIE, path="/", secure=_cookie_secure(settings), httponly=True, samesite="strict")
    return {"signed_in": False}


@router.get("/api/me")
def me(agent: AgentDep) -> dict:
    return {"name": agent.name, "email": agent.email, "role": agent.role}


class InviteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = Field("", max_length=200)
    role: Literal["agent", "supervisor"] = "agent"
    password: str = Field(min_length=12, max_length=200)


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["agent", "supervisor"] | None = None
    active: bool | None = None


def _colleague(agent: Agent) -> dict:
    return {"id": agent.id, "email": agent.email, "name": agent.name, "role": agent.role, "active": agent.active}


@router.get("/api/agents")
def list_agents(agent: AgentDep, session: SessionDep) -> list[dict]:
    """The team, for supervisors: who can sign in, with which role."""
    if agent.role != "supervisor":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only a supervisor manages the team")
    return [_colleague(colleague) for colleague in agents.team(session, agent)]


@router.post("/api/agents", status_code=status.HTTP_201_CREATED)
def invite_agent(body: InviteIn, agent: AgentDep, session: SessionDep) -> dict:
    """A supervisor adds a colleague with a first password to hand over."""
    return _colleague(agents.invite(session, agent, body.email, body.name, body.role, body.password))


@router.patch("/api/agents/{agent_id}")
def change_agent(agent_id: int, body: ChangeIn, agent: AgentDep, session: SessionDep) -> dict:
    """A new role, or access removed (their sessions end at once) or given back."""
    return _colleague(agents.change(session, agent, agent_id, role=body.role, active=body.active))


def _fingerprint(session: Session, agent: Agent) -> str:
    """What the agent's screen shows, in a few numbers: the open hand-overs they may see and
    the newest message and note in those conversations. It changes whenever the queue or a
    transcript does."""
    rows = session.scalars(select(Handoff).where(Handoff.status != "closed")).all()
    visible = [h for h in rows if agents.may_open(agent, h)]
    ids = [h.conversation_id for h in visible if h.conversation_id]
    newest = session.scalar(select(func.max(Message.id)).where(Message.conversation_id.in_(ids))) if ids else None
    noted = (
        session.scalar(select(func.max(ConversationNote.id)).where(ConversationNote.conversation_id.in_(ids)))
        if ids
        else None
    )
    state = ",".join(f"{h.id}:{h.status}:{h.agent_id}:{h.reason}" for h in sorted(visible, key=lambda h: h.id))
    return f"{state}|{newest}|{noted}"


async def changes(request: Request, agent_id: int, every: float = 1.5, lifetime: float = 300.0) -> AsyncIterator[str]:
    """Server-sent events: `changed` whenever the agent's queue or a transcript in it changes,
    `alive` as a heartbeat otherwise (comments would not reach the page). The stream ends after `lifetime` (the browser
    reconnects by itself), when the client leaves, or when the agent's access is removed."""
    factory = request.app.state.sessionmaker
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    last = None
    yield "retry: 3000\n\n"
    while loop.time() < deadline and not await request.is_disconnected():

        def read() -> str | None:
            with factory() as session, session.begin():
                agent = session.get(Agent, agent_id)
                return _fingerprint(session, agent) if agent is not None and agent.active else None

        current = await run_in_threadpool(read)
        if current is None:
            yield "event: ended\ndata: access removed\n\n"
            return
        yield (
            f"event: changed\ndata: {hashlib.sha256(current.encode()).hexdigest()[:16]}\n\n"
            if current != last
            else "event: alive\ndata: 1\n\n"
        )
        last = current
        await asyncio.sleep(every)


@router.get("/api/events")
async def events(request: Request, agent: AgentDep) -> StreamingResponse:
    """The queue and the open transcript pushed as they change (EventSource); the page's
    polling is kept as the fallback where a proxy holds streams back."""
    return StreamingResponse(
        changes(request, agent.id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/api/queue")
def queue(agent: AgentDep, session: SessionDep) -> list[dict]:
    """Conversations waiting for a person, and those this agent (or, for a supervisor, anyone)
    holds; the oldest wait first."""
    rows = session.scalars(select(Handoff).where(Handoff.status != "closed").order_by(Handoff.created_at)).all()
    # A person in crisis comes before everyone else, whoever has waited longer.
    rows = sorted(rows, key=lambda handoff: handoff.reason != "crisis")
    visible = [h for h in rows if agents.may_open(agent, h)]
    now = datetime.now(UTC)
    result = []
    for handoff in visible:
        conversation = session.get(Conversation, handoff.conversation_id) if handoff.conversation_id else None
        result.append(
            {
                "conversation_id": handoff.conversation_id,
                "channel": conversation.channel if conversation else None,
                "reason": handoff.reason,
                "urgent": handoff.reason == "crisis",
                "summary": handoff.summary,
                **agents.queue_entry(session, handoff, now),
                "status": handoff.status,
                "waiting_since": handoff.created_at,
                "callback_at": handoff.callback_at,
                "agent": handoff.agent.name if handoff.agent else None,
                "account_reference": handoff.account.reference if handoff.account else None,
            }
        )
    return result


@router.get("/api/conversations/{conversation_id}")
def read_conversation(conversation_id: str, agent: AgentDep, session: SessionDep) -> dict:
    conversation, handoff = _open(session, agent, conversation_id)
    notes = session.scalars(
        select(ConversationNote)
        .where(ConversationNote.conversation_id == conversation_id)
        .order_by(ConversationNote.id)
    ).all()
    account = conversation.account if conversation.verified else None
    return {
        "id": conversation.id,
        "channel": conversation.channel,
        "verified": conversation.verified,
        "handled_by": conversation.handled_by,
        "handoff": {
            "reason": handoff.reason,
            "summary": handoff.summary,
            "status": handoff.status,
            "agent": handoff.agent.name if handoff.agent else None,
        }
        if handoff
        else None,
        "messages": [
            {"id": m.id, "author": m.author, "text": m.text, "at": m.created_at} for m in conversation.messages
        ],
        "notes": [{"by": n.agent.name, "text": n.text, "at": n.created_at} for n in notes],
        "account": accounts.account_state(account, outcomes.debtor_today(account)) if account else None,
    }


@router.get("/api/conversations/{conversation_id}/file")
def read_file(conversation_id: str, request: Request, agent: AgentDep, session: SessionDep) -> dict:
    """The file panel beside the conversation, formatted in the console's language (`?lang=`):
    balance, invoices, plans, promises, links, disputes, opt-outs and the latest history. Only
    once the debtor's identity is confirmed, as for the transcript's `account`: before that, the
    person writing may not be the debtor, and the agent must not read the file to them."""
    conversation, _ = _open(session, agent, conversation_id)
    account = conversation.account if conversation.verified else None
    if account is None:
        return {"file": None}
    return {"file": file_panel(session, account, Words.of(request))}


def _policy(settings: Settings, conversation: Conversation) -> Policy:
    return load_policy(settings.policies_dir, conversation.account.creditor.name if conversation.account else "")


def _say(
    session: Session, settings: Settings, conversation: Conversation, agent: Agent, text: str, *, signed: bool = True
) -> dict:
    """A colleague's words: kept in the transcript first, then sent on the debtor's channel
    with the colleague's name (the web chat shows the name beside it); the agent is told
    plainly when it could not go (no Twilio, WhatsApp's 24 hours, a caller on the line)."""
    policy = _policy(settings, conversation)
    shown = agent_voice.shown_name(agent, policy, conversation.language or "en")
    conversations.record_message(session, conversation, "agent", text, {"agent": agent.name, "shown_as": shown})
    session.flush()
    outgoing = (
        text if conversation.channel == "web" or not signed else agent_voice.signed(text, agent, policy, conversation)
    )
    try:
        sent = outbound.send(session, settings, conversation.channel, conversation.address, outgoing, conversation.id)
    except outbound.NotSent as problem:
        return {"recorded": True, "delivered": False, "detail": str(problem)}
    return {"recorded": True, "delivered": True, "detail": sent.note}


@router.post("/api/conversations/{conversation_id}/take")
def take(conversation_id: str, agent: AgentDep, session: SessionDep, settings: SettingsDep) -> dict:
    """The agent takes the conversation; the debtor is told a person has joined, by name."""
    conversation, handoff = _open(session, agent, conversation_id)
    if handoff is None or handoff.status == "closed":
        handoff = conversations.hand_over(session, conversation, "agent_took_over", f"opened by {agent.name}")
    already = handoff.agent_id == agent.id and handoff.status == "active" and conversation.handled_by == "agent"
    handoff.agent_id, handoff.status = agent.id, "active"
    conversation.handled_by = "agent"
    if already:
        return {"status": "active", "agent": agent.name, "announced": None}
    policy = _policy(settings, conversation)
    announced = _say(
        session, settings, conversation, agent, agent_voice.joined(conversation, agent, policy), signed=False
    )
    return {"status": "active", "agent": agent.name, "announced": announced}


@router.post("/api/conversations/{conversation_id}/reply")
def reply(conversation_id: str, body: TextIn, agent: AgentDep, session: SessionDep, settings: SettingsDep) -> dict:
    """Kept in the transcript first, then sent on the debtor's channel; the agent is told
    plainly when it could not go (no Twilio, WhatsApp's 24 hours, a caller on the line)."""
    conversation, handoff = _open(session, agent, conversation_id)
    if conversation.handled_by != "agent":
        raise HTTPException(status.HTTP_409_CONFLICT, "take the conversation before replying: the bot still has it")
    if handoff is not None and handoff.agent_id is None:
        handoff.agent_id, handoff.status = agent.id, "active"
    return _say(session, settings, conversation, agent, body.text)


@router.post("/api/conversations/{conversation_id}/notes", status_code=status.HTTP_201_CREATED)
def add_note(conversation_id: str, body: TextIn, agent: AgentDep, session: SessionDep) -> dict:
    _open(session, agent, conversation_id)
    session.add(ConversationNote(conversation_id=conversation_id, agent_id=agent.id, text=body.text))
    return {"noted": True}


@router.post("/api/conversations/{conversation_id}/outcome", status_code=status.HTTP_201_CREATED)
def record_outcome(
    conversation_id: str, body: OutcomeIn, agent: AgentDep, session: SessionDep, settings: SettingsDep
) -> dict:
    """A promise, plan or dispute agreed with the debtor, through the same rules as the API."""
    conversation, _ = _open(session, agent, conversation_id)
    account = conversation.account if conversation.verified else None
    if account is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "the debtor's identity is not confirmed in this conversation")
    if body.kind == "promise":
        if body.due_on is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a promise needs due_on")
        promise = outcomes.record_promise(session, settings, account, body.due_on, None, conversation_id)
        return {"kind": "promise", "amount": str(promise.amount), "due_on": promise.due_on}
    if body.kind == "plan":
        if body.monthly_amount is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a plan needs monthly_amount")
        plan = plans.record_plan(session, settings, account, Decimal(body.monthly_amount), conversation_id)
        return {"kind": "plan", "installments": len(plan.installments)}
    outcomes.record_dispute(session, account, body.reason, body.details or f"recorded by {agent.name}", conversation_id)
    return {"kind": "dispute"}


@router.post("/api/conversations/{conversation_id}/release")
def release(conversation_id: str, agent: AgentDep, session: SessionDep, settings: SettingsDep) -> dict:
    """Hand the conversation back to the bot; the debtor is told the assistant answers again."""
    conversation, handoff = _open(session, agent, conversation_id)
    if handoff is not None:
        handoff.status = "closed"
    if conversation.handled_by == "agent":
        _say(
            session,
            settings,
            conversation,
            agent,
            agent_voice.left(conversation, agent, _policy(settings, conversation)),
        )
    conversation.handled_by = "bot"
    # Whoever writes next to the bot proves who they are again: the person the agent spoke
    # with may have handed the phone on.
    identity.reset(session, conversation, "handed back by an agent")
    return {"handled_by": "bot"}
