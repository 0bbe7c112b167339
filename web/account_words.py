"""An account as operators read it, in their language: the words, money, dates and times of
the account pages (web/accounts.py) and of the agent console's file panel
(web/agent_console.py), formatted in one place so the two never tell a file differently.

Words are in web/accounts_texts.py; money goes through `amicable.money.display`, dates and times
through babel with the locale of the operator's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from fastapi import Request
from sqlalchemy.orm import Session

from amicable.db.models import Account
from amicable.language import LOCALES
from amicable.money import display as money
from amicable.services import accounts, outcomes, timeline
from web import accounts_texts
from web.texts import page_language

# How much of the history the console's file panel shows; the account page has it all.
PANEL_HISTORY = 12


@dataclass(frozen=True)
class Words:
    """The operator's language: its words, and the locale that formats money, dates and times."""

    lang: str
    t: dict[str, str]
    locale: str

    @classmethod
    def of(cls, request: Request) -> Words:
        lang = page_language(request)
        return cls(lang, accounts_texts.texts(lang), LOCALES.get(lang, "en_GB"))

    def money(self, amount: Decimal | None, currency: str) -> str:
        return self.t["none"] if amount is None else money(amount, currency, self.locale)

    def day(self, value: date | None) -> str:
        return self.t["none"] if value is None else format_date(value, "medium", locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        """A time in UTC (the pages say so once), to the minute."""
        if value is None:
            return self.t["none"]
        moment = value.astimezone(UTC)
        day = format_date(moment.date(), "medium", locale=self.locale)
        return f"{day}, {format_time(moment, 'short', tzinfo=UTC, locale=self.locale)}"

    def status(self, code: str | None) -> str:
        return accounts_texts.status_word(self.lang, code)

    def channel(self, code: str | None) -> str:
        return accounts_texts.channel_word(self.lang, code)

    def rate(self, value: float | None) -> str:
        return self.t["none"] if value is None else format_percent(value, "#,##0.0%", locale=self.locale)

    def number(self, value: float | None, pattern: str = "#,##0.0") -> str:
        return self.t["none"] if value is None else format_decimal(value, pattern, locale=self.locale)


class _Blank(dict[str, str]):
    """A template's values where a placeholder no fact fills reads as nothing, not an error."""

    def __missing__(self, key: str) -> str:
        return ""


def entry_title(entry: timeline.Entry, words: Words) -> str:
    """The entry's title in the operator's language, filled from its facts (money, dates and
    statuses formatted for people); the English title when there is no template for it."""
    facts = entry.facts
    values = _Blank()
    for key, value in facts.items():
        if isinstance(value, Decimal):
            values[key] = words.money(value, facts.get("currency", "EUR"))
        elif isinstance(value, datetime):
            values[key] = words.moment(value)
        elif isinstance(value, date):
            values[key] = words.day(value)
        elif key == "status":
            values[key] = words.status(value)
        elif value is not None:
            values[key] = str(value)
    values["channel"] = words.channel(entry.channel)
    key = f"tl.{entry.kind}"
    if entry.kind == "message":
        key = f"tl.message.{facts.get('author')}"
    elif entry.kind == "conversation":
        values["identity"] = words.t["identity.yes" if facts.get("verified") else "identity.no"]
    elif entry.kind == "opt_out" and facts.get("elsewhere"):
        key = "tl.opt_out_elsewhere"
    template = words.t.get(key)
    return template.format_map(values) if template else entry.title


def file_panel(session: Session, account: Account, words: Words) -> dict:
    """What an agent needs beside a conversation, ready to show: the balance, the invoices
    still open or not, the plans with their installments, promises, payment links, disputes,
    opt-outs and the latest of the timeline. Values are formatted for people (the console only
    places them); `url` opens the whole file on the account page."""
    currency = account.currency
    state = accounts.account_state(account, outcomes.debtor_today(account))
    entries = timeline.timeline(session, account)
    return {
        "reference": account.reference,
        "url": f"/accounts/{account.reference}?lang={words.lang}",
        "creditor": state["creditor"],
        "debtor": state["debtor"]["name"],
        "balance": words.money(state["balance"], currency),
        "status": words.status(state["status"]),
        "vulnerable": state["vulnerable"],
        "reason": state["reason"],
        "invoices": [
            {
                "number": i["number"],
                "due_on": words.day(i["due_on"]),
                "amount": words.money(i["amount"], currency),
                "amount_due": words.money(i["amount_due"], currency),
                "status": words.status(i["status"]),
            }
            for i in state["invoices"]
        ],
        "plans": [
            {
                "status": words.status(plan["status"]),
                "installments": [
                    {
                        "amount": words.money(i["amount"], currency),
                        "due_on": words.day(i["due_on"]),
                        "status": words.status(i["status"]),
                    }
                    for i in plan["installments"]
                ],
            }
            for plan in state["plans"]
        ],
        "promises": [
            {
                "amount": words.money(p["amount"], currency),
                "due_on": words.day(p["due_on"]),
                "status": words.status(p["status"]),
            }
            for p in state["promises"]
        ],
        "links": [
            {
                "amount": words.money(link["amount"], currency),
                "status": words.status(link["status"]),
                "expires_at": words.moment(link["expires_at"]),
            }
            for link in state["payment_links"]
        ],
        "disputes": [{"reason": d["reason"], "status": words.status(d["status"])} for d in state["disputes"]],
        "opt_outs": [words.channel(o["channel"]) for o in state["opt_outs"]],
        "history": [
            {
                "at": words.moment(entry.at) if not entry.day_only else words.day(entry.at.date()),
                "title": entry_title(entry, words),
            }
            for entry in entries[:PANEL_HISTORY]
        ],
        "history_total": len(entries),
    }
