"""What operators do with money after it came in: cancel a link so it can no longer be paid,
list what was paid beyond the debt, and record it as returned (through Stripe when the
payment came through it)."""

from __future__ import annotations

from fastapi import APIRouter, Path

from amicable.services import accounts, payments
from api.deps import ApiKey, SessionDep, SettingsDep
from api.schemas import PaymentLinkOut, RefundDueOut, RefundOut

router = APIRouter(prefix="/api/v1", tags=["payments"], dependencies=[ApiKey])


@router.post("/payment-links/{link_id}/cancel", response_model=PaymentLinkOut)
def cancel_payment_link(session: SessionDep, settings: SettingsDep, link_id: str = Path(max_length=40)) -> dict:
    """The link can no longer be paid (its Stripe session is expired) and its page says so.
    Cancelling twice is harmless; a link paid, or being paid by a bank debit, gives 409."""
    link = payments.cancel_link(session, settings, payments.get_link(session, link_id))
    return accounts.link_state(link)


@router.get("/refunds", response_model=list[RefundDueOut])
def refunds_due(session: SessionDep) -> list[dict]:
    """Every payment that brought more than was owed, with what is still to be returned."""
    return [
        {
            "id": payment.id,
            "account_reference": payment.account.reference,
            "amount": excess,
            "currency": payment.currency,
            "provider": payment.provider,
            "provider_reference": payment.provider_reference,
            "received_at": payment.received_at,
        }
        for payment, excess in payments.overpayments(session)
    ]


@router.post("/refunds/{payment_id}", response_model=RefundOut)
def record_refund(session: SessionDep, settings: SettingsDep, payment_id: int = Path(ge=1, le=2**62)) -> dict:
    """Return what payment `payment_id` brought beyond the debt: refunded at Stripe when it came
    through Stripe and Stripe is configured, else recorded as returned by hand. The ledger
    shows the refund. 409 when nothing is left to return."""
    refund = payments.return_overpayment(session, settings, payment_id)
    return {
        "payment_id": payment_id,
        "amount": -refund.amount,
        "currency": refund.currency,
        "reference": refund.provider_reference,
    }
