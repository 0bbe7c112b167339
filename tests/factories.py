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


def web_sender(client) -> str:
    """A web conversation id, issued by the server as the web chat gets one. `client` is a
    TestClient or an httpx.Client with the web process as base_url."""
    response = client.post("/webhooks/rest/conversations")
    assert response.status_code == 201, response.text
    return response.json()["sender"]


def verify(
    client,
    conversation_id: str,
    reference: str = "ACC-1001",
    date_of_birth: str = "12/03/1985",
    postcode: str = "1000",
    headers: dict | None = None,
) -> dict:
    """The whole identity check through the API, as the bot asks it: the date of birth, then
    the postcode. Returns the last answer (verified or not, what is asked next)."""
    from tests.conftest import AUTH

    url = f"/api/v1/conversations/{conversation_id}/verification"
    first = client.post(url, json={"reference": reference, "answer": date_of_birth}, headers=headers or AUTH)
    assert first.status_code == 200, first.text
    if first.json()["next"] != "postcode":
        return first.json()
    second = client.post(
        url, json={"reference": reference, "answer": postcode, "fact": "postcode"}, headers=headers or AUTH
    )
    assert second.status_code == 200, second.text
    return second.json()
