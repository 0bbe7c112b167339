from __future__ import annotations

import itertools
from datetime import date, timedelta

import httpx
import pytest

from tests.conftest import AUTH
from tests.factories import account_body

_ids = itertools.count(1)


# A whole postcode of each country (the identity check refuses a stored one that is not).
POSTCODES = {"NL": "3511 AB", "FR": "75001", "GB": "SW1A 1AA", "US": "10001"}


def new_sender(stack) -> str:
    """A web conversation id issued by the server, as the web chat asks for one."""
    response = httpx.post(f"{stack.web_url}/webhooks/rest/conversations", timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["sender"]


class Debtor:
    """One person talking to the bot through the gateway, as the web chat does."""

    def __init__(self, stack, reference: str, postcode: str = "1000") -> None:
        self.stack, self.reference, self.postcode = stack, reference, postcode
        self.sender = new_sender(stack)
        self.heard: list[str] = []

    def say(self, text: str) -> str:
        response = httpx.post(
            f"{self.stack.web_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text, "metadata": {"channel": "web"}},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        # Amounts come with no-break spaces ("60,00\xa0€"); tests read them as a person does.
        texts = [m.get("text", "").replace("\xa0", " ").replace("\u202f", " ") for m in response.json()]
        self.heard.extend(texts)
        return "\n".join(texts)

    def verify(self, answer: str = "12/03/1985") -> str:
        """Reference, date of birth, postcode: the whole identity check."""
        self.say("hello")
        self.say(self.reference)
        self.say(answer)
        return self.say(self.postcode)

    def account(self) -> dict:
        response = httpx.get(f"{self.stack.web_url}/api/v1/accounts/{self.reference}", headers=AUTH, timeout=30)
        assert response.status_code == 200
        return response.json()


def make_debtor(stack, creditor: str | None = None, **debtor_fields) -> Debtor:
    reference = f"E2E-{next(_ids):04d}"
    country = str(debtor_fields.get("country", "BE"))
    debtor_fields.setdefault("postcode", POSTCODES.get(country, "1000"))
    body = account_body(reference, **debtor_fields)
    if creditor:
        body["creditor"] = creditor
    today = date.today()
    body["invoices"][1]["due_on"] = (today - timedelta(days=2)).isoformat()
    response = httpx.post(f"{stack.web_url}/api/v1/accounts", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 201, response.text
    return Debtor(stack, reference, str(debtor_fields["postcode"]))


@pytest.fixture
def debtor(stack) -> Debtor:
    return make_debtor(stack)


@pytest.fixture
def french_debtor(stack) -> Debtor:
    return make_debtor(stack, language="fr", country="BE", timezone="Europe/Brussels")


@pytest.fixture
def dutch_debtor(stack) -> Debtor:
    return make_debtor(stack, language="nl", country="NL", timezone="Europe/Amsterdam")
