"""Logs name no one, from the security review ("logs carry phone numbers and outbound texts").

A debt collector's logs must not disclose a debtor's phone number, e-mail address, Telegram
chat id, or what was sent or said (it can carry balances and names); nor any credential (the
Telegram bot token in its API's URLs, Twilio's account SID). The log still says what happened.

- The web process masks in one place (`amicable/logging.py`): a structlog processor for our
  events and a filter for the libraries' stdlib records (httpx, twilio, telegram, uvicorn).
- The action server masks with its own filter (`actions/log_masking.py`), installed by
  `actions/api.py` whose lines name conversations (their ids carry the debtor's number).
- End to end: a debtor's SMS while the bot is down, an outreach campaign's text, a silent call
  and a plan notice, through the real app, leave nothing of the debtor in standard error.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import structlog
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from actions import api as actions_api
from actions import log_masking
from amicable.db.models import Account, OutreachContact
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.logging import MaskingFilter, configure_logging, mask_sensitive, mask_text
from amicable.outreach import campaign
from amicable.services import notices
from tests.conftest import AUTH, TELEGRAM_TOKEN, TWILIO_SID, TWILIO_TOKEN
from tests.factories import account_body

NUMBER = "+32470123456"  # the factory debtor's phone
EMAIL = "sam@example.com"  # and e-mail
# Whatever the form, these must never be in a log line.
NUMBER_FORMS = ("+32470123456", "32470123456", "470123456", "%2B32470123456")
SAID = "I lost my job, call me on +32470999888 or write to sam.peeters@example.org"


def assert_nothing_personal(output: str, *texts: str) -> None:
    for form in NUMBER_FORMS:
        assert form not in output, f"a phone number in the log: {output}"
    for leak in ("+32470999888", "32470999888", EMAIL, "sam.peeters@example.org", "Peeters"):
        assert leak not in output, f"{leak!r} in the log: {output}"
    for text in texts:
        assert text not in output, f"the text sent or said is in the log: {output}"


# --- the web process's processor -------------------------------------------------------------


def test_the_processor_masks_numbers_addresses_and_texts_in_every_value():
    event = mask_sensitive(
        None,
        "info",
        {
            "event": f"reply to {NUMBER} failed",
            "sender": "sms:+32470123456",
            "to": "whatsapp:+447700900123",
            "address": "+1 415 867 5309",
            "chat_id": 123456789,
            "email": EMAIL,
            "text": "Hello Sam, you still owe €84.20 to Brightwater Energy.",
            "payload": "/affirm",
            "error": f"HTTP 400: The 'To' number {NUMBER} is not valid; contact {EMAIL}",
            "context": {"conversation": "telegram:987654321", "replies": [{"text": "hi"}], "summary": "in hospital"},
            "account": "ACC-1001",
            "count": 3,
        },
    )
    assert event["event"] == "reply to +32*******56 failed"
    assert event["sender"] == "sms:+32*******56"
    assert event["to"] == "whatsapp:+44********23"
    assert event["address"] == "+1********09"
    assert event["chat_id"] == "*******89"
    assert event["email"] == "s***@example.com"
    assert event["text"] == "<text: 54 chars>"
    assert event["payload"] == "<text: 7 chars>"
    assert event["error"] == "HTTP 400: The 'To' number +32*******56 is not valid; contact s***@example.com"
    assert event["context"] == {
        "conversation": "telegram:*******21",
        "replies": "<text: 1 items>",
        "summary": "<text: 11 chars>",
    }
    # What says what happened stays as it was.
    assert event["account"] == "ACC-1001" and event["count"] == 3


@pytest.mark.parametrize(
    "logged, shown",
    [
        ("/api/v1/conversations/sms:+32470123456/account", "/api/v1/conversations/sms:+32*******56/account"),
        ("/api/v1/conversations/sms%3A%2B32470123456/binding", "/api/v1/conversations/sms%3A%2B32*******56/binding"),
        ("From=whatsapp%3A%2B32470123456&Body=Hello+there", "From=whatsapp%3A%2B32*******56&Body=<text: 11 chars>"),
        ("call +32 470 12 34 56 or 0470 12 34 56", "call +32*******56 or 0*******56"),
        ("0032470123456", "0032*******56"),
        ("voice:+14158675309", "voice:+1********09"),
        (
            f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage",
            "https://api.telegram.org/bot<token>/sendMessage",
        ),
        (f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json", "/2010-04-01/Accounts/AC<sid>/Messages.json"),
        ("https://user:pass@api.example.com/x", "https://***@api.example.com/x"),
        ("{'chat_id': 123456789, 'text': 'you owe 84'}", "{'chat_id': *******89, 'text': '<text: 10 chars>'}"),
        (
            '{"sender": "telegram:42424242", "message": "ok"}',
            '{"sender": "telegram:******42", "message": "<text: 2 chars>"}',
        ),
        # Nothing else is touched: dates, times, amounts, references, versions, ids.
        ("2025-03-01T10:00:00.012345+01:00", "2025-03-01T10:00:00.012345+01:00"),
        (
            "€1 234,56 on 01.02.2025 for ACC-1001 (INV-0123456789)",
            "€1 234,56 on 01.02.2025 for ACC-1001 (INV-0123456789)",
        ),
        ("SM" + "0" * 32, "SM" + "0" * 32),
    ],
)
def test_strings_are_masked_wherever_the_number_or_secret_appears(logged, shown):
    assert mask_text(logged) == shown
    assert mask_text(shown) == shown  # masking twice changes nothing


def test_our_events_and_their_tracebacks_are_masked_on_standard_error(capsys):
    configure_logging()
    log = structlog.get_logger()
    log.info("outbound message", channel="sms", account="ACC-1001", to=NUMBER, text="Hello Sam, you owe €84.20")

    def send(phone: str, text: str) -> None:
        raise ValueError(f"could not text {phone} at {EMAIL}")

    text = "Hello Sam, you owe €84.20"
    try:
        send(NUMBER, text)
    except ValueError:
        log.exception("outreach failed unexpectedly", contact=7)
    err = capsys.readouterr().err
    assert "outbound message" in err and "to=+32*******56" in err and "text='<text: 25 chars>'" in err
    assert (
        "outreach failed unexpectedly" in err and "ValueError: could not text +32*******56 at s***@example.com" in err
    )
    # The traceback is text, without the locals of each frame (they hold the number and text).
    assert_nothing_personal(err, "you owe")


def test_the_libraries_records_are_masked_too(capsys):
    """httpx logs every request's URL (the Telegram bot token is in it), twilio its requests,
    python-telegram-bot its calls' parameters, uvicorn the paths it serves."""
    access = logging.getLogger("uvicorn.access")
    before = (access.handlers[:], access.propagate, access.level)
    from uvicorn.logging import AccessFormatter

    handler = logging.StreamHandler(sys.stderr)  # set up by uvicorn before the app is created
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    access.handlers, access.propagate = [handler], False
    access.setLevel(logging.INFO)
    bot = logging.getLogger("telegram.Bot")
    bot_level = bot.level
    try:
        configure_logging()
        with httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, json={"ok": True}))) as client:
            client.post(f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage", json={"chat_id": 5, "text": "x"})
        from twilio.http.http_client import TwilioHttpClient

        TwilioHttpClient().log_request(
            {
                "method": "GET",
                "url": f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json",
                "params": {"To": NUMBER},
                "headers": {"User-Agent": "twilio-python", "Authorization": f"Basic {TWILIO_TOKEN}"},
            }
        )
        bot.setLevel(logging.DEBUG)
        bot.debug(
            "Calling Bot API endpoint `%s` with parameters `%s`",
            "sendMessage",
            {"chat_id": 123456789, "text": "Hello Sam, you owe €84.20"},
        )
        access.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5055",
            "GET",
            f"/api/v1/conversations/sms:{NUMBER}/account",
            "1.1",
            200,
        )
    finally:
        access.handlers, access.propagate = before[0], before[1]
        access.setLevel(before[2])
        bot.setLevel(bot_level)
    err = capsys.readouterr().err
    assert "HTTP Request: POST https://api.telegram.org/bot<token>/sendMessage" in err
    assert "/Accounts/AC<sid>/Messages.json" in err and "+32*******56" in err
    assert "'chat_id': '*******89'" in err and "'text': '<text: 25 chars>'" in err
    assert '"GET /api/v1/conversations/sms:+32*******56/account HTTP/1.1" 200' in err
    assert_nothing_personal(err, "you owe")
    for secret in (TELEGRAM_TOKEN, "telegram-test-token", TWILIO_SID, TWILIO_TOKEN, "123456789"):
        assert secret not in err


def test_the_filter_keeps_arguments_that_a_format_needs():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s sent %d parts to %s", ("SM1", 3, NUMBER), None)
    MaskingFilter().filter(record)
    assert record.getMessage() == "SM1 sent 3 parts to +32*******56"


# --- the action server's filter --------------------------------------------------------------


def test_the_action_servers_filter_masks_message_arguments_and_traceback():
    try:
        raise RuntimeError(f"answered for {NUMBER} ({EMAIL})")
    except RuntimeError:
        record = logging.LogRecord(
            "rasa_sdk.executor",
            logging.ERROR,
            __file__,
            1,
            "API %s %s answered %s: %s / %s",
            ("GET", f"/api/v1/conversations/sms:{NUMBER}/account", 404, f"no file for {EMAIL}", "telegram:123456789"),
            sys.exc_info(),
        )
    log_masking.MaskingFilter().filter(record)
    assert record.getMessage() == (
        "API GET /api/v1/conversations/sms:+32*******56/account answered 404: no file for s***@example.com / "
        "telegram:*******89"
    )
    assert "RuntimeError: answered for +32*******56 (s***@example.com)" in record.exc_text
    event = logging.LogRecord(
        "rasa_sdk.executor", logging.DEBUG, __file__, 1, "Contents of ignored event: '%s'", ({"text": SAID},), None
    )
    log_masking.MaskingFilter().filter(event)
    assert event.getMessage() == f"Contents of ignored event: '{{'text': '<text: {len(SAID)} chars>'}}'"
    assert log_masking.mask_text(f"{{'event': 'user', 'text': '{SAID}'}}") == (
        f"{{'event': 'user', 'text': '<text: {len(SAID)} chars>'}}"
    )


def test_the_action_servers_api_client_logs_no_number(caplog, monkeypatch):
    """`actions.api` against an API that answers 404 (echoing the path) and one that is down."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    async def not_found(request: web.Request) -> web.Response:
        return web.json_response({"detail": f"no conversation {request.path} for {EMAIL}"}, status=404)

    async def drive() -> None:
        app = web.Application()
        app.router.add_get("/api/v1/conversations/{conversation}/account", not_found)
        async with TestServer(app) as server:
            api = actions_api.AmicableApi(actions_api.ApiConfig(str(server.make_url("")).rstrip("/"), "key"))
            with pytest.raises(actions_api.ApiError):
                await api.account(f"sms:{NUMBER}")
        down = actions_api.AmicableApi(actions_api.ApiConfig("http://127.0.0.1:9", "key"))
        with pytest.raises(actions_api.ApiError):
            await down.account("telegram:123456789")
        await actions_api._shared_session().close()

    monkeypatch.setattr(actions_api, "_session", None)
    # In a thread of its own: an earlier test may have left an event loop in this one.
    with caplog.at_level(logging.WARNING, logger="actions.api"), concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, drive()).result()
    lines = [r.getMessage() for r in caplog.records if r.name == "actions.api"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("API GET /api/v1/conversations/sms:+32*******56/account answered 404: no conversation")
    assert lines[0].endswith("for s***@example.com")
    assert lines[1].startswith("API GET /api/v1/conversations/telegram:*******89/account unreachable")
    assert_nothing_personal("\n".join(lines) + caplog.text)
    assert "123456789" not in caplog.text


# --- end to end, through the app -------------------------------------------------------------


def _sms(client, body: str, sender: str = NUMBER):
    params = {
        "MessageSid": "SM" + "0" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+3228080000",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature("http://testserver/channels/twilio/sms", params)
    return client.post("/channels/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})


def test_a_debtors_sms_while_the_bot_is_down_is_logged_without_number_or_text(capsys, client, settings):
    assert client.post("/api/v1/accounts", json=account_body(), headers=AUTH).status_code == 201
    response = _sms(client, SAID)  # Rasa is unreachable in these settings
    assert response.status_code == 200, response.text
    err = capsys.readouterr().err
    # What happened, and in which conversation, still shows.
    assert "bot unreachable" in err and "sender=sms:+32*******56" in err
    assert_nothing_personal(err, "lost my job")


def test_a_silent_caller_is_logged_without_the_number(capsys, client, settings):
    url = "http://testserver/channels/twilio/voice?turn=1&silence=1"
    form = {"CallSid": "CA" + "0" * 32, "From": NUMBER, "To": "+3228080000", "Direction": "inbound", "SpeechResult": ""}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    response = client.post(url.removeprefix("http://testserver"), data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    err = capsys.readouterr().err
    assert "caller silent twice: offering a person" in err and "address=+32*******56" in err
    assert_nothing_personal(err)


BRUSSELS = ZoneInfo("Europe/Brussels")


def _open_day() -> date:
    """A Tuesday to Thursday, no public holiday: a day on which a reminder may go."""
    import holidays

    day = date.today() + timedelta(days=1)
    while day.weekday() not in (1, 2, 3) or any(
        day in holidays.country_holidays(c, years=day.year) for c in ("BE", "NL", "FR", "GB", "US")
    ):
        day += timedelta(days=1)
    return day


def test_an_outreach_text_sent_by_the_console_sender_is_logged_by_length_only(capsys, client, settings):
    day = _open_day()
    body = account_body("BE-1")
    body["invoices"] = [
        {
            "number": "INV-1",
            "amount": "84.20",
            "currency": "EUR",
            "issued_on": (day - timedelta(days=32)).isoformat(),
            "due_on": (day - timedelta(days=2)).isoformat(),
        }
    ]
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code == 201
    factory = make_sessionmaker(make_engine(settings.database_url))
    report = campaign.run(factory, settings, datetime.combine(day, datetime.min.time(), BRUSSELS).replace(hour=10))
    assert report.sent == 1
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
        sent = contact.text
    assert "Sam" in sent and "€84.20" in sent
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "outbound message" in line)
    assert "account=BE-1" in line and "channel=sms" in line and "to=+32*******56" in line
    assert f"text='<text: {len(sent)} chars>'" in line
    assert_nothing_personal(err, sent, "84.20", "Sam ")


def test_a_plan_notice_on_the_console_is_logged_by_length_only(capsys, client, settings):
    assert client.post("/api/v1/accounts", json=account_body(), headers=AUTH).status_code == 201
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as session:
        account = session.scalar(select(Account).where(Account.reference == "ACC-1001"))
        text = notices.render("installment_notice", account, 2, account.invoices[0].amount, date.today())
        notices.send("installment_notice", account, text)
    err = capsys.readouterr().err
    assert "outbound message" in err and "account=ACC-1001" in err and f"text='<text: {len(text)} chars>'" in err
    assert_nothing_personal(err, text, "Sam")
