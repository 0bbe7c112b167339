"""Demo accounts, so someone who just ran `make run` can talk to the bot straight away."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account
from amicable.services.accounts import upsert_account
from amicable.services.shapes import AccountIn


def demo_accounts(today: date) -> list[dict]:
    def invoice(number: str, amount: str, days_overdue: int) -> dict:
        due = today - timedelta(days=days_overdue)
        return {
            "number": number,
            "amount": amount,
            "currency": "EUR",
            "issued_on": (due - timedelta(days=30)).isoformat(),
            "due_on": due.isoformat(),
        }

    return [
        {
            "reference": "DEMO-1001",
            "creditor": "Brightwater Energy",
            "debtor": {
                "name": "Sam Peeters",
                "language": "en",
                "phone": "+32470123456",
                "email": "sam@example.com",
                "timezone": "Europe/Brussels",
                "country": "BE",
                "date_of_birth": "1985-03-12",
                "postcode": "1000",
            },
            "invoices": [invoice("INV-2041", "84.20", 12), invoice("INV-2102", "36.30", 3)],
        },
        {
            "reference": "DEMO-1002",
            "creditor": "Brightwater Energy",
            "debtor": {
                "name": "Camille Laurent",
                "language": "fr",
                "phone": "+33612345678",
                "email": "camille@example.com",
                "timezone": "Europe/Paris",
                "country": "FR",
                "date_of_birth": "1979-11-02",
                "postcode": "69003",
            },
            "invoices": [invoice("INV-3307", "245.00", 20)],
        },
        {
            "reference": "DEMO-1003",
            "creditor": "Polder Telecom",
            "debtor": {
                "name": "Daan de Vries",
                "language": "nl",
                "phone": "+31612345678",
                "email": "daan@example.com",
                "timezone": "Europe/Amsterdam",
                "country": "NL",
                "date_of_birth": "1992-07-28",
                "postcode": "3511 AB",
            },
            "invoices": [invoice("T-88123", "59.99", 9), invoice("T-88544", "59.99", 1)],
        },
    ]


def seed_demo(session: Session, today: date | None = None) -> list[str]:
    """Create the demo accounts that do not exist yet; never overwrite changes made in a demo."""
    created = []
    for data in demo_accounts(today or date.today()):
        if session.scalar(select(Account).where(Account.reference == data["reference"])) is None:
            upsert_account(session, AccountIn.model_validate(data))
            created.append(data["reference"])
    return created
