"""Attacks on the email channel, from the security review: each test is the attack, and what
must hold.

Who attacks: a stranger on the internet, who can send any email to our inbound address (the
inbound service relays it to us *with* the inbound secret: the secret authenticates the relay,
never the author of the email), who may hold one debtor's reply address (a forwarded email, a
shared mailbox, or simply their own file's), and who can call our public pages. What they want:
a debt's details, a conversation bound to someone else's file, someone else unsubscribed or
marked undeliverable, the server sending email of their making to addresses of their choice,
a 500, or a stalled server.

Properties that hold pass. Weaknesses found by this review fail, each with what goes wrong;
the report of the review says how to fix them.
"""

from __future__ import annotations

import ast
import base64
import hmac
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from amicable.db.models import Account, ContactEvent, Conversation, Message, OptOut, UndeliverableAddress
from amicable.db.session import transaction
from amicable.providers import email as email_provider
from amicable.services import conversations, link_tokens
from amicable.services.email_replies import parse
from amicable.settings import ROOT
from server.app import create_app
from server.security_headers import policy_for
from tests.conftest import AUTH, LINK_SECRET
from tests.email.conftest import SECRET, factory, mail, mailing  # noqa: F401 (fixtures)
from tests.email.test_inbound import dsn, sent_email
from tests.email.test_outbound import email_only
from tests.outreach.test_campaign import next_open_day

LOU = "lou.martin@example.org"  # the debtor of MAIL-1 (tests/email), who got the outreach email
ATTACKER = "mallory@evil.example"
VICTIM = "victim@x.org"
DOMAIN = "amicable.example"
OWN = SimpleNamespace(email_from=f"Collections <collect@{DOMAIN}>", amicable_link_secret=LINK_SECRET)


@pytest.fixture
def inbound(mailing):  # noqa: F811
    """The app, answering a server error with a 500 instead of raising it into the test."""
    with TestClient(create_app(mailing), raise_server_exceptions=False) as client:
        yield client


def raw_email(
    to: str,
    sender: str = f"Lou Martin <{LOU}>",
    subject: str = "Re: About your account",
    body: str = "What is this about?",
    message_id: str | None = None,
    extra: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """An email as its author wrote it, byte for byte: nothing normalised on the way."""
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: {message_id or make_msgid(domain='example.org')}",
        *(f"{name}: {value}" for name, value in extra),
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


def relay(client: TestClient, data: bytes, secret: str | None = SECRET):
    """What the inbound service posts for any email that reaches our inbound address."""
    headers = {"content-type": "message/rfc822"}
    if secret is not None:
        headers["x-email-inbound-secret"] = secret
    return client.post("/channels/email/inbound", content=data, headers=headers)


def reply_address(original: EmailMessage) -> str:
    return original["Reply-To"].addresses[0].addr_spec


def token_of(original: EmailMessage) -> str:
    return original["Reply-To"].addresses[0].username.split("+", 1)[1]


def account_id(factory, reference: str = "MAIL-1") -> int:  # noqa: F811
    with transaction(factory) as session:
        return session.scalar(select(Account.id).where(Account.reference == reference))


def debtor_messages(factory) -> list[tuple[str, str]]:  # noqa: F811
    with transaction(factory) as session:
        rows = session.execute(
            select(Message.conversation_id, Message.text).where(Message.author == "debtor").order_by(Message.id)
        )
        return [(c, t) for c, t in rows]


def flip(token: str, bit: int) -> str:
    raw = bytearray(base64.b32decode(token.upper() + "=" * (-len(token) % 8)))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base64.b32encode(bytes(raw)).decode().rstrip("=").lower()


# Tokens: reply+TOKEN@ and /email/unsubscribe/TOKEN.


@pytest.mark.parametrize("purpose", ["reply", "unsubscribe"])
def test_every_bit_flip_of_a_token_is_refused(purpose):
    token = email_provider.reply_token(42, LINK_SECRET, purpose)
    assert email_provider.read_reply_token(token, LINK_SECRET, purpose) == 42
    for bit in range(14 * 8):  # the account id and the MAC, each bit
        assert email_provider.read_reply_token(flip(token, bit), LINK_SECRET, purpose) is None, bit
    assert email_provider.read_reply_token(token, "another-secret-0123456789", purpose) is None


def test_a_token_in_any_spelling_names_its_own_file_or_none():
    """Case (some mail systems change it) and base32's padding and unused last bits are
    accepted, but only ever for the file the token was made for: never another one."""
    token = email_provider.reply_token(42, LINK_SECRET)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    same_file = [token.upper(), token[:5].upper() + token[5:], token + "=", token + "=" * 9]
    same_file += [token[:-1] + c for c in alphabet]  # the last character carries 3 unused bits
    for variant in same_file:
        assert email_provider.read_reply_token(variant, LINK_SECRET) in (42, None), variant
    garbage = [
        "",
        "=",
        token[:-1],
        token + "a",
        token + "aaaaaaaa",
        token.replace("a", "0").replace("b", "1"),  # no 0/1 mapping: not our alphabet
        f" {token}",
        f"{token}\n",
        token[:10] + " " + token[10:],
        token[:10] + "\x00" + token[10:],
        "a" * 100_000,
        "é" * 23,
    ]
    for variant in garbage:
        assert email_provider.read_reply_token(variant, LINK_SECRET) is None, repr(variant[:30])
    # A token made with no secret at all is read by no one, whatever the settings.
    assert email_provider.read_reply_token(email_provider.reply_token(42, ""), "") is None


def test_tokens_are_bound_to_their_purpose():
    reply = email_provider.reply_token(42, LINK_SECRET, "reply")
    unsubscribe = email_provider.reply_token(42, LINK_SECRET, "unsubscribe")
    chat = link_tokens.sign(42, LINK_SECRET)
    assert reply != unsubscribe
    assert email_provider.read_reply_token(reply, LINK_SECRET, "unsubscribe") is None
    assert email_provider.read_reply_token(unsubscribe, LINK_SECRET, "reply") is None
    for purpose in ("reply", "unsubscribe"):
        assert email_provider.read_reply_token(chat, LINK_SECRET, purpose) is None
        assert email_provider.read_reply_token(chat.lower(), LINK_SECRET, purpose) is None
    assert link_tokens.read(reply, LINK_SECRET) is None and link_tokens.read(unsubscribe, LINK_SECRET) is None


def test_only_our_own_reply_address_carries_a_token():
    token = email_provider.reply_token(42, LINK_SECRET)
    assert email_provider.token_in([f"collect+{token}@{DOMAIN}"], OWN) == 42
    assert email_provider.token_in([f"Anyone <COLLECT+{token.upper()}@AMICABLE.EXAMPLE>"], OWN) == 42
    for address in (
        f"collect+{token}@{DOMAIN}.evil.example",
        f"collect+{token}@evil.{DOMAIN}",
        f"collect+{token}@evil.example",
        f"xcollect+{token}@{DOMAIN}",
        f"other+{token}@{DOMAIN}",
        f"collect+{token}+more@{DOMAIN}",
        f"collect+{token}@{DOMAIN}@evil.example",
        f'"collect+{token}@{DOMAIN}" <{ATTACKER}>',
        f"{ATTACKER} (collect+{token}@{DOMAIN})",
        f'"collect+{token}"@{DOMAIN}',
        f"collect+{email_provider.reply_token(42, LINK_SECRET, 'unsubscribe')}@{DOMAIN}",
    ):
        assert email_provider.token_in([address], OWN) is None, address


def test_secrets_and_macs_are_compared_in_constant_time(inbound, monkeypatch):
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((bytes(a), bytes(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert relay(inbound, raw_email("x@y.org"), secret="wrong-" + SECRET[6:]).status_code == 401
    assert (SECRET.encode(), ("wrong-" + SECRET[6:]).encode()) in [(b, a) for a, b in compared]
    compared.clear()
    email_provider.read_reply_token(email_provider.reply_token(42, LINK_SECRET), LINK_SECRET)
    assert len(compared) == 1 and len(compared[0][0]) == 10
    # And no secret, token or MAC is ever compared with == or != in these modules.
    watched = {"secret", "expected", "given", "mac", "token", "digest"}
    for module in ("channels/email.py", "amicable/providers/email.py", "web/unsubscribe.py"):
        tree = ast.parse((ROOT / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
                names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                assert not names & watched, f"{module}:{node.lineno} compares {names & watched} with =="


# Replies: binding a conversation to a file, and where the answer goes.


def test_forged_reply_addresses_bind_nothing_and_send_nothing(inbound, mailing, mail, factory):  # noqa: F811
    original = sent_email(inbound, mailing, mail, factory)
    token = token_of(original)
    before = len(mail.inbox.messages)
    forged = [
        *(f"collect+{flip(token, bit)}@{DOMAIN}" for bit in (0, 7, 31, 32, 60, 111)),
        f"collect+{email_provider.reply_token(account_id(factory), LINK_SECRET, 'unsubscribe')}@{DOMAIN}",
        f"collect+{link_tokens.sign(account_id(factory), LINK_SECRET).lower()}@{DOMAIN}",
        f"collect+{email_provider.reply_token(account_id(factory), 'guessed-secret-0123456789')}@{DOMAIN}",
        f"collect+{token}@evil.example",
        f"collect+{token}x@{DOMAIN}",
        f"collect@{DOMAIN}",
    ]
    for to in forged:
        answer = relay(inbound, raw_email(to, body="How much do I owe?"))
        assert answer.status_code == 200 and "ignored" in answer.json(), (to, answer.text)
    # A valid MAC for a file that does not exist (or no longer does) binds nothing either.
    gone = relay(inbound, raw_email(f"collect+{email_provider.reply_token(999_999, LINK_SECRET)}@{DOMAIN}"))
    assert gone.status_code == 200 and "ignored" in gone.json()
    assert len(mail.inbox.messages) == before and debtor_messages(factory) == []
    with transaction(factory) as session:
        assert session.scalars(select(ContactEvent.kind).where(ContactEvent.kind == "conversation_bound")).all() == []


def test_a_token_of_another_file_reaches_that_file_only_and_in_a_conversation_of_its_own(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    body = email_only("MAIL-2", 3 - next_open_day(1), email="someone.else@example.net")
    assert inbound.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    first, second = account_id(factory, "MAIL-1"), account_id(factory, "MAIL-2")
    other = f"collect+{email_provider.reply_token(second, LINK_SECRET)}@{DOMAIN}"
    # Lou writes to the other file's address, then (upper-cased by a mail system) to her own.
    assert relay(inbound, raw_email(other, body="Is this mine?")).status_code == 200
    assert relay(inbound, raw_email(reply_address(original).upper(), body="And this?")).status_code == 200
    assert [c for c, _ in debtor_messages(factory)] == [f"email:{second}:{LOU}", f"email:{first}:{LOU}"]
    with transaction(factory) as session:
        for conversation_id, file in ((f"email:{second}:{LOU}", second), (f"email:{first}:{LOU}", first)):
            conversation = session.get(Conversation, conversation_id)
            assert conversation.account_id == file and not conversation.verified


def test_the_answer_goes_to_the_from_address_only_never_to_cc_reply_to_or_bcc(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    extra = (
        ("Cc", f"{ATTACKER}, Other <other@evil.example>"),
        ("Bcc", "hidden@evil.example"),
        ("Reply-To", ATTACKER),
        ("Sender", ATTACKER),
        ("Return-Path", f"<{ATTACKER}>"),
        ("Disposition-Notification-To", ATTACKER),
        ("Mail-Followup-To", ATTACKER),
    )
    to = f"{reply_address(original)}, {ATTACKER}"
    assert relay(inbound, raw_email(to, body="Please answer everyone", extra=extra)).json()["sent"] is True
    [answer] = mail.inbox.messages[before:]
    [(_, recipients)] = mail.inbox.envelopes[before:]
    assert recipients == [LOU]
    assert answer["To"] == LOU and answer["Cc"] is None and answer["Bcc"] is None
    assert "evil.example" not in answer.as_string()


@pytest.mark.parametrize(
    "sender",
    [
        f'"{VICTIM}" <{ATTACKER}>',
        f"=?utf-8?q?victim=40x=2Eorg?= <{ATTACKER}>",
        f"{VICTIM} <{ATTACKER}>",
        f"{ATTACKER} ({VICTIM})",
        f"{VICTIM}, {ATTACKER}",
        f"{ATTACKER}, {VICTIM}",
        f"Friends: {VICTIM}, {ATTACKER};",
        f"<{ATTACKER}>{VICTIM}",
    ],
)
def test_display_name_tricks_bind_and_answer_one_and_the_same_address(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
    sender,
):
    """Whichever address a tricky From header is read as, the conversation is that address's
    and the answer goes to that address alone; a From that is not exactly one address is
    not answered at all."""
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    answer = relay(inbound, raw_email(reply_address(original), sender=sender))
    assert answer.status_code == 200
    if "ignored" in answer.json():
        assert mail.inbox.envelopes[before:] == [] and debtor_messages(factory) == []
        return
    assert answer.json()["sent"] is True
    [(_, recipients)] = mail.inbox.envelopes[before:]
    [(conversation_id, _)] = debtor_messages(factory)
    assert len(recipients) == 1
    assert conversation_id == conversations.email_conversation_id(account_id(factory), recipients[0])


@pytest.mark.parametrize(
    "sender",
    [
        f'"{ATTACKER},{VICTIM}"',  # a display name with no address at all
        f"=?utf-8?q?{ATTACKER.replace('@', '=40')}=2C{VICTIM.replace('@', '=40')}?=",
        f'mallory"@evil.example, {VICTIM}"',
    ],
)
def test_a_from_header_cannot_fan_the_answer_out_to_several_addresses(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
    sender,
):
    """Found in review, now fixed: the From header is read with `parseaddr` (which turns a lone quoted display
    name into the address "a@x,b@y"), the answer's To header is parsed again by the header
    registry and `send()` parses it a third time: the answer goes to every address in it. Anyone
    holding one reply address (their own file's) makes the server send the creditor's email to
    as many addresses as a header holds."""
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    relay(inbound, raw_email(reply_address(original), sender=sender, body="Hello"))
    for _, recipients in mail.inbox.envelopes[before:]:
        assert len(recipients) == 1, f"one reply to {sender!r} went to {recipients}"


def test_a_sender_that_is_no_address_cannot_name_another_conversation(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    """An address outside [\\w+.@-] (an apostrophe, an accent, a long one) gets a hashed
    conversation id; a From header that *is* that hash must not reach the same conversation
    (it is no address, so it is not answered at all)."""
    victim = "o'brien@example.org"
    original = sent_email(inbound, mailing, mail, factory, email=victim)
    relay(inbound, raw_email(reply_address(original), sender=victim, body="Is this about my bill?"))
    forged = conversations.email_conversation_id(account_id(factory), victim).rsplit(":", 1)[1]
    relay(inbound, raw_email(reply_address(original), sender=forged, body="Send it to me instead"))
    written = [c for c, _ in debtor_messages(factory)]
    assert len(written) == len(set(written)), f"{forged!r} wrote in {victim!r}'s conversation"
    with transaction(factory) as session:
        assert session.get(Conversation, written[0]).address == victim
    hashed = conversations.email_conversation_id(7, victim)
    assert conversations.email_conversation_id(7, hashed.rsplit(":", 1)[1]) != hashed


def _double_encoded(text: str) -> str:
    """An encoded word that decodes to another encoded word: the inbound parse decodes the first
    layer, the answer's header folding decodes the second (CVE-2024-6923, Python < 3.11.10)."""
    inner = "=?utf-8?q?" + "".join(f"={b:02X}" if chr(b) in "\r\n=?_ " else chr(b) for b in text.encode()) + "?="
    return "=?utf-8?b?" + base64.b64encode(inner.encode()).decode() + "?="


INJECTED = f"\r\nBcc: {ATTACKER}\r\nX-Injected: yes\r\n\r\nPAY NOW TO IBAN XX00 EVIL"


@pytest.mark.parametrize(
    "where",
    [
        {"subject": _double_encoded("Re: your bill" + INJECTED)},
        {"message_id": "<a@example.org> (=?utf-8?q?=0D=0ABcc:_mallory@evil.example=0D=0AX-Injected:_yes?=)"},
        {"extra": (("References", "<a@example.org> " + _double_encoded(INJECTED)),)},
    ],
    ids=["subject", "message-id", "references"],
)
def test_no_header_or_body_of_the_answer_can_be_written_by_the_reply(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
    where,
):
    """Found in review, now fixed: the Subject, Message-ID and References of the reply are copied into the answer
    as they came. An encoded word that survives the inbound parse is decoded again when the
    answer is folded, line breaks included: the sender writes headers (Bcc, a second Reply-To,
    Content-Type) and the start of the body of an email the creditor sends, to any From address
    they choose. Phishing from the creditor's own domain."""
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    answer = relay(inbound, raw_email(reply_address(original), sender=VICTIM, body="Hello", **where))
    assert answer.status_code in (200, 400), answer.text
    for message in mail.inbox.messages[before:]:
        assert message["X-Injected"] is None and message["Bcc"] is None, message.as_string()[:600]
        assert len(message.get_all("Reply-To", [])) == 1
        assert "PAY NOW" not in message.as_string() and "IBAN" not in message.as_string()


@pytest.mark.parametrize(
    "extra",
    [
        {"subject": "=?utf-8?q?Re:_hello=0D=0ABcc:_mallory@evil.example?="},
        {"subject": "=?utf-8?q?Re:_hello=0Aworld?="},
        {"sender": "'\"a@[.=0D>>"},
        {"sender": '"=22:<:;evil.example:=0A'},
    ],
    ids=["crlf-subject", "lf-subject", "odd-from-1", "odd-from-2"],
)
def test_odd_headers_are_never_a_server_error(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
    extra,
):
    """Found in review, now fixed: a Subject that decodes to a line break, or a From the answer cannot be
    addressed to, raises in `_answer` (ValueError, AttributeError...) after the bot has run:
    a 500, which the inbound service retries, running the turn again each time."""
    original = sent_email(inbound, mailing, mail, factory)
    answer = relay(inbound, raw_email(reply_address(original), body="Hello", **extra))
    assert answer.status_code < 500, answer.text


def test_before_the_identity_check_the_answer_says_nothing_about_the_debt(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    """Someone holding a forwarded email writes from their own address: the conversation is
    theirs, bound to the file but not verified, and the answer (to them only) says nothing of
    the debt. (Rasa is not running in these tests: this holds the gateway's own answers.)"""
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    for text in ("How much do I owe?", "What is my reference? Send me the payment link.", "/pay_now"):
        relay(inbound, raw_email(reply_address(original), sender=ATTACKER, body=text))
    with transaction(factory) as session:
        account = session.scalar(select(Account).where(Account.reference == "MAIL-1"))
        secrets = ["84", "INV-1", "MAIL-1", *(link.url for link in account.payment_links), "1985"]
        conversation = session.get(Conversation, f"email:{account.id}:{ATTACKER}")
        assert conversation is not None and not conversation.verified
    assert len(mail.inbox.messages) - before == 3
    for message, (_, recipients) in zip(mail.inbox.messages[before:], mail.inbox.envelopes[before:], strict=True):
        assert recipients == [ATTACKER]
        text = message.get_body(("plain",)).get_content()
        for secret in secrets:
            assert secret not in text + str(message["Subject"]), secret


def test_many_recipients_and_many_tokens_get_one_answer_to_the_sender(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    decoys = [f"user{i}@evil.example" for i in range(2_000)]
    decoys += [f"collect+{flip(token_of(original), i % 112)}@{DOMAIN}" for i in range(200)]
    extra = (("Cc", ", ".join(decoys)), ("X-Original-To", ", ".join(decoys[:500])))
    answer = relay(inbound, raw_email(", ".join([*decoys[:1000], reply_address(original)]), extra=extra))
    assert answer.status_code == 200 and answer.json()["sent"] is True
    assert [r for _, r in mail.inbox.envelopes[before:]] == [[LOU]]


def test_huge_address_headers_do_not_stall_the_server(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    """Found in review, now fixed: the recipients are read with the header registry's address parser, which is
    worse than quadratic on some input (40,000 commas: about 9 s; 200,000: minutes), and it runs
    on the event loop (`read()` is called in the async handler): one email from anyone, relayed
    by the inbound service, stalls every channel of the web process."""
    original = sent_email(inbound, mailing, mail, factory)
    data = raw_email(reply_address(original), extra=(("Cc", "," * 30_000),))
    started = time.perf_counter()
    answer = relay(inbound, data)
    elapsed = time.perf_counter() - started
    assert answer.status_code in (200, 400, 413)
    assert elapsed < 2.0, f"one 30 KB Cc header took {elapsed:.1f} s"


def test_nested_messages_are_read_neither_as_a_report_nor_as_the_reply(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    # A reply carrying, as an attachment, a bounce naming the debtor: a reply, not a bounce.
    reply = EmailMessage()
    reply["From"], reply["To"], reply["Subject"] = f"Lou <{LOU}>", reply_address(original), "Re: bill"
    reply.set_content("See the attached message.")
    reply.add_attachment(parse(dsn(LOU)))
    answer = relay(inbound, reply.as_bytes())
    assert answer.status_code == 200 and "handled" not in answer.json()
    # A message nested a thousand times deep: read calmly, never a 500.
    nested = b"From: " + LOU.encode() + b"\r\nTo: " + reply_address(original).encode() + b"\r\n"
    for _ in range(1_000):
        nested += b"Content-Type: message/rfc822\r\n\r\n"
    nested += b"Subject: deep\r\n\r\nhello\r\n"
    assert relay(inbound, nested).status_code in (200, 400)
    with transaction(factory) as session:
        assert session.scalars(select(UndeliverableAddress)).all() == []


def test_a_reply_to_the_answer_from_our_own_address_is_no_mail_loop(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    before = len(mail.inbox.messages)
    relay(inbound, raw_email(reply_address(original), sender=reply_address(original), body="loop?"))
    [answer] = mail.inbox.messages[before:]  # to our own reply address: it comes back to us
    assert relay(inbound, answer.as_bytes()).json().get("ignored")
    assert len(mail.inbox.messages) == before + 1


# Bounces and complaints.


def arf(address: str, sender: str = "Abuse Desk <abuse@mailbox.example>") -> bytes:
    report = EmailMessage()
    report["From"], report["To"], report["Subject"] = sender, f"collect@{DOMAIN}", "Complaint"
    report.set_content("This is an email abuse report.")
    report.make_mixed()
    raw = report.as_bytes().decode().replace("multipart/mixed", 'multipart/report; report-type="feedback-report"')
    boundary = report.get_boundary()  # known once the message is written
    part = (
        f"--{boundary}\nContent-Type: message/feedback-report\n\n"
        f"Feedback-Type: abuse\nUser-Agent: x/1.0\nVersion: 1\nOriginal-Rcpt-To: {address}\n\n"
    )
    return raw.replace(f"--{boundary}--", part + f"--{boundary}--").encode()


def test_bounces_and_complaints_without_the_secret_are_refused(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    sent_email(inbound, mailing, mail, factory)
    for secret in (None, "", "guess", SECRET[:-1], SECRET + "x", SECRET.upper()):
        assert relay(inbound, dsn(LOU), secret=secret).status_code == 401
        assert relay(inbound, arf(LOU), secret=secret).status_code == 401
    for headers in ({}, {"authorization": "Bearer guess"}, {"x-email-inbound-secret": "guess"}):
        event = [{"email": LOU, "event": "bounce"}]
        assert inbound.post("/channels/email/events", json=event, headers=headers).status_code == 401
    basic = base64.b64encode(f"{SECRET}:".encode()).decode()  # the secret as the user, not the password
    assert relay(inbound, dsn(LOU), secret=None).status_code == 401
    assert (
        inbound.post(
            "/channels/email/inbound",
            content=dsn(LOU),
            headers={"content-type": "message/rfc822", "authorization": f"Basic {basic}"},
        ).status_code
        == 401
    )
    with transaction(factory) as session:
        assert session.scalars(select(UndeliverableAddress)).all() == []


@pytest.mark.parametrize("report", [dsn, arf], ids=["bounce", "complaint"])
def test_a_stranger_cannot_fake_a_bounce_through_the_inbound_relay(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
    report,
):
    """Found in review, now fixed: the inbound secret proves the request comes from the inbound service, not who
    wrote the email: the service relays whatever anyone mails to our inbound address. Any
    multipart/report is believed: a stranger who mails one naming a debtor's address stops email
    to that debtor (every file with the address) and moves outreach on to the next channel. A
    genuine bounce answers an email we sent: it should name it (our Message-ID in the returned
    headers, or a signed bounce address), and that email should have gone to that address."""
    sent_email(inbound, mailing, mail, factory)
    answer = relay(inbound, report(LOU))  # quotes no email we sent: anyone could have written it
    assert answer.status_code == 200
    with transaction(factory) as session:
        assert session.scalars(select(UndeliverableAddress.address)).all() == []


# Unsubscribe links.


def test_an_unsubscribe_get_changes_nothing_and_shows_nothing_of_the_debt(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    path = original["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    for _ in range(3):
        page = inbound.get(path)
        assert page.status_code == 200 and "<form" in page.text
        assert inbound.head(path).status_code in (200, 405)
        for secret in ("84", "INV-1", "MAIL-1", "Brightwater", "lou", "Lou"):
            assert secret not in page.text, secret
    with transaction(factory) as session:
        assert session.scalars(select(OptOut)).all() == []
        assert session.scalars(select(ContactEvent).where(ContactEvent.kind == "opt_out")).all() == []


def test_unsubscribe_tokens_cannot_be_forged_or_swapped(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    original = sent_email(inbound, mailing, mail, factory)
    body = email_only("MAIL-2", 3 - next_open_day(1), email="someone.else@example.net")
    assert inbound.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    first, second = account_id(factory, "MAIL-1"), account_id(factory, "MAIL-2")
    mine = email_provider.unsubscribe_token(first, LOU, LINK_SECRET)
    assert original["List-Unsubscribe"].endswith(f"/email/unsubscribe/{mine}>")
    forged = [
        token_of(original),  # the reply token of the same file
        email_provider.reply_token(second, LINK_SECRET),
        link_tokens.sign(second, LINK_SECRET),
        email_provider.reply_token(second, "guessed-secret-0123456789", "unsubscribe"),
        email_provider.reply_token(999_999, LINK_SECRET, "unsubscribe"),
        *(flip(mine, bit) for bit in (0, 8, 31, 32, 111)),
        "..%2F..%2Fapi%2Fv1%2Faccounts",
        "",
    ]
    for token in forged:
        for method in (inbound.post, inbound.get):
            assert method(f"/email/unsubscribe/{token}").status_code in (404, 405), token
    with transaction(factory) as session:
        assert session.scalars(select(OptOut)).all() == []
    # The real link stops email for its own address only.
    assert inbound.post(f"/email/unsubscribe/{mine}", content="List-Unsubscribe=One-Click").status_code == 200
    with transaction(factory) as session:
        assert {(o.account_id, o.address) for o in session.scalars(select(OptOut))} == {(first, LOU)}


def test_an_old_unsubscribe_link_does_not_stop_email_to_a_new_address(
    inbound,
    mailing,  # noqa: F811
    mail,  # noqa: F811
    factory,  # noqa: F811
):
    """Found in review, now fixed: the unsubscribe token names the file, not the address the email went to, and
    the POST stops email to whatever address the file has *now*. Whoever kept an old email (the
    previous holder of a shared or recycled mailbox, an ex-partner) stops email to the debtor's
    new address, and every other file with it, long after the address changed."""
    original = sent_email(inbound, mailing, mail, factory)
    path = original["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    moved = email_only("MAIL-1", 3 - next_open_day(1), email="lou.new@example.net")
    assert inbound.post("/api/v1/accounts", json=moved, headers=AUTH).status_code in (200, 201)
    assert inbound.post(path, content="List-Unsubscribe=One-Click").status_code in (200, 404, 410)
    with transaction(factory) as session:
        assert "lou.new@example.net" not in session.scalars(select(OptOut.address)).all()


# The demo mailbox.


def keep(folder: Path, subject: str, html: str = "<p>hi</p>", to: str = LOU) -> str:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = f"collect@{DOMAIN}", to, subject
    message["X-Note"] = "<img src=x onerror=alert(3)>"
    message.set_content("<script>alert(4)</script>")
    message.add_alternative(html, subtype="html")
    name = f"{int(time.time() * 1000):013d}-{'ab' * 16}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.eml").write_bytes(message.as_bytes())
    return name


def test_the_mailbox_shows_markup_in_an_email_as_text_and_runs_none_of_its_html(settings, tmp_path):
    folder = tmp_path / "mailbox"
    name = keep(
        folder,
        "<script>alert(1)</script>",
        html="<script>alert(2)</script><img src=https://evil.example/t.png><a href=javascript:alert(5)>x</a>",
        to='"<svg onload=alert(6)>" <lou@example.org>',
    )
    with TestClient(create_app(settings.model_copy(update={"mailbox_dir": folder}))) as client:
        for path in ("/mailbox", f"/mailbox/{name}"):
            page = client.get(path)
            assert page.status_code == 200
            for markup in ("<script>alert(", "<img src=x", "<svg onload"):
                assert markup not in page.text, (path, markup)
            assert "&lt;script&gt;alert(1)" in page.text
            policy = page.headers["content-security-policy"]
            assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
        preview = client.get(f"/mailbox/{name}/html")
        policy = preview.headers["content-security-policy"]
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["default-src"] == ["'none'"] and "script-src" not in directives
        assert "sandbox" in directives
        assert not {"allow-scripts", "allow-same-origin", "allow-forms", "allow-top-navigation"} & set(
            directives["sandbox"]
        )
        assert directives["frame-ancestors"] == ["'self'"] and directives["img-src"] == ["data:"]
        assert preview.headers["x-content-type-options"] == "nosniff"
    # The preview's policy belongs to the preview alone.
    assert policy_for(f"/mailbox/{name}/html") == "mail_preview"
    assert policy_for(f"/mailbox/{name}") == policy_for("/mailbox") == "default"


def test_the_mailbox_reads_no_file_but_its_own_messages(settings, tmp_path):
    folder = tmp_path / "mailbox"
    name = keep(folder, "ours")
    (tmp_path / "secret.eml").write_text("Subject: outside the mailbox\n\nthe database password\n")
    (folder / "notes.eml").write_text("Subject: not a kept message\n\nhidden\n")
    with TestClient(create_app(settings.model_copy(update={"mailbox_dir": folder}))) as client:
        assert client.get(f"/mailbox/{name}").status_code == 200
        for path in (
            "/mailbox/..%2Fsecret",
            "/mailbox/%2e%2e%2fsecret",
            "/mailbox/..%252Fsecret",
            "/mailbox/notes",
            "/mailbox/../secret",
            f"/mailbox/{name}%0a",
            f"/mailbox/{name}%2e%2e",
            f"/mailbox/{name.upper()}",
            f"/mailbox/{name}/../../secret",
            "/mailbox/" + "0" * 13 + "-" + "0" * 32 + "%2F..%2F..%2Fsecret",
            f"/mailbox/{name}%00",
        ):
            for suffix in ("", "/html"):
                answer = client.get(path + suffix)
                assert answer.status_code in (400, 404), (path + suffix, answer.status_code)
                assert "password" not in answer.text and "hidden" not in answer.text
    closed = settings.model_copy(
        update={
            "mailbox_dir": folder,
            "amicable_demo": False,
            "amicable_api_key": "a" * 32,
            "amicable_actions_key": "b" * 32,
            "amicable_link_secret": "c" * 32,
            "rasa_token": "d" * 32,
            "stripe_api_key": "sk_test_x",
            "stripe_webhook_secret": "whsec_x",
        }
    )
    with TestClient(create_app(closed)) as client:
        for path in ("/mailbox", f"/mailbox/{name}", f"/mailbox/{name}/html"):
            assert client.get(path).status_code == 404, path
