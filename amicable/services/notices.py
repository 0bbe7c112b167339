"""The words of the notices a plan sends by itself, in the debtor's language and format.

Until outreach chooses the channel, hour and tone of each message, a notice is written to the
console (the embedded default sender) and kept, word for word, in the contact log, so an agent
sees exactly what the debtor was told.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import structlog

from amicable.db.models import Account
from amicable.language import locale_for, long_date
from amicable.money import display as money

log = structlog.get_logger()

TEXTS = {
    "installment_reminder": {
        "en": "Hello {name}, a reminder that installment {seq} of your plan with {creditor}, {amount}, "
        "is due on {date}. You can pay it here: {url}",
        "fr": "Bonjour {name}, petit rappel : la mensualité {seq} de votre plan avec {creditor}, {amount}, "
        "arrive à échéance le {date}. Vous pouvez la payer ici : {url}",
        "nl": "Hallo {name}, een herinnering: termijn {seq} van uw regeling met {creditor}, {amount}, "
        "vervalt op {date}. U kunt hem hier betalen: {url}",
    },
    "installment_notice": {
        "en": "Hello {name}, installment {seq} of your plan with {creditor}, {amount}, will be collected "
        "on {date} as agreed. Nothing to do on your side.",
        "fr": "Bonjour {name}, la mensualité {seq} de votre plan avec {creditor}, {amount}, sera prélevée "
        "le {date} comme convenu. Vous n'avez rien à faire.",
        "nl": "Hallo {name}, termijn {seq} van uw regeling met {creditor}, {amount}, wordt zoals afgesproken "
        "op {date} afgeschreven. U hoeft niets te doen.",
    },
}


def render(kind: str, account: Account, seq: int, amount: Decimal, due_on: date, url: str = "") -> str:
    language = account.debtor.language if account.debtor.language in ("en", "fr", "nl") else "en"
    locale = locale_for(language, account.debtor.country)
    return TEXTS[kind][language].format(
        name=account.debtor.name.split()[0] if account.debtor.name else "",
        seq=seq,
        creditor=account.creditor.name,
        amount=money(amount, account.currency, locale),
        date=long_date(due_on, locale),
        url=url,
    )


def send(kind: str, account: Account, text: str) -> None:
    """The embedded default sender: the console."""
    log.info("outbound message", kind=kind, account=account.reference, channel="console", text=text)
