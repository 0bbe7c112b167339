"""The compliance gate applies to email as to every channel, through the real campaign and
dispatch path with a real SMTP server: the hours of the debtor's country (the US rule on
inconvenient times covers every communication), the caps, consent where the rules ask for it,
holds, an opt-out of email (at planning and again at the moment of sending), and the notices
the rules require, written into the email itself."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select

from amicable.compliance.rules import rulebook
from amicable.db.models import Account, OptOut, OutreachContact
from amicable.db.session import transaction
from amicable.outreach import campaign
from tests.conftest import AUTH
from tests.email.test_outbound import email_only, parts, run
from tests.outreach.test_campaign import TODAY, moment, next_open_day

NEW_YORK = ZoneInfo("America/New_York")
ASSISTANT = {
    "en": "This message is from an automated assistant; a person is always available if you prefer.",
    "fr": "Ce message vient d'un assistant automatique ; une personne reste disponible si vous préférez.",
}
EMAIL_ONLY_STRATEGY = """\
send_hours: "09:00-19:00"
default_hour: "10:00"
channels: [email]
language: en
steps:
  - id: reminder
    day: 1
    template: due_reminder
  - id: second-reminder
    day: 2
    template: second_reminder
  - id: personal
    day: 3
    template: personal_message
"""


def words(message) -> str:
    """Both parts of an email as one reader sees them: entities decoded, lines unwrapped."""
    text, html = parts(message)
    return " ".join(text.split()), " ".join(unescape(html).split())


def contacts(factory) -> dict[str, list[OutreachContact]]:
    found: dict[str, list[OutreachContact]] = {}
    with transaction(factory) as session:
        for contact in session.scalars(select(OutreachContact).order_by(OutreachContact.id)):
            found.setdefault(contact.account.reference, []).append(contact)
        session.expunge_all()
    return found


def three_open_days() -> int:
    """Days from today to a Tuesday such that it and the two days after are no public holiday
    in Belgium (a step a day, each at 11:00)."""
    offset = 1
    while True:
        first = TODAY + timedelta(days=offset)
        days = [first + timedelta(days=n) for n in range(3)]
        if first.weekday() == 1 and all(d not in holidays.country_holidays("BE", years=d.year) for d in days):
            return offset
        offset += 1


def test_a_us_debtor_gets_no_email_at_five_in_the_morning_in_new_york(client, mailing, mail, factory):
    day = next_open_day(1)
    body = email_only("US-MAIL", 3 - day, country="US", timezone="America/New_York", language="en")
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)

    early = moment(day, 5, 0, NEW_YORK)  # 11:00 in Brussels: only the debtor's own clock counts
    report = run(factory, mailing, early)
    assert report.sent == 0 and mail.inbox.messages == []
    [contact] = contacts(factory)["US-MAIL"]
    assert (contact.channel, contact.status, contact.rule) == ("email", "deferred", "contact_hours")
    assert "05:00 in America/New_York is outside 08:00-21:00" in contact.reason
    assert contact.send_at.astimezone(NEW_YORK) == moment(day, 10, 0, NEW_YORK)  # the creditor's usual hour

    report = run(factory, mailing, moment(day, 10, 0, NEW_YORK))
    assert report.sent == 1
    [message] = mail.inbox.messages
    assert message["To"] == "Lou.Martin@example.org"
    text, html = words(message)
    # Before identity is confirmed (US-17) the email says nothing of the debt, nor the
    # debt-collector notice, which would itself tell whoever reads it; it does say it is automated.
    for part in (text, html):
        assert ASSISTANT["en"] in part
        assert "attempt to collect a debt" not in part and "debt collector" not in part
        assert "84" not in part and "INV-1" not in part


def test_the_cap_per_channel_holds_back_a_third_email_in_seven_days(client, mailing, mail, factory, own_strategy):
    own_strategy(lambda _: EMAIL_ONLY_STRATEGY)
    day = three_open_days()
    body = email_only("MAIL-CAP", 3 - day)
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    for offset in range(3):
        run(factory, mailing, moment(day + offset, 11))

    assert len(mail.inbox.messages) == 2  # the shipped rules: 2 messages a week on one channel
    rows = contacts(factory)["MAIL-CAP"]
    assert [c.status for c in rows] == ["sent", "sent", "deferred"]
    first, third = rows[0], rows[2]
    assert (third.step, third.channel, third.rule) == ("personal", "email", "cap_per_channel")
    assert third.send_at >= first.sent_at + timedelta(days=7)
    # The automated-assistant notice goes in the first email on the channel, not in every one.
    assert ASSISTANT["en"] in words(mail.inbox.messages[0])[0]
    assert ASSISTANT["en"] not in words(mail.inbox.messages[1])[0]


def test_consent_holds_and_an_opt_out_stop_email_when_planned_and_when_sent(
    client, settings, mailing, mail, factory, own_strategy
):
    own_strategy(lambda _: EMAIL_ONLY_STRATEGY)
    # This copy of the French rules asks for a recorded consent before any email.
    rules = settings.policies_dir / "compliance" / "FR.yml"
    rules.write_text(rules.read_text() + "\nconsent_required: [whatsapp, email]\n")
    rulebook.cache_clear()
    day = next_open_day(1)
    french = {"country": "FR", "timezone": "Europe/Paris", "language": "fr"}
    consent = [{"channel": "email", "source": "opt_in", "wording": "Oui, écrivez-moi par e-mail"}]
    accounts = {
        "MAIL-OK": email_only("MAIL-OK", 3 - day, email="ok@example.org"),
        "FR-CONSENTED": {**email_only("FR-CONSENTED", 3 - day, email="oui@example.fr", **french), "consents": consent},
        "FR-NO-CONSENT": email_only("FR-NO-CONSENT", 3 - day, email="non@example.fr", **french),
        "ON-HOLD": email_only("ON-HOLD", 3 - day, email="hold@example.org"),
        "PAUSED": email_only("PAUSED", 3 - day, email="paused@example.org"),
        "LATE-HOLD": email_only("LATE-HOLD", 3 - day, email="late.hold@example.org"),
        "LATE-STOP": email_only("LATE-STOP", 3 - day, email="late.stop@example.org"),
    }
    for body in accounts.values():
        assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    paused_until = TODAY + timedelta(days=day + 10)
    with transaction(factory) as session:
        files = {a.reference: a for a in session.scalars(select(Account))}
        files["ON-HOLD"].on_hold = True
        files["PAUSED"].hold_until = paused_until

    when = moment(day, 11)
    with transaction(factory) as session:
        planned = campaign.make_plan(session, mailing, when)
        campaign.store(session, planned.planned, when)
    decided = {p.reference: p for p in planned.planned}
    assert (decided["FR-NO-CONSENT"].action, decided["FR-NO-CONSENT"].rule) == ("blocked", "consent")
    assert "email needs the debtor's recorded consent (FR)" in decided["FR-NO-CONSENT"].reason
    assert (decided["ON-HOLD"].action, decided["ON-HOLD"].rule) == ("skip", "on_hold")
    assert (decided["PAUSED"].action, decided["PAUSED"].rule) == ("defer", "hold_until")
    assert decided["PAUSED"].send_at.date() >= paused_until
    for reference in ("MAIL-OK", "FR-CONSENTED", "LATE-HOLD", "LATE-STOP"):
        assert decided[reference].action == "send", decided[reference]

    # Between planning and sending: one file is put on hold, the other's address unsubscribes.
    with transaction(factory) as session:
        session.scalar(select(Account).where(Account.reference == "LATE-HOLD")).on_hold = True
        session.add(OptOut(account_id=None, channel="email", address="late.stop@example.org"))
    report = campaign.run(factory, mailing, when + timedelta(minutes=1))

    assert report.sent == 2
    assert sorted(to for _, [to] in mail.inbox.envelopes) == ["ok@example.org", "oui@example.fr"]
    rows = contacts(factory)
    assert [(c.status, c.rule) for c in rows["LATE-HOLD"]] == [("blocked", "hold")]
    assert rows["LATE-HOLD"][0].reason == "at sending: collection is paused for this debtor"
    assert [(c.status, c.rule) for c in rows["LATE-STOP"]] == [("blocked", "opt_out")]
    assert rows["LATE-STOP"][0].reason == "at sending: the debtor opted out of email"
    assert "ON-HOLD" not in rows
    # The notices the rules require are in the email itself, in the debtor's language; the
    # email's own unsubscribe link replaces "reply STOP".
    by_address = {m["To"].addresses[0].addr_spec: m for m in mail.inbox.messages}
    for address, language in (("ok@example.org", "en"), ("oui@example.fr", "fr")):
        for part in words(by_address[address]):
            assert ASSISTANT[language] in part
            assert "STOP" not in part


def test_an_opt_out_of_email_skips_a_step_that_only_emails(client, mailing, mail, factory, own_strategy):
    """An opt-out said by address (in another file's thread, another case) covers this file;
    the step's only channel is email, so the step is skipped, and the run goes on for others."""
    own_strategy(lambda _: EMAIL_ONLY_STRATEGY)
    day = next_open_day(1)
    for reference, address in (("OPTED-OUT", "Opted.Out@example.org"), ("MAIL-OK", "ok@example.org")):
        body = email_only(reference, 3 - day, email=address)
        assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    with transaction(factory) as session:
        session.add(OptOut(account_id=None, channel="email", address="opted.out@example.org"))

    report = run(factory, mailing, moment(day, 11))

    decided = {p.reference: p for p in report.planned}
    assert (decided["OPTED-OUT"].action, decided["OPTED-OUT"].rule) == ("skip", "opted_out")
    assert [to for _, [to] in mail.inbox.envelopes] == ["ok@example.org"]
    assert "OPTED-OUT" not in contacts(factory)


def test_no_email_goes_on_a_public_holiday_of_the_debtors_country(client, mailing, mail, factory):
    """Belgium's rules keep the country's public holidays free of reminders, email too."""
    offset, holiday = next(
        (n, TODAY + timedelta(days=n))
        for n in range(1, 400)
        if TODAY + timedelta(days=n) in holidays.country_holidays("BE", years=(TODAY + timedelta(days=n)).year)
        and (TODAY + timedelta(days=n)).weekday() < 5
    )
    body = email_only("MAIL-HOLIDAY", 3 - offset)
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    report = run(factory, mailing, moment(offset, 11))
    assert report.sent == 0 and mail.inbox.messages == []
    [contact] = contacts(factory)["MAIL-HOLIDAY"]
    assert (contact.status, contact.rule) == ("deferred", "public_holiday")
    assert f"{holiday:%Y-%m-%d} is a public holiday in BE" in contact.reason
    assert contact.send_at.astimezone(ZoneInfo("Europe/Brussels")).date() > holiday
