"""Email in: a debtor's reply reaches the gateway without its quoted history and is answered
in the same thread; forged requests are refused; odd mail is handled calmly; bounces and
complaints stop email to the address, and outreach moves on to the next channel."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import select

from amicable.db.models import ContactEvent, Message, OutreachContact, UndeliverableAddress
from amicable.db.session import transaction
from tests.conftest import AUTH
from tests.email.conftest import SECRET
from tests.email.test_outbound import email_only, run
from tests.outreach.test_campaign import moment, next_open_day

QUOTED = {
    "en": (
        "I can pay half on Friday, is that ok?",
        "Kind regards,\nLou",
        "On Tue, 3 Dec 2026 at 10:00, Brightwater Energy <collect+x@amicable.example> wrote:",
    ),
    "fr": (
        "Je peux payer la moitié vendredi, est-ce possible ?",
        "Cordialement,\nLou",
        "Le mar. 3 déc. 2026 à 10:00, Brightwater Energy <collect+x@amicable.example> a écrit :",
    ),
    "nl": (
        "Ik kan vrijdag de helft betalen, is dat goed?",
        "Met vriendelijke groet,\nLou",
        "Op di 3 dec. 2026 om 10:00 schreef Brightwater Energy <collect+x@amicable.example>:",
    ),
}


@pytest.fixture
def inbound_client(mailing):
    from fastapi.testclient import TestClient

    from server.app import create_app

    with TestClient(create_app(mailing)) as client:
        yield client


def sent_email(client, mailing, mail, factory, language="en", **debtor):
    day = next_open_day(1)
    body = email_only("MAIL-1", 3 - day, language=language, country="BE", timezone="Europe/Brussels", **debtor)
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    run(factory, mailing, moment(day, 11))
    return mail.inbox.messages[-1]


def reply_to(original, text: str, sender: str = "Lou.Martin@example.org") -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = f"Lou Martin <{sender}>"
    reply["To"] = str(original["Reply-To"])
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    reply.set_content(text)
    return reply


def post(client, message: EmailMessage | bytes, **headers):
    data = message if isinstance(message, bytes) else message.as_bytes()
    return client.post(
        "/channels/email/inbound",
        content=data,
        headers={"content-type": "message/rfc822", "x-email-inbound-secret": SECRET, **headers},
    )


def debtor_lines(factory) -> list[str]:
    with transaction(factory) as session:
        return list(
            session.scalars(
                select(Message.text).where(Message.conversation_id.like("email:%"), Message.author == "debtor")
            )
        )


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_a_reply_reaches_the_bot_without_its_history_and_is_answered_in_the_thread(
    inbound_client, mailing, mail, factory, language
):
    original = sent_email(inbound_client, mailing, mail, factory, language=language)
    words, signature, attribution = QUOTED[language]
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    reply = reply_to(original, f"{words}\n\n{signature}\n\n{attribution}\n{quoted}\n")
    answer = post(inbound_client, reply)
    assert answer.status_code == 200, answer.text
    assert answer.json()["sent"] is True
    assert debtor_lines(factory) == [words]
    back = mail.inbox.messages[-1]
    assert back["To"] == "lou.martin@example.org"
    assert back["In-Reply-To"] == reply["Message-ID"]
    assert reply["Message-ID"] in back["References"]
    assert back["Subject"] == {"en": "Re: your message", "fr": "Re : votre message", "nl": "Re: uw bericht"}[language]
    assert back["Reply-To"] == original["Reply-To"]
    assert back.get_body(("plain",)).get_content().strip()


def test_requests_without_the_secret_are_refused(inbound_client, settings, mailing, mail, factory):
    original = sent_email(inbound_client, mailing, mail, factory)
    reply = reply_to(original, "hello")
    assert post(inbound_client, reply, **{"x-email-inbound-secret": ""}).status_code == 401
    assert post(inbound_client, reply, **{"x-email-inbound-secret": "guess"}).status_code == 401
    basic = base64.b64encode(f"inbound:{SECRET}".encode()).decode()
    ok = inbound_client.post(
        "/channels/email/inbound",
        content=reply.as_bytes(),
        headers={"content-type": "message/rfc822", "authorization": f"Basic {basic}"},
    )
    assert ok.status_code == 200
    # Not configured at all: refused, whatever the request says.
    from fastapi.testclient import TestClient

    from server.app import create_app

    with TestClient(create_app(mailing.model_copy(update={"email_inbound_secret": ""}))) as closed:
        assert post(closed, reply).status_code == 403


def test_a_forged_reply_address_binds_nothing_and_gets_no_answer(inbound_client, mailing, mail, factory):
    original = sent_email(inbound_client, mailing, mail, factory)
    reply = reply_to(original, "what do I owe?")
    address = reply["To"].addresses[0]
    token = address.username.split("+", 1)[1]
    forged = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    del reply["To"]
    reply["To"] = f"collect+{forged}@{address.domain}"
    sent_before = len(mail.inbox.messages)
    answer = post(inbound_client, reply)
    assert answer.status_code == 200 and "ignored" in answer.json()
    assert len(mail.inbox.messages) == sent_before and debtor_lines(factory) == []


def test_a_reply_from_another_address_is_a_conversation_of_its_own(inbound_client, mailing, mail, factory):
    original = sent_email(inbound_client, mailing, mail, factory)
    post(inbound_client, reply_to(original, "who is this about?", sender="someone.else@example.net"))
    with transaction(factory) as session:
        ids = set(session.scalars(select(Message.conversation_id).where(Message.author == "debtor")))
    assert len(ids) == 1 and next(iter(ids)).endswith(":someone.else@example.net")


def test_odd_mail_is_handled_calmly(inbound_client, mailing, mail, factory):
    original = sent_email(inbound_client, mailing, mail, factory)
    # Ten megabytes: an attachment beside a short text.
    big = reply_to(original, "Here is the receipt of my transfer.")
    big.add_attachment(b"\x89PNG" + b"0" * 10_000_000, maintype="image", subtype="png", filename="receipt.png")
    assert post(inbound_client, big).status_code == 200
    # Only an attachment, no text.
    bare = reply_to(original, "")
    bare.clear_content()
    bare.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="letter.pdf")
    assert post(inbound_client, bare).status_code == 200
    # HTML only.
    html = reply_to(original, "")
    html.clear_content()
    html.set_content("<p>I paid <b>yesterday</b>.</p><blockquote>old email</blockquote>", subtype="html")
    assert post(inbound_client, html).status_code == 200
    # A charset nobody knows.
    raw = reply_to(original, "placeholder").as_bytes()
    head, _, _ = raw.partition(b"\n\n")
    head = head.replace(b'charset="utf-8"', b'charset="x-unknown-42"')
    strange = head + b"\n\nCan I pay next week?\n"
    assert post(inbound_client, strange).status_code == 200
    # Not an email at all.
    assert post(inbound_client, b"\xff\xfe garbage").status_code in (200, 400)
    lines = debtor_lines(factory)
    assert "Here is the receipt of my transfer." in lines
    assert "I paid yesterday." in lines and not any("old email" in line for line in lines)
    assert "Can I pay next week?" in lines


def dsn(address: str, original=None) -> bytes:
    """A bounce as mail servers write it (RFC 3464), returning the headers of `original` (the
    email that bounced) as servers do: that is how it is known to be about an email of ours."""
    report = EmailMessage()
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.org>"
    report["To"] = "collect@amicable.example"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Auto-Submitted"] = "auto-replied"
    report.set_content("This is the mail system. Your message could not be delivered.")
    report.make_mixed()
    raw = report.as_bytes().decode()
    raw = raw.replace("multipart/mixed", 'multipart/report; report-type="delivery-status"')
    boundary = report.get_boundary()
    status_part = (
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.org\n\n"
        f"Final-Recipient: rfc822; {address}\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\n\n"
    )
    if original is not None:
        headers = "".join(
            f"{k}: {v}\n" for k, v in original.items() if k in ("From", "To", "Reply-To", "Subject", "Message-ID")
        )
        status_part += f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{headers}\n"
    return raw.replace(f"--{boundary}--", status_part + f"--{boundary}--").encode()


def test_a_bounce_stops_email_to_the_address_and_outreach_moves_on(
    inbound_client, mailing, mail, factory, own_strategy
):
    own_strategy(
        lambda text: text.replace("channels: [whatsapp, sms, telegram, email, voice]", "channels: [email, sms, voice]")
    )
    original = sent_email(inbound_client, mailing, mail, factory, phone="+32470123456")
    assert original["To"] == "Lou.Martin@example.org"
    # A report that does not return an email of ours is a stranger's word: nothing changes.
    stranger = post(inbound_client, dsn("lou.martin@example.org"))
    assert stranger.status_code == 200 and stranger.json()["files"] == 0
    answer = post(inbound_client, dsn("lou.martin@example.org", original))
    assert answer.status_code == 200 and answer.json()["handled"] == "bounced" and answer.json()["files"] == 1
    with transaction(factory) as session:
        assert session.scalar(select(UndeliverableAddress.address)) == "lou.martin@example.org"
        logged = dict(
            session.execute(select(ContactEvent.kind, ContactEvent.detail).where(ContactEvent.channel == "email")).all()
        )
        # The log says why, as the report said it: the mailbox does not exist.
        assert logged["email_bounced"].endswith(": 5.1.1; smtp; 550 5.1.1 user unknown"), logged
    later = moment(next_open_day(next_open_day(1) + 4), 11)
    run(factory, mailing, later)
    with transaction(factory) as session:
        channels = [c for c in session.scalars(select(OutreachContact.channel).order_by(OutreachContact.id))]
    assert channels[0] == "email" and channels[-1] != "email"
    # Bouncing again changes nothing; no answer ever goes to a bounce.
    sent_before = len(mail.inbox.messages)
    assert post(inbound_client, dsn("lou.martin@example.org", original)).status_code == 200
    assert len(mail.inbox.messages) == sent_before


def test_a_parsed_form_from_an_inbound_service_is_read_too(inbound_client, mailing, mail, factory):
    original = sent_email(inbound_client, mailing, mail, factory)
    answer = inbound_client.post(
        "/channels/email/inbound",
        data={
            "headers": f"Message-ID: <abc@example.org>\nSubject: Re: {original['Subject']}",
            "from": "Lou <lou.martin@example.org>",
            "to": str(original["Reply-To"]),
            "text": "Can I have another week?\n\nOn Tue someone wrote:\n> old",
        },
        headers={"authorization": f"Bearer {SECRET}"},
    )
    assert answer.status_code == 200, answer.text
    assert "Can I have another week?" in debtor_lines(factory)


def test_an_agents_reply_goes_back_by_email_bound_to_the_file(inbound_client, mailing, mail, factory):
    from amicable.services import agents, conversations
    from tests.api.test_agent_console import CSRF, PASSWORD

    original = sent_email(inbound_client, mailing, mail, factory, language="fr")
    post(inbound_client, reply_to(original, "Je voudrais parler à quelqu'un"))
    with transaction(factory) as session:
        [conversation_id] = set(session.scalars(select(Message.conversation_id).where(Message.author == "debtor")))
        conversation = conversations.get_or_create(session, conversation_id, "email")
        conversations.hand_over(session, conversation, "request_human", "asked for a person by email")
        agents.create_agent(session, "ana@example.com", "Ana", "agent", PASSWORD)
    inbound_client.post("/agent/api/login", json={"email": "ana@example.com", "password": PASSWORD})
    url = f"/agent/api/conversations/{conversation_id}"
    assert inbound_client.post(f"{url}/take", headers=CSRF).status_code == 200
    sent = inbound_client.post(f"{url}/reply", json={"text": "Bonjour, ici Ana."}, headers=CSRF).json()
    assert sent["delivered"] is True, sent
    back = mail.inbox.messages[-1]
    assert back["To"] == "lou.martin@example.org" and back["Subject"] == "Re : votre message"
    assert back["Reply-To"] == original["Reply-To"]
    assert "Bonjour, ici Ana." in back.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ([{"email": "Lou.Martin@example.org", "event": "bounce", "reason": "550 user unknown"}], "bounced"),
        ([{"email": "lou.martin@example.org", "event": "spamreport"}], "complained"),
        (
            {"event-data": {"event": "failed", "severity": "permanent", "recipient": "lou.martin@example.org"}},
            "bounced",
        ),
        ({"RecordType": "SpamComplaint", "Email": "lou.martin@example.org"}, "complained"),
        (
            {
                "Type": "Notification",
                "Message": '{"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", '
                '"bouncedRecipients": [{"emailAddress": "lou.martin@example.org"}]}}',
            },
            "bounced",
        ),
    ],
)
def test_provider_webhooks_mark_the_address(inbound_client, mailing, mail, factory, payload, kind):
    sent_email(inbound_client, mailing, mail, factory)
    refused = inbound_client.post("/channels/email/events", json=payload)
    assert refused.status_code == 401
    answer = inbound_client.post("/channels/email/events", json=payload, headers={"authorization": f"Bearer {SECRET}"})
    assert answer.status_code == 200 and answer.json() == {"ok": True, "handled": 1, "files": 1}
    with transaction(factory) as session:
        assert session.scalar(select(UndeliverableAddress.kind)) == kind
        assert f"email_{kind}" in session.scalars(select(ContactEvent.kind)).all()
    # Temporary trouble is the service's to retry: nothing is marked.
    soft = [
        {"email": "other@example.org", "event": "deferred"},
        {"event-data": {"event": "failed", "severity": "temporary", "recipient": "x@example.org"}},
    ]
    assert (
        inbound_client.post("/channels/email/events", json=soft, headers={"authorization": f"Bearer {SECRET}"}).json()[
            "handled"
        ]
        == 0
    )
