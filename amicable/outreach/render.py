"""The words of one outreach contact: its template in the debtor's language and tone, with
the amount due now in their format, a payment link (an open one for the same money is sent
again, never a second), the chat link, announced costs where the law allows them, and the
notices the country's rules require on this message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.compliance.fees import announced_costs
from amicable.compliance.rules import rulebook
from amicable.db.models import Account, OutreachContact, PaymentLink
from amicable.language import locale_for, long_date
from amicable.money import display as money
from amicable.outreach.strategy import load_strategy
from amicable.outreach.templates import Template, load_templates
from amicable.providers import outbound
from amicable.services import link_tokens
from amicable.services.accounts import amount_due
from amicable.services.payments import create_payment_link
from amicable.settings import Settings


class SendFailed(outbound.NotSent):
    """The contact cannot go (nothing due, costs the law does not allow, no address); the
    reason is recorded on it."""


def due_now(account: Account, cycle: date, today: date) -> Decimal:
    """What the message asks for: the open invoices due by today (or, before the due date, by
    the due date), never invoices that are not due yet."""
    last = max(today, cycle)
    return sum((amount_due(i) for i in account.invoices if i.due_on <= last), Decimal("0.00"))


@dataclass(frozen=True)
class Filled:
    """What one contact says, before it is put in the words of a channel."""

    template: Template
    language: str
    locale: str
    tone: str
    values: dict[str, str]
    asked: Decimal
    sent_on: date
    link: PaymentLink | None
    notices: list[str]
    """The notices' own words, in the debtor's language."""


def fill(
    session: Session,
    settings: Settings,
    contact: OutreachContact,
    at: datetime | None = None,
    earlier: Sequence[str] | None = None,
) -> Filled:
    """What `contact` says when sent `at` (its `sent_at`, else now). `earlier`: the templates
    already sent to the file on this channel, when the caller read them for a whole batch
    (`sent_templates`); else they are read here.

    Every reason it cannot go (`SendFailed`) is found before anything is written: a batch
    being prepared together (outreach/dispatch.py) records that contact as failed and goes on
    with the others."""
    account = contact.account
    debtor = account.debtor
    strategy = load_strategy(settings.policies_dir, account.creditor.name)
    language = debtor.language if debtor.language in ("en", "fr", "nl") else strategy.language
    locale = locale_for(language, debtor.country)
    template = load_templates(settings.policies_dir)[contact.template]
    needed = template.fields()
    at = at or contact.sent_at or datetime.now(UTC)
    sent_on = at.astimezone(ZoneInfo(debtor.timezone or "UTC")).date()
    asked = due_now(account, contact.cycle, sent_on)
    amount, due_date = money(asked, account.currency, locale), long_date(contact.cycle, locale)
    values = {
        "first_name": (debtor.name or "").split()[0] if debtor.name else "",
        "creditor": account.creditor.name,
        "amount": amount,
        "full_amount": amount,
        "due_date": due_date,
        "pay_by": due_date,
    }
    book = rulebook(settings.policies_dir)
    rules = book.for_country(debtor.country)
    if "costs" in needed:
        costs = announced_costs(rules.fees, asked, sent_on)
        if costs is None:
            raise SendFailed(f"collection costs may not be announced under the {rules.country or 'default'} rules")
        values["costs"] = money(costs.amount, account.currency, locale)
        values["costs_from"] = long_date(date.fromisoformat(costs.reason), locale)
    if "link" in needed and asked <= 0:
        raise SendFailed("nothing is due: no link to send")
    link = None
    if "link" in needed:  # the last step: a link is made only for a message that can go
        offer = _early_offer(settings, account, contact)
        link = _open_link(session, settings, account, asked, offer, at)
        values["link"] = link.url
        if offer is not None:
            values["amount"] = money(link.amount, account.currency, locale)
    if "chat_link" in needed:
        token = link_tokens.sign(account.id, settings.amicable_link_secret)
        values["chat_link"] = link_tokens.chat_url(settings.public_base_url, token, language)
    notices = [book.notice(name, language) for name in _notices(session, rules, contact, earlier)]
    return Filled(template, language, locale, contact.tone, values, asked, sent_on, link, notices)


def render(
    session: Session,
    settings: Settings,
    contact: OutreachContact,
    at: datetime | None = None,
    earlier: Sequence[str] | None = None,
) -> str:
    """The text of a contact on a text channel (SMS, WhatsApp, Telegram), sent `at` (see `fill`)."""
    filled = fill(session, settings, contact, at, earlier)
    text = filled.template.render(filled.language, filled.tone, filled.values)
    return " ".join([text, *filled.notices])


def sent_templates(session: Session, contacts: Sequence[OutreachContact]) -> dict[int, list[str]]:
    """For each contact, the templates already sent to its file on its channel (`fill`'s
    `earlier`), read for all of them at once."""
    sent: dict[tuple[int, str | None], list[str]] = {}
    for account_id, channel, template in session.execute(
        select(OutreachContact.account_id, OutreachContact.channel, OutreachContact.template).where(
            OutreachContact.account_id.in_(sorted({contact.account_id for contact in contacts})),
            OutreachContact.status == "sent",
            OutreachContact.id.not_in([contact.id for contact in contacts]),
        )
    ):
        sent.setdefault((account_id, channel), []).append(template)
    return {contact.id: sent.get((contact.account_id, contact.channel), []) for contact in contacts}


def _notices(  # type: ignore[no-untyped-def]
    session: Session, rules, contact: OutreachContact, earlier: Sequence[str] | None = None
) -> list[str]:
    """The notices this message carries: those of the first message on this channel, those of
    every text, and none that reveal a debt before the debtor confirmed who they are."""
    private = contact.template == "private_contact"
    if earlier is None:
        earlier = sent_templates(session, [contact])[contact.id]
    names: list[str] = []
    for name in rules.notices.first:
        told = earlier if name not in rules.notices.needs_identity else [t for t in earlier if t != "private_contact"]
        if not told:
            names.append(name)
    if contact.channel in outbound.TEXT_CHANNELS:
        names += rules.notices.every_text
    elif contact.channel == "email":  # the email's own unsubscribe link replaces "reply STOP"
        names += [n for n in rules.notices.every_text if n != "opt_out"]
    if private:
        names = [n for n in names if n not in rules.notices.needs_identity]
    return list(dict.fromkeys(names))


def _open_link(
    session: Session,
    settings: Settings,
    account: Account,
    amount: Decimal,
    offer: tuple[Decimal, date] | None,
    now: datetime,
) -> PaymentLink:
    """A link still open for this amount and offer is sent again rather than a second one,
    so the debtor never holds two links for the same money. The file is held already, and its
    links were read after it was taken: contacts are prepared that way (outreach/dispatch.py)."""
    for link in account.payment_links:
        expected = amount - (link.discount if offer else Decimal("0.00"))
        if (
            link.status == "open"
            and link.expires_at > now + timedelta(days=1)
            and link.amount == expected
            and bool(link.discount) == bool(offer)
        ):
            return link
    return create_payment_link(session, settings, account, amount, early_payment=offer, batched=True)


def _early_offer(settings: Settings, account: Account, contact: OutreachContact) -> tuple[Decimal, date] | None:
    """The creditor's discount for paying before the due date, when this message offers it."""
    if contact.template != "pre_due_discount":
        return None
    percent = load_strategy(settings.policies_dir, account.creditor.name).early_payment_discount_percent
    return (percent, contact.cycle) if percent > 0 else None
