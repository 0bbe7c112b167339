"""What the bot's action server asks of a conversation: verify identity, read the account
once verified, hand over to a person, stop contact. Disclosure is checked here as well as in
the bot, so a mistake in one cannot leak debt details."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, status

from amicable.api.deps import ApiKey, SessionDep, SettingsDep
from amicable.api.schemas import HandoffIn, OptOutIn, OutcomeOut, VerificationIn, VerificationOut
from amicable.compliance import vulnerability_needs_consent
from amicable.money import fmt
from amicable.policy import load_policy
from amicable.services import accounts, conversations, outcomes, references

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"], dependencies=[ApiKey])


@router.post("/{conversation_id}/verification", response_model=VerificationOut)
def verify(conversation_id: str, body: VerificationIn, session: SessionDep) -> VerificationOut:
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    ok, left = conversations.verify(session, conversation, body.reference, body.answer)
    account = conversation.account if ok else None
    return VerificationOut(
        verified=ok,
        attempts_left=max(left, 0),
        account_reference=account.reference if account else None,
        language=account.debtor.language if account else None,
    )


@router.get("/{conversation_id}/binding")
def binding(conversation_id: str, session: SessionDep) -> dict:
    """Whether the conversation is already tied to a file, so the identity check need not ask
    for the reference. Says nothing about which file."""
    conversation = session.get(conversations.Conversation, conversation_id)
    return {"bound": bool(conversation and conversation.account_id is not None)}


@router.get("/{conversation_id}/account")
def account_summary(conversation_id: str, session: SessionDep, settings: SettingsDep) -> dict:
    """The debt, for a conversation whose identity check passed; 403 otherwise."""
    conversation = conversations.get(session, conversation_id)
    if not conversation.verified or conversation.account is None:
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
    }


@router.post("/{conversation_id}/handoffs", response_model=OutcomeOut, status_code=status.HTTP_201_CREATED)
def hand_over(conversation_id: str, body: HandoffIn, session: SessionDep) -> OutcomeOut:
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    conversations.hand_over(session, conversation, body.reason, body.summary)
    return OutcomeOut(account_reference=conversation.account.reference if conversation.account else None)


@router.post("/{conversation_id}/opt-outs", response_model=OutcomeOut, status_code=status.HTTP_201_CREATED)
def opt_out(conversation_id: str, body: OptOutIn, session: SessionDep) -> OutcomeOut:
    conversation = conversations.get_or_create(session, conversation_id, "rest")
    record = conversations.opt_out(session, conversation, body.channel)
    return OutcomeOut(
        account_reference=conversation.account.reference if conversation.verified and conversation.account else None,
        detail={"channel": record.channel},
    )
