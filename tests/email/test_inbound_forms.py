"""Inbound mail as inbound-parse services post it: real multipart/form-data with the raw
message in an `email` part (as a file, or as a plain text field), or already parsed into
`headers`, `text` and `html` fields (HTML only too). Each reaches the bot without its quoted
history and is answered by email in the debtor's thread, exactly as a raw RFC 822 post is
(tests/email/test_inbound.py)."""

from __future__ import annotations

import json
from html import escape

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.email.conftest import SECRET
from tests.email.test_inbound import QUOTED, debtor_lines, reply_to, sent_email

SUBJECTS = {"en": "Re: your message", "fr": "Re : votre message", "nl": "Re: uw bericht"}


@pytest.fixture
def inbound_client(mailing):
    with TestClient(create_app(mailing)) as client:
        yield client


def _reply(original, language: str):
    """The debtor's reply in `language`: new words, a sign-off, the client's attribution line
    and the whole earlier email quoted, in an 8-bit body (accents as UTF-8 bytes, not encoded
    away), as mail clients send it."""
    words, signature, attribution = QUOTED[language]
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    reply = reply_to(original, "placeholder")
    reply.set_content(f"{words}\n\n{signature}\n\n{attribution}\n{quoted}\n", cte="8bit")
    return reply, words


def _html(original, language: str) -> str:
    """The same reply as Gmail writes its HTML part: the earlier email in a gmail_quote block."""
    words, signature, attribution = QUOTED[language]
    earlier = "<br>".join(escape(line) for line in original.get_body(("plain",)).get_content().splitlines())
    return (
        f'<div dir="ltr">{escape(words)}<br><br>{escape(signature).replace(chr(10), "<br>")}</div><br>'
        f'<div class="gmail_quote"><div dir="ltr" class="gmail_attr">{escape(attribution)}</div>'
        f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">{earlier}</blockquote></div>'
    )


def _parsed_headers(reply) -> str:
    """SendGrid's parsed mode: `headers` is the raw header block of the email as it arrived,
    including the Content-Type of the original MIME structure (which no longer applies)."""
    lines = [f"{name}: {value}" for name, value in reply.items() if not name.lower().startswith(("content-", "mime-"))]
    lines += ["MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6"']
    return "\n".join(lines) + "\n"


def _envelope(reply) -> dict[str, tuple[None, str]]:
    """The fields every inbound-parse post carries beside the message (SendGrid's names)."""
    return {
        "to": (None, str(reply["To"])),
        "from": (None, str(reply["From"])),
        "subject": (None, str(reply["Subject"])),
        "envelope": (
            None,
            json.dumps({"to": [reply["To"].addresses[0].addr_spec], "from": reply["From"].addresses[0].addr_spec}),
        ),
        "charsets": (None, json.dumps({"to": "UTF-8", "from": "UTF-8", "subject": "UTF-8", "text": "UTF-8"})),
        "spam_score": (None, "0.1"),
    }


def email_file(original, reply, language):
    return {"email": ("message.eml", reply.as_bytes(), "message/rfc822"), **_envelope(reply)}


def email_field(original, reply, language):
    return {"email": (None, reply.as_string()), **_envelope(reply)}


def parsed_text_and_html(original, reply, language):
    return {
        "headers": (None, _parsed_headers(reply)),
        "text": (None, reply.get_body(("plain",)).get_content()),
        "html": (None, _html(original, language)),
        **_envelope(reply),
    }


def parsed_html_only(original, reply, language):
    return {"headers": (None, _parsed_headers(reply)), "html": (None, _html(original, language)), **_envelope(reply)}


@pytest.mark.parametrize(
    ("form", "language"),
    [
        (email_file, "en"),
        (email_field, "fr"),
        (parsed_text_and_html, "nl"),
        (parsed_html_only, "fr"),
    ],
    ids=["email-as-file-part", "email-as-text-field", "parsed-headers-text-html", "parsed-headers-html-only"],
)
def test_an_inbound_parse_form_reaches_the_bot_and_is_answered_in_the_thread(
    inbound_client, mailing, mail, factory, form, language
):
    original = sent_email(inbound_client, mailing, mail, factory, language=language)
    reply, words = _reply(original, language)
    files = form(original, reply, language)
    sent_before = len(mail.inbox.messages)

    answer = inbound_client.post("/channels/email/inbound", files=files, headers={"x-email-inbound-secret": SECRET})

    assert answer.status_code == 200, answer.text
    assert answer.json()["sent"] is True, answer.json()
    # The bot got the new words only: no sign-off, no attribution line, no quoted email.
    assert debtor_lines(factory) == [words]
    # Its answer went back once, to the sender, in the debtor's thread and language.
    assert len(mail.inbox.messages) == sent_before + 1
    back = mail.inbox.messages[-1]
    assert back["To"] == "lou.martin@example.org"
    assert back["In-Reply-To"] == reply["Message-ID"]
    assert reply["Message-ID"] in back["References"].split()
    assert back["Subject"] == SUBJECTS[language]
    assert back["Reply-To"] == original["Reply-To"]
    assert back.get_body(("plain",)).get_content().strip()
