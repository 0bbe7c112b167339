"""A debtor answering a reminder by email, with the whole stack (web, Rasa with the trained
model, actions): the reply reaches the bot without its quoted history, the bot asks who is
writing before it says anything about the debt, and every answer comes back by email in the
same thread."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import make_msgid

import httpx
import pytest
from sqlalchemy import create_engine, text

from amicable.providers import email as email_provider
from amicable.settings import Settings
from tests.conftest import EMAIL_SECRET
from tests.e2e.conftest import make_debtor

pytestmark = pytest.mark.stack


def _write(stack, stack_mail, to: str, words: str, thread: list[str], quote: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Sam Peeters <sam.e2e@example.org>"
    message["To"] = to
    message["Subject"] = "Re: Your Brightwater Energy bill"
    message["Message-ID"] = make_msgid(domain="example.org")
    if thread:
        message["In-Reply-To"] = thread[-1]
        message["References"] = " ".join(thread)
    message.set_content(
        f"{words}\n\nKind regards,\nSam\n\nOn Tue, 1 Dec 2026 at 10:00, Brightwater Energy wrote:\n> {quote}\n"
    )
    seen = len(stack_mail.inbox.messages)
    response = httpx.post(
        f"{stack.web_url}/channels/email/inbound",
        content=message.as_bytes(),
        headers={"content-type": "message/rfc822", "x-email-inbound-secret": EMAIL_SECRET},
        timeout=90,
    )
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 30
    while len(stack_mail.inbox.messages) == seen and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = stack_mail.inbox.messages[-1]
    assert answer["In-Reply-To"] == message["Message-ID"]
    return answer


def test_a_reply_by_email_is_a_conversation_with_the_bot(stack, stack_mail):
    debtor = make_debtor(stack, email="sam.e2e@example.org")
    engine = create_engine(stack.database_url)
    with engine.connect() as connection:
        account_id = connection.execute(
            text("SELECT id FROM accounts WHERE reference = :ref"), {"ref": debtor.reference}
        ).scalar_one()
    settings = Settings(
        email_from="Collections <collect@amicable.example>", amicable_link_secret=stack.link_secret, _env_file=None
    )
    reply_to = str(email_provider.reply_address(settings, account_id))

    first = _write(stack, stack_mail, reply_to, "Hello, how much do I still owe?", [], "Your bill of 84,20 EUR")
    said = first.get_body(("plain",)).get_content()
    # Bound to the file by the signed address, but not yet trusted: the bot asks who is writing.
    assert "birth" in said.lower() and "84" not in said
    second = _write(stack, stack_mail, reply_to, "12/03/1985", [first["Message-ID"]], said.splitlines()[0])
    said = second.get_body(("plain",)).get_content()
    assert "postcode" in said.lower() and "84" not in said
    thread = [first["Message-ID"], second["Message-ID"]]
    third = _write(stack, stack_mail, reply_to, debtor.postcode, thread, said.splitlines()[0])
    said = third.get_body(("plain",)).get_content().replace("\xa0", " ")
    assert "€" in said or "EUR" in said, said
    assert third["Reply-To"] == first["Reply-To"]
    with engine.connect() as connection:
        kept = [
            row[0]
            for row in connection.execute(
                text("SELECT text FROM messages WHERE conversation_id LIKE 'email:%' AND author = 'debtor' ORDER BY id")
            )
        ]
    assert kept[0] == "Hello, how much do I still owe?"
    assert not any("Kind regards" in line or "wrote:" in line for line in kept)
