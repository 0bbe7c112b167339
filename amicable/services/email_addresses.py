"""What a debtor's email address allows: an unsubscribe from one email stops email about
every file with that address (a household's shared mailbox, two debts with one creditor),
and an address that bounced or complained is not written to again."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Debtor, OptOut, UndeliverableAddress
from amicable.services.accounts import log_contact


def accounts_for_email(session: Session, address: str) -> list[Account]:
    """Every file whose debtor has this address, whatever its case, oldest first."""
    wanted = address.strip().lower()
    return list(
        session.scalars(select(Account).join(Debtor).where(func.lower(Debtor.email) == wanted).order_by(Account.id))
    )


def stop_email(session: Session, address: str, why: str) -> list[Account]:
    """Record an email opt-out on every file with `address`; saying it twice changes nothing.
    Returns the files it covers."""
    wanted = address.strip().lower()[:128]
    files = accounts_for_email(session, wanted)
    for account in files:
        if not any(o.channel == "email" for o in account.opt_outs):
            account.opt_outs.append(OptOut(channel="email", address=wanted))
            log_contact(session, account, "opt_out", why, "email")
    if (
        not files
        and session.scalar(select(OptOut.id).where(OptOut.channel == "email", OptOut.address == wanted)) is None
    ):
        session.add(OptOut(channel="email", address=wanted))  # kept for a file that comes later
    return files


def mark_undeliverable(session: Session, address: str, kind: str, detail: str) -> list[Account]:
    """A permanent bounce (`bounced`) or a spam complaint (`complained`): outreach stops using
    the address and goes on with the strategy's next channel. Once per address."""
    wanted = address.strip().lower()[:320]
    if session.scalar(select(UndeliverableAddress).where(UndeliverableAddress.address == wanted)) is None:
        session.add(UndeliverableAddress(address=wanted, kind=kind, detail=detail[:500]))
    files = accounts_for_email(session, wanted)
    for account in files:
        log_contact(session, account, f"email_{kind}", detail[:500] or kind, "email")
    return files
