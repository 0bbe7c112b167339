"""An outreach contact as an email: the template's own subject and text (policies/templates,
`email:`), then what a person needs to act without searching: the amount and due date, the
invoices, one button to the pay page, the bank transfer with its structured reference where
the creditor takes transfers, how to reach a person, the notices the rules require, and whose
email it is.

Both an HTML part (its CSS inlined by css-inline, since mail clients drop <style>) and a
plain-text part; no remote images and no trackers. The headers are those the big mailbox
providers ask of bulk senders: List-Unsubscribe with an HTTPS URL and List-Unsubscribe-Post
(RFC 8058, one click), Message-ID, Date, and a Reply-To that binds the answer to the file.
"""

from __future__ import annotations

import email.policy
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import css_inline
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from amicable.db.models import OutreachContact
from amicable.language import long_date
from amicable.money import display as money
from amicable.outreach.render import Filled, SendFailed, fill
from amicable.outreach.templates import load_templates
from amicable.policy import load_policy
from amicable.providers import email as email_provider
from amicable.services import link_tokens, references
from amicable.services.accounts import amount_due
from amicable.settings import Settings

LAYOUT = Path(__file__).with_name("email_layout")
# Long headers (List-Unsubscribe's URL) stay on one line: some clients read folded URLs badly.
HEADERS_UNFOLDED = email.policy.SMTP.clone(max_line_length=998)
_env = Environment(loader=FileSystemLoader(LAYOUT), autoescape=select_autoescape(["html"]))


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    return yaml.safe_load((LAYOUT / "labels.yml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Composed:
    message: EmailMessage
    subject: str
    text: str
    """The plain-text part: what the transcript keeps."""


def compose(
    session: Session,
    settings: Settings,
    contact: OutreachContact,
    to: str,
    at: datetime | None = None,
    earlier: Sequence[str] | None = None,
) -> Composed:
    """The email for `contact`, addressed to `to`, sent `at` (`at` and `earlier` as `fill`
    takes them). Like `fill`, finds every reason it cannot go before anything is written."""
    if load_templates(settings.policies_dir)[contact.template].email is None:
        raise SendFailed(f"the template {contact.template} has no email version (policies/templates)")
    at = at or contact.sent_at or datetime.now(UTC)
    filled = fill(session, settings, contact, at, earlier)
    subject, body = filled.template.render_email(filled.language, filled.tone, filled.values)
    words = labels()[filled.language]
    context = _context(session, settings, contact, filled, subject, body, words, to)
    html = css_inline.inline(_env.get_template("message.html").render(**context))
    text = _plain(context)

    message = EmailMessage(policy=HEADERS_UNFOLDED)
    own = email_provider.sender(settings)
    message["From"] = Address(contact.account.creditor.name, own.username, own.domain)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = email_provider.new_message_id(settings)
    message["Reply-To"] = email_provider.reply_address(settings, contact.account_id)
    message["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the content: set_content drops every Content-* header set before it.
    message["Content-Language"] = filled.language
    return Composed(message, subject, text)


def _context(
    session: Session,
    settings: Settings,
    contact: OutreachContact,
    filled: Filled,
    subject: str,
    body: str,
    words: dict[str, str],
    to: str,
) -> dict[str, Any]:
    account = contact.account
    private = contact.template == "private_contact"
    chat_link = link_tokens.chat_url(
        settings.public_base_url, link_tokens.sign(account.id, settings.amicable_link_secret), filled.language
    )
    button = None
    if filled.link is not None:
        button = {"url": filled.link.url, "label": words["pay"].format(amount=filled.values["amount"])}
    elif "chat_link" in filled.template.fields():
        button = {"url": chat_link, "label": words["read" if private else "chat"]}
    summary, invoices, transfer = None, [], None
    if not private and filled.asked > 0:
        summary = {"amount": filled.values["amount"], "due_date": filled.values["due_date"]}
        last = max(filled.sent_on, contact.cycle)
        invoices = [
            {
                "number": invoice.number,
                "due": long_date(invoice.due_on, filled.locale),
                "amount": money(amount_due(invoice), account.currency, filled.locale),
            }
            for invoice in sorted(account.invoices, key=lambda i: i.due_on)
            if invoice.due_on <= last and amount_due(invoice) > 0
        ]
        transfer = _transfer(settings, contact, filled, words)
    creditor = account.creditor.name
    return {
        "language": filled.language,
        "subject": subject,
        "creditor": creditor,
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "summary": summary,
        "invoices": invoices,
        "button": button,
        "transfer": transfer,
        "chat_link": chat_link,
        "phone": words["person_call"].format(phone=settings.agent_phone_number) if settings.agent_phone_number else "",
        "notices": filled.notices,
        "sent_for": words["sent_for"].format(creditor=creditor),
        "why": words["why"].format(creditor=creditor),
        "unsubscribe": email_provider.unsubscribe_url(settings, account.id, to),
        "labels": words,
        "demo": settings.amicable_demo,
    }


def _transfer(settings: Settings, contact: OutreachContact, filled: Filled, words: dict[str, str]) -> str | None:
    """The transfer with the file's structured reference, where the creditor takes transfers
    (not beside a discount, which only the link grants)."""
    account = contact.account
    policy = load_policy(settings.policies_dir, account.creditor.name)
    if not policy.bank_transfer.offered or not account.payment_reference:
        return None
    if filled.link is not None and filled.link.discount > 0:
        return None
    return words["transfer"].format(
        beneficiary=policy.bank_transfer.beneficiary or account.creditor.name,
        iban=references.display_iban(policy.bank_transfer.iban),
        reference=references.display(account.payment_reference),
    )


def _plain(context: dict[str, Any]) -> str:
    """The text part: the same content, readable in any client and by screen readers."""
    words = context["labels"]
    parts: list[str] = []
    if context["demo"]:
        parts.append(words["demo"])
    parts += [textwrap.fill(p, 72) for p in context["paragraphs"]]
    if context["summary"]:
        lines = [
            f"{words['amount_due']}: {context['summary']['amount']}",
            f"{words['due_date']}: {context['summary']['due_date']}",
        ]
        lines += [
            f"- {i['number']}, {words['invoice_due'].lower()} {i['due']}: {i['amount']}" for i in context["invoices"]
        ]
        parts.append("\n".join(lines))
    if context["button"]:
        parts.append(f"{context['button']['label']}:\n{context['button']['url']}")
    if context["transfer"]:
        parts.append(textwrap.fill(context["transfer"], 72))
    person = f"{words['person_reply']} {words['person_chat']}: {context['chat_link']}"
    if context["phone"]:
        person += f" ({context['phone']})"
    parts.append(f"{words['person']}\n{person}")
    parts += [textwrap.fill(n, 72) for n in context["notices"]]
    parts.append("-- \n" + f"{context['sent_for']} {context['why']}\n{words['unsubscribe']}: {context['unsubscribe']}")
    return "\n\n".join(parts) + "\n"
