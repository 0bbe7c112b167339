"""What the bot's action server asks of a conversation: verify identity, read the account
once verified, hand over to a person, stop contact. Disclosure is checked here as well as in
the bot, so a mistake in one cannot leak debt details."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import structlog
from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict

from amicable.policy import HandoverPolicy
from amicable.services import agent_hours, conversations, disclosure, identity
from api.deps import CallerDep, SessionDep, SettingsDep
from api.schemas import HandoffIn, OptOutIn, OutcomeOut, VerificationIn, VerificationOut

log = structlog.get_logger()

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])
# As the gateway names conversations (web-…, sms:+32…, telegram:…): nothing longer or stranger.
ConversationId = Annotated[str, Path(max_length=128, pattern=r"^[\w:+.@-]{1,128}$")]


@router.post("/{conversation_id}/verification", response_model=VerificationOut)
def verify(
    conversation_id: ConversationId,
    body: VerificationIn,
    session: SessionDep,
    settings: SettingsDep,
    _: CallerDep,
) -> VerificationOut:
    """One step of the identity check: the date of birth, then the postcode, then a one-time
    code when one is needed (`next` says what to ask). The verdict comes only at the end."""
    # A conversation no channel opened has no source of its own: all of them share one daily
    # allowance (identity._source), so made-up ids cannot multiply the attempts.
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    outcome = identity.check(
        session,
        settings,
        conversation,
        body.reference,
        body.answer,
        body.fact,
        send_code=identity.sms_code_sender(session, settings),
    )
    account = outcome.account if outcome.verified else None
    return VerificationOut(
        verified=outcome.verified,
        attempts_left=outcome.attempts_left,
        next=outcome.next,
        account_reference=account.reference if account else None,
        language=account.debtor.language if account else None,
    )


@router.post("/{conversation_id}/session")
def new_session(conversation_id: ConversationId, session: SessionDep, _: CallerDep) -> dict:
    """The bot started a new session (after its idle time): identity is to be confirmed again."""
    conversation = session.get(conversations.Conversation, conversation_id)
    if conversation is not None:
        identity.reset(session, conversation, "new session")
    return {"verified": False}


@router.get("/{conversation_id}/binding")
def binding(conversation_id: ConversationId, session: SessionDep, _: CallerDep) -> dict:
    """Whether the conversation is already tied to a file, so the identity check need not ask
    for the reference. Says nothing about which file."""
    conversation = session.get(conversations.Conversation, conversation_id)
    return {"bound": bool(conversation and conversation.account_id is not None)}


@router.get("/{conversation_id}/account")
def account_summary(conversation_id: ConversationId, session: SessionDep, settings: SettingsDep, _: CallerDep) -> dict:
    """The debt, for a conversation whose identity check passed and has not lapsed; 403
    otherwise."""
    conversation = conversations.get(session, conversation_id)
    if not identity.is_verified(settings, conversation) or conversation.account is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "identity not verified in this conversation")
    return disclosure.account_summary(settings, conversation.account)


def _debtor_zone(conversation: conversations.Conversation, team: HandoverPolicy) -> ZoneInfo:
    """Times are told in the debtor's zone when their file is known, else the team's."""
    account = conversation.account if conversation.verified else None
    return ZoneInfo(account.debtor.timezone if account else team.timezone)


@router.post("/{conversation_id}/handoffs", status_code=status.HTTP_201_CREATED)
def hand_over(
    conversation_id: ConversationId, body: HandoffIn, session: SessionDep, settings: SettingsDep, _: CallerDep
) -> dict:
    """Into the agents' queue; says whether someone is on duty now, and if not, when, with the
    first call-back times (in the debtor's time zone)."""
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    conversations.hand_over(session, conversation, body.reason, body.summary)
    team = agent_hours.team_hours(settings, conversation)
    now = datetime.now(UTC)
    available = agent_hours.on_duty(team, now)
    if not available:
        # Nobody can answer yet: the bot keeps helping until a colleague takes the conversation.
        conversation.handled_by = "bot"
    zone = _debtor_zone(conversation, team)
    return {
        "ok": True,
        "account_reference": conversation.account.reference if conversation.verified and conversation.account else None,
        "agents_available": available,
        "next_open": None if available else agent_hours.next_opening(team, now).astimezone(zone).isoformat(),
        "callback_slots": []
        if available
        else [slot.astimezone(zone).isoformat() for slot in agent_hours.callback_slots(team, now)],
    }


class CallbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime


@router.post("/{conversation_id}/callback", status_code=status.HTTP_201_CREATED)
def book_callback(
    conversation_id: ConversationId, body: CallbackIn, session: SessionDep, settings: SettingsDep, _: CallerDep
) -> dict:
    """The debtor's chosen call-back time, on their waiting hand-over; it must fall in the
    team's hours and in the future."""
    conversation = conversations.get(session, conversation_id)
    at = conversations.book_callback(session, conversation, body.at, agent_hours.team_hours(settings, conversation))
    return {"ok": True, "callback_at": at.isoformat()}


@router.post("/{conversation_id}/opt-outs", response_model=OutcomeOut, status_code=status.HTTP_201_CREATED)
def opt_out(conversation_id: ConversationId, body: OptOutIn, session: SessionDep, _: CallerDep) -> OutcomeOut:
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    record = conversations.opt_out(session, conversation, body.channel)
    return OutcomeOut(
        account_reference=conversation.account.reference if conversation.verified and conversation.account else None,
        detail={"channel": record.channel},
    )
