"""Request bodies for tests, close to what a creditor's system would send."""

from __future__ import annotations

from datetime import date, timedelta


def account_body(reference: str = "ACC-1001", **debtor: object) -> dict:
    today = date.today()
    return {
        "reference": reference,
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
            **debtor,
        },
        "invoices": [
            {
                "number": "INV-1",
                "amount": "84.20",
                "currency": "EUR",
                "issued_on": (today - timedelta(days=40)).isoformat(),
                "due_on": (today - timedelta(days=10)).isoformat(),
            },
            {
                "number": "INV-2",
                "amount": "36.30",
                "currency": "EUR",
                "issued_on": (today - timedelta(days=20)).isoformat(),
                "due_on": (today + timedelta(days=5)).isoformat(),
            },
        ],
    }
