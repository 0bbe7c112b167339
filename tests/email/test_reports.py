"""Reports that come back, and what the outreach email tells the debtor.

A spam complaint (ARF, RFC 5965: message/feedback-report) and a bounce (RFC 3464:
message/delivery-status) that return the whole email we sent (message/rfc822), posted to
`/channels/email/inbound` as an inbound relay forwards them, mark the address: it is written to
no more and the next step goes without email. And an English-speaking debtor in a country whose
rules let a reminder state the amount (Belgium, the Netherlands) reads the amount in English
format, the due date, the invoice, the transfer with the file's structured reference, and how
to reach a person."""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.utils import format_datetime, make_msgid
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from amicable.db.models import Account, ContactEvent, OutreachContact, UndeliverableAddress
from amicable.db.session import transaction
from amicable.services import link_tokens
from server.app import create_app
from tests.conftest import AUTH, LINK_SECRET
from tests.email.test_inbound import post, sent_email
from tests.email.test_outbound import email_only, parts, run
from tests.outreach.test_campaign import TODAY, moment, next_open_day

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
AGENT_PHONE = "+32 2 808 00 00"


@pytest.fixture
def inbound_client(mailing):
    with TestClient(create_app(mailing)) as client:
        yield client


def feedback_report(original, address: str) -> bytes:
    """A mailbox provider's complaint (ARF) with the whole email the debtor marked as spam."""
    return (
        (
            "From: Feedback Loop <fbl@mailbox.example.net>\n"
            "To: collect@amicable.example\n"
            f"Subject: FW: {original['Subject']}\n"
            f"Date: {format_datetime(original['Date'].datetime + timedelta(hours=1))}\n"
            f"Message-ID: {make_msgid(domain='mailbox.example.net')}\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=feedback-report; boundary="ARF-PART"\n'
            "\n"
            "--ARF-PART\n"
            'Content-Type: text/plain; charset="US-ASCII"\n'
            "\n"
            "This is an email abuse report for an email message received from IP 192.0.2.25.\n"
            "\n"
            "--ARF-PART\n"
            "Content-Type: message/feedback-report\n"
            "\n"
            "Feedback-Type: abuse\n"
            "User-Agent: MailboxFBL/2.1\n"
            "Version: 1\n"
            "Original-Mail-From: <collect@amicable.example>\n"
            f"Original-Rcpt-To: <{address}>\n"
            "Arrival-Date: Thu, 8 Mar 2026 14:00:00 +0000\n"
            "Reported-Domain: amicable.example\n"
            "Source-IP: 192.0.2.25\n"
            "\n"
            "--ARF-PART\n"
            "Content-Type: message/rfc822\n"
            "Content-Disposition: inline\n"
            "\n"
        ).encode()
        + original.as_bytes()
        + b"\n--ARF-PART--\n"
    )


def delivery_status(original, address: str) -> bytes:
    """A receiving server's bounce (DSN) that returns the whole email, as Postfix does."""
    return (
        (
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\n"
            "To: collect@amicable.example\n"
            "Subject: Undelivered Mail Returned to Sender\n"
            f"Date: {format_datetime(original['Date'].datetime + timedelta(minutes=1))}\n"
            f"Message-ID: {make_msgid(domain='mx.example.org')}\n"
            "Auto-Submitted: auto-replied\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="DSN-PART"\n'
            "\n"
            "--DSN-PART\n"
            "Content-Description: Notification\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "\n"
            "This is the mail system at host mx.example.org.\n"
            "I'm sorry to have to inform you that your message could not be delivered.\n"
            "\n"
            "--DSN-PART\n"
            "Content-Description: Delivery report\n"
            "Content-Type: message/delivery-status\n"
            "\n"
            "Reporting-MTA: dns; mx.example.org\n"
            "X-Postfix-Queue-ID: 4F2A1C0042\n"
            "Arrival-Date: Thu, 8 Mar 2026 14:00:00 +0000\n"
            "\n"
            f"Final-Recipient: rfc822; {address}\n"
            f"Original-Recipient: rfc822;{address}\n"
            "Action: failed\n"
            "Status: 5.1.1\n"
            f"Remote-MTA: dns; {address.split('@')[1]}\n"
            f"Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected: User unknown\n"
            "\n"
            "--DSN-PART\n"
            "Content-Description: Undelivered Message\n"
            "Content-Type: message/rfc822\n"
            "\n"
        ).encode()
        + original.as_bytes()
        + b"\n--DSN-PART--\n"
    )


@pytest.mark.parametrize(
    ("report", "kind", "shown"),
    [
        (feedback_report, "complained", "its owner marked our email as spam"),
        (delivery_status, "bounced", "bounced"),
    ],
    ids=["complaint-arf", "bounce-dsn"],
)
def test_a_report_returning_the_whole_email_marks_the_address(
    inbound_client, mailing, mail, factory, report, kind, shown
):
    original = sent_email(inbound_client, mailing, mail, factory)
    assert original["To"] == "Lou.Martin@example.org"
    sent_before = len(mail.inbox.messages)

    answer = post(inbound_client, report(original, "Lou.Martin@example.org"))

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "handled": kind, "addresses": ["lou.martin@example.org"], "files": 1}
    with transaction(factory) as session:
        marked = session.scalars(select(UndeliverableAddress)).all()
        assert [(m.address, m.kind) for m in marked] == [("lou.martin@example.org", kind)]
        logged = session.scalars(select(ContactEvent.kind).where(ContactEvent.channel == "email")).all()
        assert f"email_{kind}" in logged
    assert len(mail.inbox.messages) == sent_before  # nobody answers a report
    # The next step goes without email: the address is known not to work.
    run(factory, mailing, moment(next_open_day(next_open_day(1) + 4), 11))
    assert len(mail.inbox.messages) == sent_before
    with transaction(factory) as session:
        later = session.scalars(select(OutreachContact).order_by(OutreachContact.id)).all()[-1]
        assert later.step == "second-reminder" and later.status == "blocked"
        assert f"email: the email address does not work: {shown}" in later.reason


def ogm(account_id: int) -> str:
    """The Belgian structured communication of a file: its id in 10 digits and mod 97."""
    base = f"{account_id:010d}"
    digits = base + f"{int(base) % 97 or 97:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def creditor_reference(account_id: int) -> str:
    """The ISO 11649 reference of a file, in groups of four as it is printed."""
    body = f"{account_id:010d}"
    check = 98 - int(body + "271500") % 97  # R = 27, F = 15, then 00
    reference = f"RF{check:02d}{body}"
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def long_english(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def test_an_english_reminder_shows_the_amount_the_transfer_reference_and_a_person(client, mailing, mail, factory):
    settings = mailing.model_copy(update={"agent_phone_number": AGENT_PHONE})
    day = next_open_day(1)
    due = TODAY + timedelta(days=day - 3)
    debtors = {
        "MAIL-BE": {"country": "BE", "timezone": "Europe/Brussels", "email": "lou.be@example.org"},
        "MAIL-NL": {"country": "NL", "timezone": "Europe/Amsterdam", "email": "lou.nl@example.org"},
    }
    for reference, debtor in debtors.items():
        body = email_only(reference, 3 - day, language="en", **debtor)
        assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    run(factory, settings, moment(day, 11))
    with transaction(factory) as session:
        ids = {a.reference: a.id for a in session.scalars(select(Account))}
    expected_reference = {"MAIL-BE": ogm(ids["MAIL-BE"]), "MAIL-NL": creditor_reference(ids["MAIL-NL"])}
    by_address = {m["To"].addresses[0].addr_spec: m for m in mail.inbox.messages}
    assert sorted(by_address) == ["lou.be@example.org", "lou.nl@example.org"]

    for reference, debtor in debtors.items():
        message = by_address[debtor["email"]]
        text, html = parts(message)
        text = text.replace("\r\n", "\n")  # as the mail server received it: lines end in CRLF
        flat = " ".join(text.split())
        seen = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
        # The amount and date as an English reader writes them, never "84,20".
        assert f"Amount due: €84.20\nDue date: {long_english(due)}\n- INV-1, due {long_english(due)}: €84.20" in text
        assert f"Amount due €84.20 Due date {long_english(due)}" in seen
        assert f"INV-1 {long_english(due)} €84.20" in seen
        assert "Pay €84.20 securely" in text and "Pay €84.20 securely" in seen
        assert "84,20" not in text + html
        # The transfer, with the file's own structured reference.
        transfer = (
            "Or pay by bank transfer to Brightwater Energy SA, IBAN BE68 5390 0754 7034, "
            f"with the reference {expected_reference[reference]}."
        )
        assert transfer in flat and transfer in seen
        # How to reach a person: reply, the chat (signed for this file), or the phone.
        chat = re.search(
            r"Talk to a person\nReply to this email and we will answer you, or chat with us in the web chat: (\S+) \(or call us on \+32 2 808 00 00\)",
            text,
        )
        assert chat, text
        url = urlsplit(chat.group(1))
        query = parse_qs(url.query)
        assert f"{url.scheme}://{url.netloc}" == "http://testserver" and query["lang"] == ["en"]
        assert link_tokens.read(query["token"][0], LINK_SECRET) == ids[reference]
        assert "Talk to a person Reply to this email and we will answer you, or chat with us in the web chat " in seen
        assert f"or call us on {AGENT_PHONE}" in seen
        assert f'href="{chat.group(1)}"' in unescape(html)
