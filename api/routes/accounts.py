"""The Accounts API: create or update an account, read its whole state, record outcomes.

Two kinds of caller: operators with the admin key reach every route; the bot's action
server, with its own key, reaches only the outcome routes (links, promises, plans, disputes,
the reason), and only for the file of a conversation whose identity check passed and has not
lapsed: a leaked action-server key cannot read or change any other file."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from amicable.db.models import Account, Conversation
from amicable.money import fmt
from amicable.services import (
    ServiceError,
    accounts,
    autopay,
    calls,
    identity,
    link_tokens,
    outcomes,
    payments,
    plans,
)
from amicable.settings import Settings
from api.deps import ApiKey, CallerDep, SessionDep, SettingsDep
from api.schemas import (
    AccountIn,
    AccountOut,
    DisputeIn,
    OutcomeOut,
    PaymentLinkIn,
    PaymentLinkOut,
    PlanIn,
    PlanOut,
    PlanQuoteOut,
    PromiseIn,
    PromiseOut,
    ReasonIn,
)

PREFIX, TAGS = "/api/v1/accounts", ["accounts"]
operator = APIRouter(prefix=PREFIX, tags=TAGS, dependencies=[ApiKey])
# Reached by operators and by the action server (see `_account_for`).
# `{reference:path}`: the bot names files by references that may hold a "/" (FAC/2025/00123).
conversation_outcomes = APIRouter(prefix=PREFIX, tags=TAGS)


def _account_for(
    session: Session, settings: Settings, caller: str, reference: str, conversation_id: str | None
) -> Account:
    account = accounts.get_account(session, reference)
    if caller == "bot":
        conversation = session.get(Conversation, conversation_id) if conversation_id else None
        if (
            conversation is None
            or conversation.account_id != account.id
            or not identity.is_verified(settings, conversation)
        ):
            raise ServiceError("the bot acts on a file only in a conversation whose identity check passed", 403)
    return account


@operator.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def upsert_account(body: AccountIn, session: SessionDep, response: Response) -> dict:
    """Create the account (201) or update it (200). Invoices are matched by number."""
    account, created, _ = accounts.upsert_account(session, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    session.refresh(account)
    return accounts.account_state(account, outcomes.debtor_today(account))


@operator.get("", response_model=AccountOut)
def find_account(session: SessionDep, reference: str = Query(min_length=1, max_length=64)) -> dict:
    """The account with this reference, given as a query parameter: for references a path
    cannot carry (FAC/2025/00123)."""
    account = accounts.get_account(session, reference)
    return accounts.account_state(account, outcomes.debtor_today(account))


@operator.get("/{reference}", response_model=AccountOut)
def read_account(reference: str, session: SessionDep) -> dict:
    account = accounts.get_account(session, reference)
    return accounts.account_state(account, outcomes.debtor_today(account))


@operator.post("/{reference}/calls", status_code=status.HTTP_201_CREATED)
def place_call(reference: str, session: SessionDep, settings: SettingsDep) -> dict:
    """Ring the debtor through Twilio; the call runs the same conversation as an inbound one.
    The compliance rules are asked first (hours, holidays, call caps, holds): 409 with the
    rule and reason when the call may not be made now."""
    from datetime import UTC, datetime

    from amicable.outreach.permission import may_contact

    account = accounts.get_account(session, reference)
    calls.ready(settings, account)
    channel, decision = may_contact(session, settings, account.id, datetime.now(UTC), ["voice"], creditor_hours=False)
    if channel is None:
        raise ServiceError(f"not now ({decision.rule}): {decision.reason}", 409)
    return {"call_sid": calls.place_call(session, settings, account)}


@operator.post("/{reference}/links")
def create_links(reference: str, session: SessionDep, settings: SettingsDep) -> dict:
    """Signed links that open a conversation about this file (web chat, Telegram), valid 30
    days; the debtor still confirms their identity there."""
    account = accounts.get_account(session, reference)
    token = link_tokens.sign(account.id, settings.amicable_link_secret)
    base = settings.public_base_url.rstrip("/")
    return {
        "token": token,
        "web_chat": link_tokens.chat_url(base, token, account.debtor.language),
        "telegram": f"https://t.me/{settings.telegram_bot_username}?start={token}"
        if settings.telegram_bot_username
        else None,
    }


@operator.get("/{reference}/ledger")
def read_ledger(reference: str, session: SessionDep) -> dict:
    """Every movement (invoices, payments, refunds, discounts) with the balance after each."""
    entries = accounts.ledger(accounts.get_account(session, reference))
    return {
        **entries,
        "balance": fmt(entries["balance"]),
        "credit": fmt(entries["credit"]),
        "entries": [
            {**e, "amount": fmt(e["amount"]), "applied": fmt(e["applied"]), "balance": fmt(e["balance"])}
            for e in entries["entries"]
        ],
    }


@conversation_outcomes.post(
    "/{reference:path}/payment-links", response_model=PaymentLinkOut, status_code=status.HTTP_201_CREATED
)
def create_payment_link(
    reference: str, body: PaymentLinkIn, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> dict:
    """A payment link for the balance, or for `amount` when given; with `discount`, for the
    balance less the pay-in-full discount of the creditor's policy. While a plan runs, a link
    without `amount` is for the next installment unless `whole_balance`. It supersedes the
    account's open link of the same purpose."""
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    if body.amount is not None:
        link = payments.create_payment_link(
            session, settings, account, body.amount, body.conversation_id, discount=body.discount
        )
    else:
        link = plans.link_for_debtor(
            session, settings, account, body.conversation_id, body.discount, body.whole_balance
        )
    return accounts.link_state(link)


@conversation_outcomes.post(
    "/{reference:path}/promises", response_model=PromiseOut, status_code=status.HTTP_201_CREATED
)
def create_promise(
    reference: str, body: PromiseIn, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> dict:
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    promise = outcomes.record_promise(session, settings, account, body.due_on, body.amount, body.conversation_id)
    return {"amount": promise.amount, "due_on": promise.due_on, "status": promise.status}


@conversation_outcomes.post("/{reference:path}/plans/quote", response_model=PlanQuoteOut)
def quote_plan(reference: str, body: PlanIn, session: SessionDep, settings: SettingsDep, caller: CallerDep) -> dict:
    """The schedule a monthly amount would give, or the nearest one the policy allows.
    Records nothing: the debtor has not said yes yet."""
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    offer = plans.quote_for(settings, account, body.monthly_amount)
    return {
        "proposed": offer.proposed,
        "monthly": offer.monthly,
        "fits": offer.fits,
        "why": offer.why,
        "total": offer.total,
        "installments": [{"due_on": due_on, "amount": amount} for due_on, amount in offer.installments],
    }


@conversation_outcomes.post("/{reference:path}/plans", response_model=PlanOut, status_code=status.HTTP_201_CREATED)
def create_plan(reference: str, body: PlanIn, session: SessionDep, settings: SettingsDep, caller: CallerDep) -> dict:
    """Records a plan the debtor agreed to; 422 with the counter-offer when it does not fit."""
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    plan = plans.record_plan(session, settings, account, body.monthly_amount, body.conversation_id)
    return {
        "id": plan.id,
        "status": plan.status,
        "installments": [{"amount": i.amount, "due_on": i.due_on, "status": i.status} for i in plan.installments],
        # Where the debtor can have the installments taken automatically, if any method allows it.
        "autopay_url": autopay.page_url(settings, plan) if autopay.methods_for(settings, plan) else None,
    }


@conversation_outcomes.post(
    "/{reference:path}/disputes", response_model=OutcomeOut, status_code=status.HTTP_201_CREATED
)
def create_dispute(
    reference: str, body: DisputeIn, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> OutcomeOut:
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    outcomes.record_dispute(session, account, body.reason, body.details, body.conversation_id)
    return OutcomeOut(account_reference=account.reference, detail={"status": "open"})


@conversation_outcomes.put("/{reference:path}/reason", response_model=OutcomeOut)
def set_reason(
    reference: str, body: ReasonIn, session: SessionDep, settings: SettingsDep, caller: CallerDep
) -> OutcomeOut:
    """The reason the debtor gave for not paying, as the bot or an agent understood it."""
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    outcomes.record_reason(session, account, body.reason, body.conversation_id, body.vulnerability_consent)
    return OutcomeOut(
        account_reference=account.reference,
        detail={
            "reason": account.reason,
            "vulnerable": str(account.vulnerable).lower(),
            "balance": fmt(accounts.balance(account)),
        },
    )


router = APIRouter()
router.include_router(operator)
router.include_router(conversation_outcomes)
