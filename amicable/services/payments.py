"""Payment links, and how money received settles invoices.

Events from the providers (Stripe's webhook, the local pay page) are read in
`payment_events`; this module owns what a payment does to the books: allocation to the oldest
invoice first, refunds that reopen invoices, and pay-in-full discounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from amicable.db.models import Account, Adjustment, Allocation, Invoice, Payment, PaymentLink, Plan, new_id
from amicable.money import CENT, to_minor
from amicable.policy import load_policy
from amicable.providers import stripe as stripe_checkout
from amicable.services import NotFound, ServiceError
from amicable.services.accounts import amount_due, balance, log_contact
from amicable.settings import Settings

ZERO = Decimal("0.00")
PURPOSES = ("balance", "installment", "early_payment")


def create_payment_link(
    session: Session,
    settings: Settings,
    account: Account,
    amount: Decimal | None = None,
    conversation_id: str | None = None,
    discount: bool = False,
    early_payment: tuple[Decimal, date] | None = None,
    purpose: str | None = None,
    batched: bool = False,
) -> PaymentLink:
    """A link for `amount`, or for the whole balance.

    One link per account and purpose is open at a time (`PaymentLink.purpose`): the new one
    supersedes the last, whose page then says to use the newer one, and whose Stripe session
    is expired, so an old message can never take money twice.

    With `discount`, a link for the whole balance less the pay-in-full discount the creditor's
    policy offers (none when it offers none); the discount is granted only once the link is
    paid, so an unpaid offer changes nothing on the file. With `early_payment` (percent, last
    day), `amount` less that percent, valid until the end of that day in the debtor's time:
    an offer for paying an invoice before its due date.

    `batched`: the caller already holds the account (`lock_accounts`), read its links after
    taking it, and writes the link with the rest of its batch, at its own flush (outreach
    prepares fifty contacts this way: one lock and one write for all their links). Otherwise
    the link is written at once, so what refers to it by id can be written after it.
    """
    if not batched:
        lock_account(session, account)
    owed = balance(account)
    if owed <= 0:
        raise ServiceError("this account has nothing left to pay", 409)
    purpose = purpose or ("early_payment" if early_payment is not None else "balance")
    if purpose not in PURPOSES:
        raise ServiceError(f"unknown purpose {purpose!r}; one of {', '.join(PURPOSES)}")
    if discount and amount is not None and amount != owed:
        raise ServiceError("a pay-in-full discount applies only to a link for the whole balance")
    amount = owed if amount is None else amount
    if amount > owed:
        raise ServiceError(f"the amount {amount} is more than the balance {owed}")
    policy = load_policy(settings.policies_dir, account.creditor.name)
    off = pay_in_full_discount(owed, policy.discount.pay_in_full_percent) if discount else ZERO
    expires_at = datetime.now(UTC) + timedelta(days=policy.payment_link.valid_days)
    if early_payment is not None:
        percent, last_day = early_payment
        off = pay_in_full_discount(amount, percent)
        zone = ZoneInfo(account.debtor.timezone or "UTC")
        expires_at = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    close_links(
        session,
        settings,
        account,
        "superseded",
        "a newer link replaces it",
        purposes=(purpose,),
        among=account.payment_links if batched else None,
    )
    link_id = new_id("pl")
    link = PaymentLink(
        id=link_id,
        status="open",
        created_at=datetime.now(UTC),
        account=account,
        purpose=purpose,
        amount=amount - off,
        discount=off,
        currency=account.currency,
        methods=policy.methods_for(account.debtor.country),
        provider="local",
        url=f"{settings.public_base_url.rstrip('/')}/pay/{link_id}",
        expires_at=expires_at,
    )
    session.add(link)
    if not batched:
        session.flush()
    if stripe_checkout.enabled(settings):
        stripe_checkout.open_session(settings, link)
    log_contact(
        session,
        account,
        "payment_link",
        f"{link.id} for {link.amount} {account.currency}"
        + (f" ({off} off for paying {'before the due date' if early_payment else 'in full'})" if off else ""),
        conversation_id=conversation_id,
    )
    return link


def lock_account(session: Session, account: Account) -> None:
    """Hold the account's row until commit (PostgreSQL; SQLite writes one at a time anyway):
    two conversations making a link at once, or a payment arriving meanwhile, go one after the
    other, so "one open link per purpose" holds."""
    lock_accounts(session, [account.id])


def lock_accounts(session: Session, account_ids: list[int]) -> None:
    """`lock_account` for many files at once, always in the order of their ids, so two
    holders of overlapping sets wait for each other instead of deadlocking."""
    session.execute(
        select(Account.id).where(Account.id.in_(sorted(set(account_ids)))).order_by(Account.id).with_for_update()
    )


def close_links(
    session: Session,
    settings: Settings,
    account: Account,
    status: str,
    why: str,
    purposes: tuple[str, ...] | None = None,
    keep: PaymentLink | None = None,
    among: list[PaymentLink] | None = None,
) -> list[PaymentLink]:
    """Close the account's open links (of `purposes`, or all): they can no longer be paid, and
    a Stripe Checkout Session behind one is expired at Stripe. `among`: the account's links
    as read while it was locked (else they are read now)."""
    closed = []
    if among is None:
        query = select(PaymentLink).where(PaymentLink.account_id == account.id, PaymentLink.status == "open")
        among = list(session.scalars(query))
    for link in among:
        if link.status != "open" or link is keep or (purposes is not None and link.purpose not in purposes):
            continue
        _close(session, settings, link, status, f"{status}: {why}")
        closed.append(link)
    return closed


def _close(session: Session, settings: Settings, link: PaymentLink, status: str, what: str) -> None:
    """One link can no longer be paid: its status, the Stripe session behind it expired, and
    the contact log says so."""
    link.status = status
    detail = f"{link.id} {what}"
    if link.provider == "stripe" and not stripe_checkout.expire_session(settings, link):
        detail += "; its Stripe session could not be expired now (it ends within a day)"
    log_contact(session, link.account, "payment_link_closed", detail, "payment")


def cancel_link(session: Session, settings: Settings, link: PaymentLink) -> PaymentLink:
    """An operator's cancel: the link can no longer be paid."""
    lock_account(session, link.account)
    session.refresh(link)
    if link.status == "cancelled":
        return link
    if link.status != "open":
        raise ServiceError(f"link {link.id} is {link.status}; only an open link can be cancelled", 409)
    _close(session, settings, link, "cancelled", "cancelled by an operator")
    return link


def settle_when_paid(session: Session, settings: Settings, account: Account, keep: PaymentLink | None = None) -> None:
    """Once nothing is owed: every open link closes, and a running plan is complete at once
    (not at the next collection run), its remaining installments covered."""
    session.flush()
    owed = balance(account)
    if owed > 0:
        # Links now asking more than is owed stay open (their page offers what is owed now),
        # but a Stripe Checkout already opened for the old amount can no longer be paid.
        for link in session.scalars(
            select(PaymentLink).where(PaymentLink.account_id == account.id, PaymentLink.status == "open")
        ):
            if link is not keep and link.provider == "stripe" and link.amount + link.discount > owed:
                stripe_checkout.expire_session(settings, link)
        return
    close_links(session, settings, account, "closed", "nothing left to pay", keep=keep)
    for plan in account.plans:
        if plan.status != "active":
            continue
        for installment in plan.installments:
            if installment.status != "paid":
                installment.status = "paid"
        plan.status = "completed"
        log_contact(session, account, "plan_completed", f"{plan.id}: the balance is paid", "plan")


def stale(link: PaymentLink) -> bool:
    """A link asking more than is still owed (another payment came in since it was made):
    paying it would take too much, so it is re-issued for what is owed instead."""
    owed = balance(link.account)
    return link.status == "open" and owed > 0 and link.amount + link.discount > owed


def reissue(session: Session, settings: Settings, link: PaymentLink) -> PaymentLink:
    """A fresh link in place of a stale one: the balance (with the same discount offer), or
    the same purpose capped at what is owed."""
    owed = balance(link.account)
    if link.purpose == "balance":
        return create_payment_link(session, settings, link.account, discount=link.discount > 0)
    return create_payment_link(session, settings, link.account, min(link.amount, owed), purpose=link.purpose)


def pay_in_full_discount(owed: Decimal, percent: Decimal) -> Decimal:
    """The policy's percentage of the balance, to the cent, rounded in the debtor's favour."""
    return (owed * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def get_link(session: Session, link_id: str) -> PaymentLink:
    link = session.get(PaymentLink, link_id)
    if link is None:
        raise NotFound("no such payment link")
    return link


def settling_order(settings: Settings, account: Account) -> list[Invoice]:
    """The account's invoices in the order payments settle them (the creditor's policy:
    oldest due date first unless it says otherwise)."""
    newest_first = load_policy(settings.policies_dir, account.creditor.name).allocation == "newest_first"
    return sorted(account.invoices, key=lambda i: (i.due_on, i.id), reverse=newest_first)


def allocate(settings: Settings, account: Account, payment: Payment | Adjustment) -> Decimal:
    """Spread a payment (or adjustment) over open invoices in the policy's order; return
    what is left over."""
    left = payment.amount
    for invoice in settling_order(settings, account):
        due = amount_due(invoice)
        if left <= 0:
            break
        if due <= 0:
            continue
        part = min(due, left)
        payment.allocations.append(Allocation(invoice=invoice, amount=part))
        left -= part
    return left


def open_links(session: Session, account: Account) -> list[PaymentLink]:
    now = datetime.now(UTC)
    return list(
        session.scalars(
            select(PaymentLink).where(
                PaymentLink.account_id == account.id, PaymentLink.status == "open", PaymentLink.expires_at > now
            )
        )
    )


def book_payment(
    session: Session,
    settings: Settings,
    account: Account,
    amount: Decimal,
    provider: str,
    provider_reference: str | None,
    how: str,
    link: PaymentLink | None = None,
) -> tuple[Payment, Decimal]:
    """Money received, however it came: settle invoices in the policy's order and log it,
    flagging what is more than owed for refund. Returns the payment and that excess."""
    payment = Payment(
        account=account,
        amount=amount,
        currency=account.currency,
        provider=provider,
        provider_reference=provider_reference,
        payment_link_id=link.id if link else None,
    )
    session.add(payment)
    left = allocate(settings, account, payment)
    detail = f"{amount} {account.currency} {how}"
    if left > 0:
        detail += f"; {left} more than owed, flagged for refund"
    log_contact(session, account, "payment", detail, "payment")
    settle_when_paid(session, settings, account, keep=link)
    return payment, left


def record_payment(
    session: Session,
    settings: Settings,
    link: PaymentLink,
    amount: Decimal,
    provider: str,
    provider_reference: str | None,
) -> Payment:
    """Money received for a link; the link's pay-in-full discount is granted when the whole
    amount came in."""
    how = f"by link {link.id}" + (f" (the link asked {link.amount})" if amount != link.amount else "")
    payment, _ = book_payment(session, settings, link.account, amount, provider, provider_reference, how, link)
    link.status = "paid"
    if link.discount > 0 and amount >= link.amount:
        _grant_discount(session, settings, link)
    settle_when_paid(session, settings, link.account)
    session.flush()
    return payment


def record_plan_charge(
    session: Session,
    settings: Settings,
    plan: Plan,
    amount: Decimal,
    provider: str,
    provider_reference: str,
    installment: str | None,
) -> Payment:
    """An installment charged on the plan's saved method: booked like any payment."""
    how = f"for installment {installment} of plan {plan.id} by {plan.autopay_method}"
    payment, _ = book_payment(session, settings, plan.account, amount, provider, provider_reference, how)
    session.flush()
    return payment


def record_refund(session: Session, settings: Settings, payment: Payment, amount: Decimal, reference: str) -> Payment:
    """Money given back: first from what the payment paid beyond the debt (already flagged
    for refund), then by reopening invoices in the reverse of the settling order, so that
    what stays paid sits where payments would have put it."""
    earlier = refunds_of(session, payment)
    refunded_before = -sum((r.amount for r in earlier), ZERO)
    if amount > payment.amount - refunded_before:
        raise ServiceError(
            f"refund of {amount} is more than the {payment.amount - refunded_before} left of the payment"
        )
    excess = _beyond_the_debt(payment, earlier)
    refund = Payment(
        account=payment.account,
        kind="refund",
        refund_of_id=payment.id,
        amount=-amount,
        currency=payment.currency,
        provider=payment.provider,
        provider_reference=reference,
    )
    session.add(refund)
    _withdraw_discounts(session, payment.account)
    to_reopen = max(ZERO, amount - excess)
    for invoice in reversed(settling_order(settings, payment.account)):
        if to_reopen <= 0:
            break
        part = min(invoice.amount - amount_due(invoice), to_reopen)
        if part > 0:
            refund.allocations.append(Allocation(invoice=invoice, amount=-part))
            to_reopen -= part
    session.flush()
    return refund


def _withdraw_discounts(session: Session, account: Account) -> None:
    """A pay-in-full discount rewards paying everything; money given back means that did not
    happen, so each discount still standing is reversed (recorded, not erased)."""
    withdrawn = {a.payment_link_id for a in account.adjustments if a.kind == "discount_revoked"}
    for discount in [a for a in account.adjustments if a.kind == "discount" and a.payment_link_id not in withdrawn]:
        reversal = Adjustment(
            account=account,
            kind="discount_revoked",
            amount=-discount.amount,
            currency=discount.currency,
            detail=f"refund after paying in full by link {discount.payment_link_id}",
            payment_link_id=discount.payment_link_id,
        )
        session.add(reversal)
        for allocation in discount.allocations:
            reversal.allocations.append(Allocation(invoice=allocation.invoice, amount=-allocation.amount))
        log_contact(
            session, account, "discount", f"{discount.amount} {discount.currency} discount withdrawn", "payment"
        )


def refunds_of(session: Session, payment: Payment) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.refund_of_id == payment.id).order_by(Payment.id)))


def _grant_discount(session: Session, settings: Settings, link: PaymentLink) -> None:
    """Settle what the paid pay-in-full link left open, up to the discount it promised.

    Capped at what is still owed: if another payment arrived between the offer and the
    payment, the debtor is not credited twice for the same euros.
    """
    account = link.account
    amount = min(link.discount, balance(account))
    if amount <= 0:
        return
    adjustment = Adjustment(
        account=account,
        kind="discount",
        amount=amount,
        currency=link.currency,
        detail=f"paid in full by link {link.id}",
        payment_link_id=link.id,
    )
    session.add(adjustment)
    allocate(settings, account, adjustment)
    log_contact(session, account, "discount", f"{amount} {link.currency} off for paying in full", "payment")


def overpayment(session: Session, payment: Payment) -> Decimal:
    """What a payment brought beyond the debt and has not yet been given back."""
    if payment.kind != "payment":
        return ZERO
    return _beyond_the_debt(payment, refunds_of(session, payment))


def _beyond_the_debt(payment: Payment, refunds: list[Payment]) -> Decimal:
    """The part of a payment that no invoice holds and no refund has given back yet."""
    refunded = -sum((r.amount for r in refunds), ZERO)
    allocated = sum((a.amount for source in [payment, *refunds] for a in source.allocations), ZERO)
    return max(ZERO, payment.amount - refunded - allocated)


def overpayments(session: Session) -> list[tuple[Payment, Decimal]]:
    """Every payment with money to return, oldest first. Only the candidates are looked at
    one by one: payments their invoices do not wholly hold, and payments partly refunded."""
    held = (
        select(Allocation.payment_id, func.sum(Allocation.amount).label("held"))
        .where(Allocation.payment_id.is_not(None))
        .group_by(Allocation.payment_id)
        .subquery()
    )
    refunded = aliased(Payment)
    candidates = (
        select(Payment)
        .outerjoin(held, held.c.payment_id == Payment.id)
        .where(
            Payment.kind == "payment",
            or_(
                Payment.amount > func.coalesce(held.c.held, 0),
                exists().where(refunded.refund_of_id == Payment.id),
            ),
        )
        .order_by(Payment.id)
    )
    found = []
    for payment in session.scalars(candidates):
        excess = overpayment(session, payment)
        if excess > 0:
            found.append((payment, excess))
    return found


def return_overpayment(session: Session, settings: Settings, payment_id: int) -> Payment:
    """Give back what a payment brought beyond the debt: through Stripe when the payment came
    through it and Stripe is configured, else recorded as returned by hand (a bank transfer
    the creditor makes). Recorded once: a second call finds nothing left to return."""
    payment = session.scalars(
        select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if payment is None or payment.kind != "payment":
        raise NotFound("no such payment")
    excess = overpayment(session, payment)
    if excess <= 0:
        raise ServiceError("nothing left to return on this payment", 409)
    reference = f"returned by hand ({payment.id})"
    if payment.provider == "stripe" and stripe_checkout.enabled(settings) and payment.provider_reference:
        reference = stripe_checkout.refund(
            settings, payment.provider_reference, to_minor(excess), f"overpayment-{payment.id}-{excess}"
        )
    refund = record_refund(session, settings, payment, excess, reference)
    log_contact(
        session, payment.account, "refund", f"{excess} {payment.currency} overpaid returned: {reference}", "payment"
    )
    return refund
