"""What the bot's action server asks of a conversation: verify identity, read the account
once verified, hand over to a person, stop contact. Disclosure is checked here as well as in
the bot, so a mistake in one cannot leak debt details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import structlog
from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from twilio.base.exceptions import TwilioException

from amicable.api.deps import CallerDep, SessionDep, SettingsDep
from amicable.api.schemas import HandoffIn, OptOutIn, OutcomeOut, VerificationIn, VerificationOut
from amicable.channels.providers import twilio_client
from amicable.channels.replies import gateway_text
from amicable.channels.twilio_messaging import e164
from amicable.compliance import vulnerability_needs_consent
from amicable.db.models import Account, Handoff
from amicable.money import fmt
from amicable.policy import HandoverPolicy, load_policy
from amicable.services import accounts, agent_hours, conversations, identity, outcomes, plans, references
from amicable.settings import Settings

log = structlog.get_logger()

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])
# As the gateway names conversations (web-…, sms:+32…, telegram:…): nothing longer or stranger.
ConversationId = Annotated[str, Path(max_length=128, pattern=r"^[\w:+.@-]{1,128}$")]


def _code_sender(settings: Settings):  # type: ignore[no-untyped-def]
    """Sends a one-time code by SMS to the number on file. In the demo without Twilio the code
    is shown on the console instead; outside the demo there is no such fallback."""

    def send(account: Account, code: str) -> bool:
        phone = e164(account.debtor.phone or "")
        if phone is None:
            return False
        client = twilio_client(settings)
        if client is None:
            if settings.amicable_demo:
                log.warning("one-time code (demo: not sent, shown here)", account=account.reference, code=code)
                return True
            return False
        text = gateway_text("one_time_code", account.debtor.language).format(code=code)
        try:
            client.messages.create(to=phone, from_=settings.twilio_from_number, body=text)
        except TwilioException as error:
            log.warning("one-time code not sent", account=account.reference, error=str(error))
            return False
        return True

    return send


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
        session, settings, conversation, body.reference, body.answer, body.fact, send_code=_code_sender(settings)
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
    account = conversation.account
    today = outcomes.debtor_today(account)
    state = accounts.account_state(account, today)
    policy = load_policy(settings.policies_dir, account.creditor.name)
    return {
        "reference": account.reference,
        "creditor": account.creditor.name,
        "name": account.debtor.name,
        "language": account.debtor.language,
        "country": account.debtor.country,
        "currency": account.currency,
        "balance": fmt(state["balance"]),
        "status": state["status"],
        "today": today.isoformat(),
        "timezone": account.debtor.timezone,
        "latest_promise_date": (today + timedelta(days=policy.promise.max_days)).isoformat(),
        "reason": account.reason,
        "vulnerability_consent_required": vulnerability_needs_consent(account.debtor.country),
        # Where a transfer can go, with the reference that matches it to this file.
        "bank_transfer": {
            "iban": references.display_iban(policy.bank_transfer.iban),
            "bic": policy.bank_transfer.bic,
            "beneficiary": policy.bank_transfer.beneficiary or account.creditor.name,
            "reference": account.payment_reference and references.display(account.payment_reference),
        }
        if policy.bank_transfer.offered and account.payment_reference
        else None,
        "invoices": [
            {
                "number": i["number"],
                "amount_due": fmt(i["amount_due"]),
                "due_on": i["due_on"].isoformat(),
                "status": i["status"],
            }
            for i in state["invoices"]
            if i["amount_due"] > 0
        ],
        # The plan running, if any: what the debtor hears before being offered to change it.
        "plan": _plan_summary(account),
    }


def _plan_summary(account: Account) -> dict | None:
    upcoming = plans.next_installment(account)
    plan = plans.active_plan(account)
    if plan is None:
        return None
    left = [i for i in plan.installments if i.status not in ("paid", "cancelled")]
    return {
        "id": plan.id,
        "installments_left": len(left),
        "next_amount": fmt(upcoming[1]) if upcoming else None,
        "next_due_on": upcoming[0].due_on.isoformat() if upcoming else None,
    }


def _team_hours(settings: Settings, conversation: conversations.Conversation) -> HandoverPolicy:
    account = conversation.account
    return load_policy(settings.policies_dir, account.creditor.name if account else "").handover


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
    team = _team_hours(settings, conversation)
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
    handoff = session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status != "closed")
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    if handoff is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "no hand-over is waiting in this conversation")
    if body.at.tzinfo is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give the time with its offset")
    team = _team_hours(settings, conversation)
    if body.at <= datetime.now(UTC) or not agent_hours.on_duty(team, body.at):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "that time is outside the team's hours")
    handoff.callback_at = body.at
    accounts.log_contact(
        session, handoff.account, "callback_booked", body.at.isoformat(), conversation.channel, conversation.id
    )
    return {"ok": True, "callback_at": body.at.isoformat()}


@router.post("/{conversation_id}/opt-outs", response_model=OutcomeOut, status_code=status.HTTP_201_CREATED)
def opt_out(conversation_id: ConversationId, body: OptOutIn, session: SessionDep, _: CallerDep) -> OutcomeOut:
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    record = conversations.opt_out(session, conversation, body.channel)
    return OutcomeOut(
        account_reference=conversation.account.reference if conversation.verified and conversation.account else None,
        detail={"channel": record.channel},
    )
