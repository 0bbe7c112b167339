"""Accounts: creation and update from the Accounts API or an import, and their derived state."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from amicable.db.models import Account, Consent, ContactEvent, Creditor, Debtor, Invoice, PaymentLink
from amicable.services import NotFound, ServiceError, references
from amicable.services.shapes import AccountIn, AccountPatch, ConsentIn, InvoiceIn

ZERO = Decimal("0.00")


def reference_key(reference: str) -> str:
    """Letters and digits, upper case: how a reference typed back is matched to a file."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", reference).upper())[:64]


def find_by_typed_reference(session: Session, typed: str) -> Account | None:
    """The file a debtor means by what they typed ("inv 2025 00871", "+++090/9337/55493+++"):
    the exact reference first, else the only file with the same letters and digits. Two files
    that differ only in separators are never guessed between."""
    exact = session.scalar(select(Account).where(func.upper(Account.reference) == typed.strip().upper()))
    if exact is not None:
        return exact
    for key in candidate_keys(typed):
        found = session.scalars(select(Account).where(Account.reference_key == key).limit(2)).all()
        if len(found) == 1:
            return found[0]
    return None


def candidate_keys(typed: str) -> list[str]:
    """What was typed, then its shorter endings ("is INV-2025-00871" -> "INV202500871"): a word
    said before the reference is dropped. A reference read out in groups of figures
    ("66 10 28 44 73") is tried whole, and a reference with a letter after its figures also
    without it. At most four, each with a figure."""
    pieces = [p for p in re.split(r"\s+", unicodedata.normalize("NFKC", typed).strip()) if p][-8:]
    figures = [i for i, p in enumerate(pieces) if any(ch.isdigit() for ch in p)]
    first = figures[0] if figures else 0
    grouped = len(pieces) - first > 4 and len(figures) == len(pieces) - first
    # Read out in groups: whole, with and without the word before it ("is", or a prefix "he").
    starts = [max(0, first - 1), first] if grouped else range(max(0, len(pieces) - 4), len(pieces))
    # A last piece without figures may be a suffix ("RC 88412 B") or a word said after it.
    ends = [len(pieces), len(pieces) - 1] if pieces and not any(ch.isdigit() for ch in pieces[-1]) else [len(pieces)]
    keys: list[str] = []
    for end in ends:
        for start in starts:
            key = reference_key("".join(pieces[start:end]))
            if len(key) >= 3 and any(ch.isdigit() for ch in key) and key not in keys:
                keys.append(key)
    return keys[:4]


def get_account(session: Session, reference: str) -> Account:
    account = session.scalar(select(Account).where(Account.reference == reference))
    if account is None:
        raise NotFound(f"no account with reference {reference!r}")
    return account


def _creditor(session: Session, name: str) -> Creditor:
    creditor = session.scalar(select(Creditor).where(Creditor.name == name))
    if creditor is None:
        creditor = Creditor(name=name)
        session.add(creditor)
    return creditor


def _check_invoices(reference: str, invoices: list[InvoiceIn], currency: str | None) -> str:
    """The one currency of these invoices (that of the account, when it exists)."""
    currencies = {invoice.currency for invoice in invoices}
    if currency is not None and currencies - {currency}:
        raise ServiceError(f"account {reference} is in {currency}; invoices must be too")
    if len(currencies) > 1:
        raise ServiceError("all invoices of an account must be in one currency")
    numbers = [invoice.number for invoice in invoices]
    if len(set(numbers)) != len(numbers):
        raise ServiceError("an invoice number appears twice")
    for invoice in invoices:
        if invoice.due_on < invoice.issued_on:
            raise ServiceError(f"invoice {invoice.number}: due_on is before issued_on")
    return currency or currencies.pop()


def _apply_invoices(account: Account, invoices: list[InvoiceIn]) -> dict[str, bool]:
    """Invoices matched by number: new ones added, known ones updated; none is ever deleted.
    For each number, whether it was created."""
    existing = {invoice.number: invoice for invoice in account.invoices}
    outcome: dict[str, bool] = {}
    for item in invoices:
        invoice = existing.get(item.number)
        if invoice is None:
            account.invoices.append(
                Invoice(
                    number=item.number,
                    amount=item.amount,
                    currency=item.currency,
                    issued_on=item.issued_on,
                    due_on=item.due_on,
                )
            )
            outcome[item.number] = True
            continue
        paid = sum((a.amount for a in invoice.allocations), ZERO)
        if item.amount < paid:
            raise ServiceError(f"invoice {item.number}: {item.amount} is less than the {paid} already paid on it")
        invoice.amount, invoice.issued_on, invoice.due_on = item.amount, item.issued_on, item.due_on
        outcome[item.number] = False
    return outcome


def _add_consents(account: Account, consents: list[ConsentIn]) -> None:
    held = {(c.channel, c.source) for c in account.consents}
    for consent in consents:
        if (consent.channel, consent.source) not in held:
            account.consents.append(Consent(channel=consent.channel, source=consent.source, wording=consent.wording))


def _touched(account: Account) -> None:
    """A change to the debtor, an invoice or a consent is a change to the file: the list's
    `updated_since` must find it (the row's own `onupdate` sees only its own columns)."""
    account.updated_at = datetime.now(UTC)


def upsert_account(session: Session, data: AccountIn) -> tuple[Account, bool, dict[str, bool]]:
    """Create or update an account. Invoices are matched by number; none is ever deleted.

    Returns the account, whether it was created, and for each invoice number whether that
    invoice was created (True) or updated (False).
    """
    account = session.scalar(select(Account).where(Account.reference == data.reference))
    created = account is None
    currency = _check_invoices(data.reference, data.invoices, account.currency if account is not None else None)

    fields = data.debtor.model_dump()
    if account is None:
        account = Account(
            reference=data.reference,
            creditor=_creditor(session, data.creditor),
            debtor=Debtor(**fields),
            currency=currency,
        )
        session.add(account)
        account.reference_key = reference_key(data.reference)
    else:
        account.creditor = _creditor(session, data.creditor)
        # Fields the client left out keep their stored value: an update never erases by omission.
        for key, value in data.debtor.model_dump(exclude_unset=True).items():
            setattr(account.debtor, key, value)
        _touched(account)

    _add_consents(account, data.consents)
    outcome = _apply_invoices(account, data.invoices)
    session.flush()
    if account.payment_reference is None:
        # Fixed at creation: a reference printed on a letter must keep working.
        account.payment_reference = references.for_account(account.id, account.debtor.country)
        session.flush()
    return account, created, outcome


def patch_account(session: Session, account: Account, patch: AccountPatch) -> Account:
    """A partial update: what the patch names changes, everything else keeps its value."""
    if patch.creditor is not None:
        account.creditor = _creditor(session, patch.creditor)
    if patch.debtor is not None:
        for key, value in patch.debtor.model_dump(exclude_unset=True).items():
            setattr(account.debtor, key, value)
    if patch.invoices:
        _check_invoices(account.reference, patch.invoices, account.currency)
        _apply_invoices(account, patch.invoices)
    _add_consents(account, patch.consents)
    _touched(account)
    session.flush()
    return account


def amount_due(invoice: Invoice) -> Decimal:
    return invoice.amount - sum((a.amount for a in invoice.allocations), ZERO)


def received_since(account: Account, since: datetime) -> Decimal:
    """Money in (net of refunds) and discounts granted since a moment: what counts towards a
    plan or promise made then."""
    money = sum((p.amount for p in account.payments if p.received_at >= since), ZERO)
    granted = sum((a.amount for a in account.adjustments if a.created_at >= since), ZERO)
    return money + granted


def balance(account: Account) -> Decimal:
    return sum((amount_due(invoice) for invoice in account.invoices), ZERO)


def invoice_status(invoice: Invoice, today: date) -> str:
    due = amount_due(invoice)
    if due <= 0:
        return "paid"
    if due < invoice.amount:
        return "partially_paid"
    return "overdue" if invoice.due_on < today else "open"


def account_status(account: Account, today: date) -> str:
    """One word for where collection stands; the most binding state wins."""
    if balance(account) <= 0:
        return "paid"
    if any(d.status == "open" for d in account.disputes):
        return "disputed"
    if account.on_hold:
        return "on_hold"
    if any(h.status in ("waiting", "active") for h in account.handoffs):
        return "with_agent"
    if any(p.status == "active" for p in account.plans):
        return "in_plan"
    if any(p.status == "pending" and p.due_on >= today for p in account.promises):
        return "promised"
    if any(i.due_on < today for i in account.invoices if amount_due(i) > 0):
        return "overdue"
    return "open"


def log_contact(
    session: Session,
    account: Account | None,
    kind: str,
    detail: str = "",
    channel: str | None = None,
    conversation_id: str | None = None,
) -> None:
    """One line of the contact log. Without a channel, an outcome recorded during a
    conversation came from the bot, and one without a conversation from an API client."""
    event = ContactEvent(**contact_event(None, kind, detail, channel, conversation_id))
    if account is not None and account.id is not None and "contacts" not in inspect(account).dict:
        # Nothing in memory lists the file's events: tied by its id, the event spares the flush
        # a walk through every collection of the file (a tenth of an outreach batch's cost).
        event.account_id = account.id
    else:  # a new file, or one whose events were read: the list read shows this one too
        event.account = account
    session.add(event)


def contact_event(
    account_id: int | None, kind: str, detail: str = "", channel: str | None = None, conversation_id: str | None = None
) -> dict[str, object]:
    """`log_contact`'s line as a row, for a batch that writes many at once (outreach)."""
    channel = channel or ("bot" if conversation_id else "api")
    return {
        "account_id": account_id,
        "kind": kind,
        "detail": detail,
        "channel": channel,
        "conversation_id": conversation_id,
    }


def accounts_for_phone(session: Session, number: str) -> list[Account]:
    """Every file whose debtor has this number (E.164), oldest first: one number may be
    shared by a household or reused by the phone company."""
    return list(session.scalars(select(Account).join(Debtor).where(Debtor.phone == number).order_by(Account.id)))


def link_state(link: PaymentLink) -> dict:
    return {
        "id": link.id,
        "url": link.url,
        "purpose": link.purpose,
        "amount": link.amount,
        "discount": link.discount,
        "status": link.status,
        "methods": link.methods,
        "expires_at": link.expires_at,
    }


def debtor_state(debtor: Debtor) -> dict:
    """Who the file is about, as the creditor gave it (the date of birth and postcode, used to
    check identity, are not read back)."""
    return {
        "name": debtor.name,
        "language": debtor.language,
        "phone": debtor.phone,
        "email": debtor.email,
        "country": debtor.country,
        "timezone": debtor.timezone,
    }


def account_state(account: Account, today: date) -> dict:
    """The whole state of an account, in the Accounts API's contract shape."""
    return {
        "reference": account.reference,
        "creditor": account.creditor.name,
        "currency": account.currency,
        "balance": balance(account),
        "status": account_status(account, today),
        "language": account.debtor.language,
        "reason": account.reason,
        "vulnerable": account.vulnerable,
        "payment_reference": account.payment_reference,
        "debtor": debtor_state(account.debtor),
        "invoices": [
            {
                "number": i.number,
                "amount": i.amount,
                "amount_due": amount_due(i),
                "due_on": i.due_on,
                "status": invoice_status(i, today),
            }
            for i in account.invoices
        ],
        "payment_links": [link_state(link) for link in account.payment_links],
        "adjustments": [
            {"kind": a.kind, "amount": a.amount, "detail": a.detail, "created_at": a.created_at}
            for a in account.adjustments
        ],
        "plans": [
            {
                "id": plan.id,
                "status": plan.status,
                "installments": [
                    {"amount": i.amount, "due_on": i.due_on, "status": i.status, "payment_link_id": i.payment_link_id}
                    for i in plan.installments
                ],
            }
            for plan in account.plans
        ],
        "promises": [{"amount": p.amount, "due_on": p.due_on, "status": p.status} for p in account.promises],
        "disputes": [{"reason": d.reason, "status": d.status, "created_at": d.created_at} for d in account.disputes],
        "handoffs": [{"reason": h.reason, "status": h.status, "created_at": h.created_at} for h in account.handoffs],
        "opt_outs": [{"channel": o.channel, "created_at": o.created_at} for o in account.opt_outs],
        "contact_log": [
            {"at": c.created_at, "channel": c.channel, "kind": c.kind, "detail": c.detail} for c in account.contacts
        ],
    }


def ledger(account: Account) -> dict:
    """Every movement on the account in order, each with what it did to the balance.

    Nothing here is stored twice: the entries are read from invoices, payments, refunds and
    adjustments, so the ledger cannot disagree with the balance. `credit` is money received
    beyond what was owed (flagged for refund), which the balance does not count."""
    rows: list[tuple[tuple, dict]] = []
    for invoice in account.invoices:
        rows.append(
            (
                (invoice.issued_on.isoformat(), 0, invoice.id),
                {"kind": "invoice", "reference": invoice.number, "amount": invoice.amount, "applied": invoice.amount},
            )
        )
    credit = ZERO
    for payment in account.payments:
        allocated = sum((a.amount for a in payment.allocations), ZERO)
        credit += payment.amount - allocated
        rows.append(
            (
                (payment.received_at.date().isoformat(), 1, payment.id),
                {
                    "kind": payment.kind,
                    "reference": payment.provider_reference or payment.provider,
                    "amount": -payment.amount,
                    "applied": -allocated,
                },
            )
        )
    for adjustment in account.adjustments:
        allocated = sum((a.amount for a in adjustment.allocations), ZERO)
        rows.append(
            (
                (adjustment.created_at.date().isoformat(), 2, adjustment.id),
                {
                    "kind": adjustment.kind,
                    "reference": adjustment.detail,
                    "amount": -adjustment.amount,
                    "applied": -allocated,
                },
            )
        )
    running = ZERO
    entries = []
    for (day, _, _), entry in sorted(rows, key=lambda row: row[0]):
        running += entry["applied"]
        entries.append({"on": day, **entry, "balance": running})
    return {"currency": account.currency, "balance": balance(account), "credit": credit, "entries": entries}
