"""Campaigns: who hears from us, when, where and how, checked against the law before anything
leaves, and sent at most once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from amicable.db.models import Account, Consent, ContactEvent, Dispute, Handoff, Message, OptOut, OutreachContact
from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.outreach import campaign, dispatch
from amicable.outreach.strategy import Experiment, load_strategy
from amicable.settings import ROOT
from amicable.yaml_source import SourceError
from tests.conftest import AUTH
from tests.factories import account_body

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = date.today()


def moment(days: int, hour: int, minute: int = 0, zone: ZoneInfo = BRUSSELS) -> datetime:
    """A weekday `days` from today (moved off Sundays and holidays by the caller's choice)."""
    return datetime.combine(TODAY + timedelta(days=days), datetime.min.time(), zone).replace(hour=hour, minute=minute)


def next_open_day(after: int = 0) -> int:
    """Days from today to a Tuesday, Wednesday or Thursday that is no public holiday anywhere here."""
    import holidays

    offset = after
    while True:
        day = TODAY + timedelta(days=offset)
        if day.weekday() in (1, 2, 3) and all(
            day not in holidays.country_holidays(c, years=day.year) for c in ("BE", "NL", "FR", "GB", "US")
        ):
            return offset
        offset += 1


def overdue(reference: str, days: int, **debtor) -> dict:
    body = account_body(reference, **debtor)
    body["invoices"] = [
        {
            "number": "INV-1",
            "amount": "84.20",
            "currency": "EUR",
            "issued_on": (TODAY - timedelta(days=days + 30)).isoformat(),
            "due_on": (TODAY - timedelta(days=days)).isoformat(),
        }
    ]
    return body


def amicable(env: dict, *args: str) -> subprocess.CompletedProcess:
    """The command as a creditor's operator runs it."""
    return subprocess.run([sys.executable, "-m", "amicable", *args], env=env, cwd=ROOT, capture_output=True, text=True)


@pytest.fixture
def own_strategy(settings):
    """Gives Brightwater Energy the default strategy with `edit` applied to its text."""

    def write(edit: Callable[[str], str]) -> None:
        text = edit((ROOT / "policies" / "strategies" / "default.yml").read_text())
        (settings.policies_dir / "strategies" / "brightwater-energy.yml").write_text(text)
        load_strategy.cache_clear()

    yield write
    load_strategy.cache_clear()


@pytest.fixture
def factory(settings):
    return make_sessionmaker(make_engine(settings.database_url))


def plan_of(factory, settings, when):
    with transaction(factory) as session:
        report = campaign.make_plan(session, settings, when)
        session.rollback()
    return {p.reference: p for p in report.planned}


def test_the_law_the_opt_outs_and_disputes_decide_before_the_strategy(client, settings, factory):
    day = next_open_day(1)
    client.post("/api/v1/accounts", json=overdue("BE-1", 2 - day), headers=AUTH)
    client.post("/api/v1/accounts", json=overdue("BE-OPTED", 2 - day, phone="+32470000001"), headers=AUTH)
    client.post("/api/v1/accounts", json=overdue("BE-DISPUTED", 2 - day, phone="+32470000002"), headers=AUTH)
    with transaction(factory) as session:
        opted = session.scalar(select(Account).where(Account.reference == "BE-OPTED"))
        session.add(OptOut(account=opted, channel="sms", address=opted.debtor.phone))
        disputed = session.scalar(select(Account).where(Account.reference == "BE-DISPUTED"))
        session.add(Dispute(account=disputed, reason="not_mine"))

    early = plan_of(factory, settings, moment(day, 7, 30))
    assert early["BE-1"].action == "defer" and early["BE-1"].rule == "contact_hours"
    assert early["BE-1"].send_at == moment(day, 10)  # the creditor's usual hour
    assert early["BE-DISPUTED"].action == "skip" and early["BE-DISPUTED"].rule == "dispute_open"
    # Opted out of SMS, no WhatsApp consent: email comes next, before a call.
    assert early["BE-OPTED"].channel == "email"

    later = plan_of(factory, settings, moment(day, 10, 5))
    assert later["BE-1"].action == "send" and later["BE-1"].channel == "sms"
    assert later["BE-1"].template == "due_reminder" and later["BE-1"].step == "reminder"


def test_a_run_sends_each_step_once_even_when_restarted(client, settings, factory):
    day = next_open_day(1)
    client.post("/api/v1/accounts", json=overdue("BE-1", 2 - day), headers=AUTH)
    when = moment(day, 10, 5)
    with transaction(factory) as session:
        report = campaign.make_plan(session, settings, when)
        [contact_id] = campaign.store(session, report.planned)
    # The run stops here (a crash after planning): the next run sends what was queued, once.
    again = campaign.run(factory, settings, when + timedelta(minutes=15))
    with transaction(factory) as session:
        row = session.get(OutreachContact, contact_id)
        assert (row.status, row.rule, row.reason) == ("sent", "", "")
    assert again.sent == 1
    assert dispatch.send_contact(factory, settings, contact_id) == "not-claimed"
    third = campaign.run(factory, settings, when + timedelta(minutes=30))
    assert third.sent == 0 and third.counts() == {"skip": 1}
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
        assert contact.status == "sent" and "Sam" in contact.text
        # The first message says it comes from an automated assistant and how to stop them.
        assert "automated assistant" in contact.text and "Reply STOP" in contact.text
        assert "€84.20" in contact.text  # Belgium: the number on file may hear the amount
        logged = session.scalars(select(ContactEvent).where(ContactEvent.kind == "outreach_sent")).all()
        assert len(logged) == 1
        # It joins the debtor's SMS thread, so an agent sees it and a reply continues it.
        [message] = session.scalars(select(Message).where(Message.conversation_id == "sms:+32470123456")).all()
        assert message.author == "bot" and message.text == contact.text


def test_each_step_keeps_its_spacing_and_the_last_one_calls_a_person(client, settings, factory):
    client.post("/api/v1/accounts", json=overdue("BE-1", 40), headers=AUTH)
    sent = []
    for offset in range(0, 40):
        when = moment(offset, 12)
        report = campaign.run(factory, settings, when)
        sent += [(offset, p.step) for p in report.planned if p.action == "send"]
    steps = [step for _, step in sent]
    # A debt imported 40 days late starts with the first reminder, not with the hand-over.
    assert steps == ["reminder", "second-reminder", "personal", "plan-offer", "handover"]
    days = [offset for offset, _ in sent]
    gaps = [b - a for a, b in zip(days, days[1:], strict=False)]
    assert all(gap >= least for gap, least in zip(gaps, (3, 4, 7, 7), strict=True))
    with transaction(factory) as session:
        assert session.scalar(select(Handoff).where(Handoff.reason == "strategy")) is not None


def test_the_debtors_hours_and_best_channel_come_first(client, settings, factory):
    from amicable.db.models import PaymentHistory

    day = next_open_day(1)
    body = overdue("BE-EVENING", 2 - day, preferred_hours="18:00-21:00")
    body["consents"] = [{"channel": "whatsapp", "source": "opt_in", "wording": "Yes, WhatsApp me about my bills"}]
    client.post("/api/v1/accounts", json=body, headers=AUTH)
    with transaction(factory) as session:
        account = session.scalar(select(Account).where(Account.reference == "BE-EVENING"))
        assert [c.channel for c in session.scalars(select(Consent))] == ["whatsapp"]
        for n in range(3):
            session.add(
                PaymentHistory(
                    creditor_id=account.creditor_id,
                    account_reference="BE-EVENING",
                    invoice_number=f"H-{n}",
                    amount=50,
                    currency="EUR",
                    issued_on=TODAY - timedelta(days=90 - 30 * n),
                    due_on=TODAY - timedelta(days=80 - 30 * n),
                    paid_on=TODAY - timedelta(days=75 - 30 * n),
                    reminders=1,
                    response_channel="whatsapp",
                    response_hour=19,
                )
            )
    planned = plan_of(factory, settings, moment(day, 10, 5))["BE-EVENING"]
    assert planned.channel == "whatsapp" and planned.action == "defer"
    # They usually answer at 19:00 and asked for 18:00-21:00; the creditor sends until 19:00.
    assert planned.send_at == moment(day, 18)


def test_holds_plans_and_cease_requests(client, settings, factory):
    day = next_open_day(1)
    for ref in ("HOLD", "CEASE", "SPACE"):
        client.post("/api/v1/accounts", json=overdue(ref, 2 - day, phone=f"+3247000010{len(ref)}"), headers=AUTH)
    with transaction(factory) as session:
        accounts = {a.reference: a for a in session.scalars(select(Account))}
        accounts["HOLD"].on_hold = True
        accounts["CEASE"].cease_requested_at = moment(-1, 12)
        accounts["SPACE"].hold_until = TODAY + timedelta(days=day + 20)
    planned = plan_of(factory, settings, moment(day, 10, 5))
    assert (planned["HOLD"].action, planned["HOLD"].rule) == ("skip", "on_hold")
    assert (planned["CEASE"].action, planned["CEASE"].rule) == ("blocked", "cease_request")
    assert planned["SPACE"].action == "defer" and planned["SPACE"].rule == "hold_until"
    assert planned["SPACE"].send_at.date() >= TODAY + timedelta(days=day + 20)


def test_us_and_uk_debtors_hear_nothing_about_the_debt_before_confirming_who_they_are(client, settings, factory):
    day = next_open_day(1)
    body = overdue("US-1", 2 - day, phone="+12125550100", timezone="America/New_York", country="US")
    body["consents"] = [{"channel": "sms", "source": "provided_with_debt"}]
    client.post("/api/v1/accounts", json=body, headers=AUTH)
    report = campaign.run(factory, settings, moment(day, 11, 0, ZoneInfo("America/New_York")))
    assert report.sent == 1
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
    assert contact.template == "private_contact" and "84" not in contact.text
    # Even the debt-collector notice would tell whoever reads it: it waits for identity (US-17).
    assert "debt" not in contact.text and "Reply STOP" in contact.text and "automated assistant" in contact.text


def test_ab_assignment_is_random_across_files_and_stable_for_one():
    experiment = Experiment(id="reminder-tone", step="reminder", vary="tone", variants=["neutral", "warm"])
    counts = Counter(experiment.variant_for(f"ACC-{n}") for n in range(2000))
    assert abs(counts["neutral"] - counts["warm"]) < 150
    assert {experiment.variant_for("ACC-7") for _ in range(5)} == {experiment.variant_for("ACC-7")}


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ("day: 1\n    template: due_reminder", "day: 1\n    template: due_remindr"),
            r"line \d+: steps.1.template: no template 'due_remindr'",
        ),
        (('send_hours: "09:00-19:00"', 'send_hours: "19:00-09:00"'), r"line \d+: send_hours"),
        (("  - id: reminder\n", "  - id: reminder\n    colour: blue\n"), r"line \d+: steps.1.colour: unknown key"),
    ],
)
def test_a_strategy_with_a_mistake_is_refused_with_its_line(tmp_path, change, message):
    import shutil

    shutil.copytree(ROOT / "policies", tmp_path / "p")
    path = tmp_path / "p" / "strategies" / "default.yml"
    text = path.read_text()
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1))
    load_strategy.cache_clear()
    with pytest.raises(SourceError, match=message):
        load_strategy(tmp_path / "p", "Anyone")
    load_strategy.cache_clear()


def test_the_command_prints_the_plan_as_the_contract_says(tmp_path: Path):
    from amicable.db.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "AMICABLE_API_KEY": "k" * 20}
    assert amicable(env, "seed", "--demo").returncode == 0
    dry_run = ["campaign", "run", "--now", "2026-12-01T07:30:00+01:00", "--dry-run", "--json"]
    result = amicable(env, *dry_run)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    keys = {"reference", "action", "channel", "send_at", "rule", "reason", "template", "tone"}
    assert len(plan) == 3 and all(set(item) == keys for item in plan)
    assert all(item["action"] in ("send", "skip", "blocked", "defer") for item in plan)
    belgian = next(item for item in plan if item["reference"] == "DEMO-1001")
    assert belgian["action"] != "send"
    # A dry run stores and sends nothing.
    again = amicable(env, *dry_run)
    assert again.returncode == 0 and json.loads(again.stdout) == plan
    bad = amicable(env, "campaign", "run", "--now", "tomorrow")
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr


def test_ab_results_are_counted_from_what_happened(client, settings, factory):
    from amicable.db.models import Conversation, Payment

    day = next_open_day(1)
    references = [f"AB-{n}" for n in range(12)]
    for n, reference in enumerate(references):
        client.post("/api/v1/accounts", json=overdue(reference, 2 - day, phone=f"+324700003{n:02d}"), headers=AUTH)
    when = moment(day, 10, 5)
    report = campaign.run(factory, settings, when)
    assert report.sent == 12
    with transaction(factory) as session:
        contacts = {c.account.reference: c for c in session.scalars(select(OutreachContact))}
        variants = {ref: c.variant for ref, c in contacts.items()}
        payers = references[:5]
        for reference in payers:
            account = contacts[reference].account
            session.add(
                Payment(
                    account=account,
                    amount=84.20,
                    currency="EUR",
                    provider="local",
                    received_at=when + timedelta(days=2),
                )
            )
        repliers = references[5:8]
        for reference in repliers:
            account = contacts[reference].account
            conversation = Conversation(id=f"web:{reference}", channel="web", account=account)
            session.add(
                Message(conversation=conversation, author="debtor", text="ok", created_at=when + timedelta(hours=3))
            )
    expected = Counter(variants.values())
    found = client.get("/api/v1/outreach/experiments", headers=AUTH).json()
    assert {f"{r['experiment']}:{r['variant']}": r["accounts"] for r in found} == dict(expected)
    for row in found:
        key = f"{row['experiment']}:{row['variant']}"
        paid = sum(1 for ref in payers if variants[ref] == key)
        replied = sum(1 for ref in repliers if variants[ref] == key)
        assert (row["paid"], row["replied"]) == (paid, replied)
        assert row["median_days_to_pay"] == (2.0 if paid else None)
    # The plan is also there for a creditor's dashboard, without sending anything.
    plan = client.get("/api/v1/outreach/plan", params={"now": when.isoformat()}, headers=AUTH)
    assert plan.status_code == 200 and len(plan.json()) == 12
    assert client.get("/api/v1/outreach/plan", params={"now": "soon"}, headers=AUTH).status_code == 422


def test_a_discount_for_paying_before_the_due_date(client, settings, factory, own_strategy):
    from amicable.db.models import PaymentLink

    own_strategy(
        lambda text: text.replace("early_payment_discount_percent: 0", "early_payment_discount_percent: 5").replace(
            "    only_if_likely_late: true\n", ""
        )
    )
    day = next_open_day(1)
    body = overdue("EARLY", -(day + 3))  # due three days after the run
    body["invoices"][0]["amount"] = "120.00"
    client.post("/api/v1/accounts", json=body, headers=AUTH)
    report = campaign.run(factory, settings, moment(day, 10, 5))
    assert report.sent == 1
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
        [link] = session.scalars(select(PaymentLink)).all()
        assert contact.step == "nudge" and contact.template == "pre_due_discount"
        assert link.amount == 114 and link.discount == 6
        # The offer ends with the due date, at midnight in the debtor's time.
        due = TODAY + timedelta(days=day + 3)
        assert link.expires_at == datetime.combine(due + timedelta(days=1), datetime.min.time(), BRUSSELS)
        assert "€114.00" in contact.text and "€120.00" in contact.text


def test_accounts_with_unusable_details_get_safe_defaults_or_a_reason(client, settings, factory):
    day = next_open_day(1)
    client.post("/api/v1/accounts", json=overdue("NO-PHONE", 2 - day, phone=None, email=None), headers=AUTH)
    client.post("/api/v1/accounts", json=overdue("BAD-PHONE", 2 - day, phone="12", email=None), headers=AUTH)
    client.post("/api/v1/accounts", json=overdue("UTC", 2 - day, phone="+32470000401", timezone="UTC"), headers=AUTH)
    planned = plan_of(factory, settings, moment(day, 10, 5))
    assert planned["NO-PHONE"].action == "blocked" and planned["NO-PHONE"].rule == "no_address"
    assert planned["BAD-PHONE"].action == "blocked" and "no sms address" in planned["BAD-PHONE"].reason
    # No real time zone: the number's zone (Belgium) is used, never UTC's hours.
    assert planned["UTC"].action == "send"
    early = plan_of(factory, settings, moment(day, 7, 30))
    assert early["UTC"].action == "defer" and early["UTC"].rule == "contact_hours"


def test_collection_costs_are_announced_only_where_the_law_allows(client, settings, factory, own_strategy):
    second = "  - id: second-reminder\n    day: 4\n    template: second_reminder\n"
    assert second in (ROOT / "policies" / "strategies" / "default.yml").read_text()
    own_strategy(
        lambda text: text.replace(second, "  - id: costs\n    day: 4\n    template: costs_notice\n    costs: true\n")
    )
    day = next_open_day(1)
    client.post("/api/v1/accounts", json=overdue("BE-COSTS", 4 - day), headers=AUTH)
    french = overdue("FR-COSTS", 4 - day, phone="+33612345678", country="FR", timezone="Europe/Paris", language="fr")
    client.post("/api/v1/accounts", json=french, headers=AUTH)
    dutch = overdue("NL-COSTS", 4 - day, phone="+31612345678", country="NL", timezone="Europe/Amsterdam", language="nl")
    dutch["invoices"][0]["amount"] = "3000.00"
    client.post("/api/v1/accounts", json=dutch, headers=AUTH)
    with transaction(factory) as session:  # the first reminder went three days ago
        for account in session.scalars(select(Account)):
            session.add(
                OutreachContact(
                    account=account,
                    cycle=TODAY + timedelta(days=day - 4),
                    step="reminder",
                    status="sent",
                    channel="sms",
                    template="due_reminder",
                    tone="neutral",
                    send_at=moment(day - 3, 10),
                    sent_at=moment(day - 3, 10),
                )
            )
    when = moment(day, 10, 5)
    planned = plan_of(factory, settings, when)
    assert (planned["FR-COSTS"].action, planned["FR-COSTS"].rule) == ("blocked", "fees")
    campaign.run(factory, settings, when)
    with transaction(factory) as session:
        texts = {
            c.account.reference: c.text
            for c in session.scalars(select(OutreachContact).where(OutreachContact.step == "costs"))
        }
    costs_from = TODAY + timedelta(days=day + 15)  # the day after sending is day 1 of 14
    # BE-05: on €84.20 the damages are at most €20.
    assert "€20.00" in texts["BE-COSTS"] and f"rom {costs_from.day} {costs_from:%B}" in texts["BE-COSTS"]
    assert "€\xa0425,00" in texts["NL-COSTS"] and "vanaf de dag nadat dit bericht bij u is bezorgd" in texts["NL-COSTS"]
    assert texts["FR-COSTS"] == ""  # blocked, never sent
    # France goes on with the strategy: the next step comes as usual.
    later = plan_of(factory, settings, moment(next_open_day(day + 4), 10, 5))
    assert later["FR-COSTS"].step == "personal"


def test_the_rules_are_asked_again_when_the_message_leaves(client, settings, factory):
    day = next_open_day(1)
    for ref, phone in (("PAYS", "+32470000501"), ("STOPS", "+32470000502")):
        client.post("/api/v1/accounts", json=overdue(ref, 2 - day, phone=phone), headers=AUTH)
    when = moment(day, 10, 5)
    with transaction(factory) as session:
        report = campaign.make_plan(session, settings, when)
        campaign.store(session, report.planned, when)
    # Between planning and sending: one pays, the other texts STOP from another file's thread.
    link = client.post("/api/v1/accounts/PAYS/payment-links", json={}, headers=AUTH).json()
    client.post(f"/pay/{link['id']}", data={"method": "card"})
    with transaction(factory) as session:
        session.add(OptOut(account_id=None, channel="sms", address="+32 470 00 05 02"))
    campaign.run(factory, settings, when + timedelta(minutes=1))
    with transaction(factory) as session:
        rows = {c.account.reference: c for c in session.scalars(select(OutreachContact))}
        assert (rows["PAYS"].status, rows["PAYS"].rule) == ("cancelled", "paid")
        assert rows["STOPS"].status == "blocked" and rows["STOPS"].rule == "opt_out"
        assert not session.scalars(select(ContactEvent).where(ContactEvent.kind == "outreach_sent")).all()


def test_a_reminder_asks_only_for_what_is_due(client, settings, factory):
    day = next_open_day(1)
    body = overdue("TWO", 2 - day)
    body["invoices"].append(
        {
            "number": "INV-LATER",
            "amount": "400.00",
            "currency": "EUR",
            "issued_on": TODAY.isoformat(),
            "due_on": (TODAY + timedelta(days=day + 20)).isoformat(),
        }
    )
    client.post("/api/v1/accounts", json=body, headers=AUTH)
    campaign.run(factory, settings, moment(day, 10, 5))
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
        from amicable.db.models import PaymentLink

        [link] = session.scalars(select(PaymentLink)).all()
    assert "€84.20" in contact.text and "484" not in contact.text and link.amount == Decimal("84.20")


def test_a_run_planned_for_another_instant_is_judged_again_and_recorded_at_the_present(client, settings, factory):
    """`campaign run --now T` plans as of T but sends only what the rules allow at the present:
    planned at 11:00, a send at 23:00 local is deferred, not made; at noon it goes, and the
    record says noon."""
    day = next_open_day(1)
    client.post("/api/v1/accounts", json=overdue("NIGHT-1", 2 - day), headers=AUTH)
    report = campaign.run(factory, settings, moment(day, 11), sending_at=moment(day, 23))
    assert report.sent == 0
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
        assert contact.status == "deferred" and contact.reason.startswith("at sending"), contact.reason
        assert contact.sent_at is None
    report = campaign.run(factory, settings, moment(day, 11), sending_at=moment(day, 12))
    assert report.sent == 1
    with transaction(factory) as session:
        [contact] = session.scalars(select(OutreachContact)).all()
        assert contact.status == "sent"
        assert contact.sent_at.replace(tzinfo=None) == moment(day, 12).astimezone(UTC).replace(tzinfo=None)


def test_through_twilio_texts_go_as_sms_and_whatsapp_outside_its_window_as_a_template(client, settings, factory):
    from tests.conftest import TWILIO_SID, TWILIO_TOKEN
    from tests.fakes.twilio_api import FakeTwilio

    day = next_open_day(1)
    client.post("/api/v1/accounts", json=overdue("SMS-1", 2 - day, phone="+32 470 00 06 01"), headers=AUTH)
    body = overdue("WA-1", 2 - day, phone="+32470000602")
    body["consents"] = [{"channel": "whatsapp", "source": "opt_in", "wording": "WhatsApp me"}]
    client.post("/api/v1/accounts", json=body, headers=AUTH)
    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as fake:
        configured = settings.model_copy(
            update={
                "twilio_account_sid": TWILIO_SID,
                "twilio_from_number": "+3228080000",
                "twilio_api_base": fake.url,
                "whatsapp_reopen_template_sid": "HX" + "0" * 32,
            }
        )
        report = campaign.run(factory, configured, moment(day, 10, 5))
        assert report.sent == 2
        sent = {m["to"]: m for m in fake.messages}
    assert "€84.20" in sent["+32470000601"]["body"]  # E.164, whatever the file's spacing
    template = sent["whatsapp:+32470000602"]
    assert template["content_sid"] == "HX" + "0" * 32 and template["body"] == ""
