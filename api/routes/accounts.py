"""The Accounts API: create or update an account, read its whole state, record outcomes.

Two kinds of caller: operators with the admin key reach every route; the bot's action
server, with its own key, reaches only the outcome routes (links, promises, plans, disputes,
the reason), and only for the file of a conversation whose identity check passed and has not
lapsed: a leaked action-server key cannot read or change any other file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Conversation
from amicable.money import fmt
from amicable.services import (
    NotFound,
    ServiceError,
    accounts,
    autopay,
    calls,
    identity,
    link_tokens,
    outcomes,
    payments,
    plans,
    portfolio,
)
from amicable.settings import Settings
from api.deps import AccountCallerDep, Operator, OperatorDep, SessionDep, SettingsDep
from api.filters import FiltersDep
from api.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
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
operator = APIRouter(prefix=PREFIX, tags=TAGS)
# Reached by operators and by the action server (see `_account_for`).
# `{reference:path}`: the bot names files by references that may hold a "/" (FAC/2025/00123).
conversation_outcomes = APIRouter(prefix=PREFIX, tags=TAGS)


def _account_for(
    session: Session,
    settings: Settings,
    caller: Operator | Literal["bot"],
    reference: str,
    conversation_id: str | None,
) -> Account:
    if caller != "bot":
        return _scoped(session, caller, reference)
    account = accounts.get_account(session, reference)
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    if (
        conversation is None
        or conversation.account_id != account.id
        or not identity.is_verified(settings, conversation)
    ):
        raise ServiceError("the bot acts on a file only in a conversation whose identity check passed", 403)
    return account


def _scoped(session: Session, operator: Operator, reference: str) -> Account:
    """The account, if the caller's key may see it: another creditor's file is not found, as
    if it did not exist."""
    account = accounts.get_account(session, reference)
    if not operator.agency and account.creditor_id != operator.creditor_id:
        raise NotFound(f"no account with reference {reference!r}")
    return account


def _may_write_for(operator: Operator, creditor: str | None) -> None:
    if creditor is not None and not operator.agency and creditor != operator.creditor:
        raise ServiceError(f"this key is for {operator.creditor}'s files only", 403)


@operator.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED)
def upsert_account(body: AccountIn, session: SessionDep, response: Response, operator: OperatorDep) -> dict:
    """Create the account (201) or update it (200). Invoices are matched by number."""
    _may_write_for(operator, body.creditor)
    if not operator.agency:
        existing = session.scalar(select(Account).where(Account.reference == body.reference))
        if existing is not None and existing.creditor_id != operator.creditor_id:
            # References are one namespace; another creditor's file is neither shown nor changed.
            raise ServiceError(f"the reference {body.reference!r} cannot be used; choose another", 409)
    account, created, _ = accounts.upsert_account(session, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    session.refresh(account)
    return accounts.account_state(account, outcomes.debtor_today(account))


@operator.get("", response_model=AccountPage | AccountOut)
def list_accounts(
    session: SessionDep,
    operator: OperatorDep,
    filters: FiltersDep,
    reference: str | None = Query(
        None, min_length=1, max_length=64, description="One account's whole state (as GET /accounts/{reference})"
    ),
    sort: str = Query(
        "reference", max_length=40, description=f"One of {', '.join(portfolio.SORTS)}; '-' first: descending"
    ),
    limit: int = Query(50, ge=1, le=portfolio.MAX_LIMIT),
    cursor: str | None = Query(None, max_length=1000, description="`next_cursor` of the previous page"),
) -> dict:
    """The portfolio, a page at a time: `{"items": [...], "next_cursor": ..., "total": N}`.

    With `reference`, the one account's whole state instead, for references a path cannot
    carry (FAC/2025/00123)."""
    if reference is not None:
        account = _scoped(session, operator, reference)
        return accounts.account_state(account, outcomes.debtor_today(account))
    today = date.today()
    found = portfolio.page(session, filters, today, sort=sort, limit=limit, cursor=cursor)
    return {"items": [row.public(today) for row in found.rows], "next_cursor": found.next_cursor, "total": found.total}


@operator.get("/{reference}", response_model=AccountOut)
def read_account(reference: str, session: SessionDep, operator: OperatorDep) -> dict:
    account = _scoped(session, operator, reference)
    return accounts.account_state(account, outcomes.debtor_today(account))


@operator.patch("/{reference}", response_model=AccountOut)
def patch_account(reference: str, body: AccountPatch, session: SessionDep, operator: OperatorDep) -> dict:
    """Change only what is sent: the debtor's fields, the creditor, invoices (matched by
    number, added when new) or consents (added). Everything left out keeps its value."""
    account = _scoped(session, operator, reference)
    _may_write_for(operator, body.creditor)
    accounts.patch_account(session, account, body)
    session.refresh(account)
    return accounts.account_state(account, outcomes.debtor_today(account))


@operator.post("/{reference}/calls", status_code=status.HTTP_201_CREATED)
def place_call(reference: str, session: SessionDep, settings: SettingsDep, operator: OperatorDep) -> dict:
    """Ring the debtor through Twilio; the call runs the same conversation as an inbound one.
    The compliance rules are asked first (hours, holidays, call caps, holds): 409 with the
    rule and reason when the call may not be made now."""

    from amicable.outreach.permission import may_contact

    account = _scoped(session, operator, reference)
    calls.ready(settings, account)
    channel, decision = may_contact(session, settings, account.id, datetime.now(UTC), ["voice"], creditor_hours=False)
    if channel is None:
        raise ServiceError(f"not now ({decision.rule}): {decision.reason}", 409)
    return {"call_sid": calls.place_call(session, settings, account)}


@operator.post("/{reference}/links")
def create_links(reference: str, session: SessionDep, settings: SettingsDep, operator: OperatorDep) -> dict:
    """Signed links that open a conversation about this file (web chat, Telegram), valid 30
    days; the debtor still confirms their identity there."""
    account = _scoped(session, operator, reference)
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
def read_ledger(reference: str, session: SessionDep, operator: OperatorDep) -> dict:
    """Every movement (invoices, payments, refunds, discounts) with the balance after each."""
    entries = accounts.ledger(_scoped(session, operator, reference))
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
    reference: str, body: PaymentLinkIn, session: SessionDep, settings: SettingsDep, caller: AccountCallerDep
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
    reference: str, body: PromiseIn, session: SessionDep, settings: SettingsDep, caller: AccountCallerDep
) -> dict:
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    promise = outcomes.record_promise(session, settings, account, body.due_on, body.amount, body.conversation_id)
    return {"amount": promise.amount, "due_on": promise.due_on, "status": promise.status}


@conversation_outcomes.post("/{reference:path}/plans/quote", response_model=PlanQuoteOut)
def quote_plan(
    reference: str, body: PlanIn, session: SessionDep, settings: SettingsDep, caller: AccountCallerDep
) -> dict:
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
def create_plan(
    reference: str, body: PlanIn, session: SessionDep, settings: SettingsDep, caller: AccountCallerDep
) -> dict:
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
    reference: str, body: DisputeIn, session: SessionDep, settings: SettingsDep, caller: AccountCallerDep
) -> OutcomeOut:
    account = _account_for(session, settings, caller, reference, body.conversation_id)
    outcomes.record_dispute(session, account, body.reason, body.details, body.conversation_id)
    return OutcomeOut(account_reference=account.reference, detail={"status": "open"})


@conversation_outcomes.put("/{reference:path}/reason", response_model=OutcomeOut)
def set_reason(
    reference: str, body: ReasonIn, session: SessionDep, settings: SettingsDep, caller: AccountCallerDep
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
