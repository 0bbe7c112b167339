"""The rules every outbound contact passes, on the research's own test cases
(../shared/research/compliance.md §2) where they exist."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from amicable.compliance.fees import be_damages_cap, collection_costs, nl_bik
from amicable.compliance.gate import Facts, Past, candidate_zones, check, earliest
from amicable.compliance.rules import Rulebook
from amicable.settings import ROOT
from amicable.yaml_source import SourceError

BOOK = Rulebook(ROOT / "policies" / "compliance")


def at(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def facts(country: str, zone: str, **extra) -> Facts:
    return Facts(country=country, zones=(zone,), addresses={"sms": "+32470123456", "voice": "+32470123456"}, **extra)


@pytest.mark.parametrize(
    "moment, allowed",
    [
        ("2026-12-01 06:59", False),
        ("2026-12-01 07:00", True),
        ("2026-12-01 19:59", True),
        ("2026-12-01 20:00", False),
        ("2026-12-06 12:00", False),  # a Sunday
        ("2026-04-27 12:00", False),  # King's Day
        ("2026-12-25 12:00", False),
        ("2026-04-06 12:00", False),  # Easter Monday
    ],
)
def test_netherlands_window_sundays_and_holidays(moment, allowed):
    rules = BOOK.for_country("NL")
    decision = check(rules, facts("NL", "Europe/Amsterdam"), "sms", at(moment, "Europe/Amsterdam"))
    assert decision.allowed is allowed, decision


def test_a_belgian_debtor_at_half_past_seven_is_deferred_to_eight():
    rules = BOOK.for_country("BE")
    debtor = facts("BE", "Europe/Brussels")
    decision = check(rules, debtor, "sms", at("2026-12-01 07:30", "Europe/Brussels"))
    assert not decision.allowed and decision.rule == "contact_hours"
    moment, why = earliest(rules, debtor, "sms", at("2026-12-01 07:30", "Europe/Brussels"))
    assert moment == at("2026-12-01 08:00", "Europe/Brussels") and why.rule == "contact_hours"


def test_us_window_in_honolulu_and_the_most_restrictive_zone():
    rules = BOOK.for_country("US")
    hawaii = Facts("US", ("Pacific/Honolulu",), {"sms": "+18085550100"}, consents=frozenset({"sms"}))
    assert check(rules, hawaii, "sms", at("2026-12-01 20:59", "Pacific/Honolulu")).allowed
    assert not check(rules, hawaii, "sms", at("2026-12-01 21:00", "Pacific/Honolulu")).allowed
    assert not check(rules, hawaii, "sms", at("2026-12-01 07:59", "Pacific/Honolulu")).allowed
    # Area code 212 (New York) but an address in California: both windows must hold.
    zones = candidate_zones("America/Los_Angeles", "+12125550100", rules)
    assert set(zones) == {"America/Los_Angeles", "America/New_York"}
    both = Facts("US", zones, {"sms": "+12125550100"}, consents=frozenset({"sms"}))
    assert not check(rules, both, "sms", at("2026-12-01 08:30", "America/New_York")).allowed
    assert check(rules, both, "sms", at("2026-12-01 11:05", "America/New_York")).allowed


def test_dst_is_followed_in_new_york():
    rules = BOOK.for_country("US")
    ny = Facts("US", ("America/New_York",), {"sms": "+12125550100"}, consents=frozenset({"sms"}))
    # 8 March 2026: clocks go forward; 08:00 local is 12:00 UTC that day, 13:00 UTC the day before.
    assert check(rules, ny, "sms", datetime(2026, 3, 8, 12, 0, tzinfo=UTC)).allowed
    assert not check(rules, ny, "sms", datetime(2026, 3, 7, 12, 59, tzinfo=UTC)).allowed


def test_opt_outs_consent_holds_and_cease_block_without_retry():
    rules = BOOK.for_country("BE")
    noon = at("2026-12-01 12:00", "Europe/Brussels")
    for debtor, rule in [
        (facts("BE", "Europe/Brussels", opted_out=frozenset({"sms"})), "opt_out"),
        (facts("BE", "Europe/Brussels", cease=True), "cease_request"),
        (facts("BE", "Europe/Brussels", open_dispute=True), "dispute"),
        (facts("BE", "Europe/Brussels", on_hold=True), "hold"),
    ]:
        decision = check(rules, debtor, "sms", noon)
        assert (decision.allowed, decision.rule, decision.retry_at) == (False, rule, None)
    assert check(rules, facts("BE", "Europe/Brussels"), "whatsapp", noon).rule == "no_address"
    debtor = facts("BE", "Europe/Brussels")
    debtor.addresses["whatsapp"] = "+32470123456"
    assert check(rules, debtor, "whatsapp", noon).rule == "consent"
    debtor.consents = frozenset({"whatsapp"})
    assert check(rules, debtor, "whatsapp", noon).allowed


def test_breathing_space_defers_to_its_end_inside_the_window():
    rules = BOOK.for_country("GB")
    debtor = Facts("GB", ("Europe/London",), {"sms": "+447700900123"}, hold_until=date(2026, 12, 15))
    moment, why = earliest(rules, debtor, "sms", at("2026-12-01 12:00", "Europe/London"))
    assert why.rule == "hold_until" and moment == at("2026-12-15 08:00", "Europe/London")


def test_us_seven_calls_in_seven_days_and_a_week_after_a_conversation():
    rules = BOOK.for_country("US")
    base = at("2026-12-01 10:00", "America/New_York")
    calls = [Past(base + timedelta(days=d, hours=d % 3), "voice", "call") for d in range(7)]
    debtor = Facts("US", ("America/New_York",), {"voice": "+12125550100"}, consents=frozenset({"voice"}), history=calls)
    eighth = base + timedelta(days=6, hours=5)
    decision = check(rules, debtor, "voice", eighth, "call")
    assert decision.rule == "calls_per_week" and decision.retry_at == calls[0].at + timedelta(days=7)
    # A conversation on Monday 7 Dec: no call until Monday 14 Dec (day 8).
    talked = Facts(
        "US",
        ("America/New_York",),
        {"voice": "+12125550100"},
        consents=frozenset({"voice"}),
        last_call_talk_at=at("2026-12-07 15:00", "America/New_York"),
    )
    assert check(rules, talked, "voice", at("2026-12-13 12:00", "America/New_York"), "call").rule == (
        "calls_after_conversation"
    )
    assert check(rules, talked, "voice", at("2026-12-14 12:00", "America/New_York"), "call").allowed


def test_message_caps_per_day_week_and_channel():
    rules = BOOK.for_country("BE")
    noon = at("2026-12-02 12:00", "Europe/Brussels")
    debtor = facts("BE", "Europe/Brussels", history=[Past(noon - timedelta(hours=2), "sms")])
    decision = check(rules, debtor, "voice", noon)
    assert decision.rule == "cap_per_day" and decision.retry_at == at("2026-12-03 00:00", "Europe/Brussels")
    moment, _ = earliest(rules, debtor, "sms", noon)
    assert moment == at("2026-12-03 08:00", "Europe/Brussels")
    three = [Past(noon - timedelta(days=d), "sms") for d in (1, 2, 3)]
    assert check(rules, facts("BE", "Europe/Brussels", history=three), "voice", noon).rule == "cap_per_week"
    two = [Past(noon - timedelta(days=d), "sms") for d in (1, 2)]
    assert check(rules, facts("BE", "Europe/Brussels", history=two), "sms", noon).rule == "cap_per_channel"


def test_quiet_days_after_the_debtor_was_in_touch_and_debtor_hours():
    rules = BOOK.for_country("BE")
    noon = at("2026-12-02 12:00", "Europe/Brussels")
    debtor = facts("BE", "Europe/Brussels", last_talk_at=noon - timedelta(days=1))
    moment, why = earliest(rules, debtor, "sms", noon)
    assert why.rule == "after_conversation" and moment == noon + timedelta(days=1)
    evening = facts("BE", "Europe/Brussels", preferred_hours="18:00-21:00")
    moment, why = earliest(rules, evening, "sms", noon)
    assert why.rule == "debtor_hours" and moment == at("2026-12-02 18:00", "Europe/Brussels")
    never = facts("BE", "Europe/Brussels", preferred_hours="21:00-23:00")
    assert earliest(rules, never, "sms", noon)[0] is None


@pytest.mark.parametrize(
    "principal, cap",
    [
        ("100", "20"),
        ("150", "20"),
        ("150.01", "30.00"),
        ("400", "55"),
        ("500", "65"),
        ("1000", "90"),
        ("38200", "1950"),
        ("40000", "2000"),
    ],
)
def test_belgian_damages_caps(principal, cap):
    assert be_damages_cap(Decimal(principal)) == Decimal(cap)


@pytest.mark.parametrize(
    "principal, bik",
    [
        ("100", "40"),
        ("267", "40.05"),
        ("2500", "375"),
        ("3000", "425"),
        ("10000", "875"),
        ("200000", "2775"),
        ("1000000", "6775"),
    ],
)
def test_dutch_statutory_collection_costs(principal, bik):
    assert nl_bik(Decimal(principal)) == Decimal(bik)


def test_when_costs_may_be_charged():
    principal = Decimal("400")
    assert collection_costs("be_book_xix", principal, None, date(2024, 9, 30)).amount == 0  # first reminder free
    sent = date(2024, 9, 2)  # an e-mail reminder on Monday 2 Sep 2024: damages from 17 Sep
    assert collection_costs("be_book_xix", principal, sent, date(2024, 9, 16)).amount == 0
    assert collection_costs("be_book_xix", principal, sent, date(2024, 9, 17)).amount == Decimal("55.00")
    assert collection_costs("nl_bik", principal, date(2024, 9, 2), date(2024, 9, 16)).amount == 0
    assert collection_costs("nl_bik", principal, date(2024, 9, 2), date(2024, 9, 17)).amount == Decimal("60.00")
    assert collection_costs("none", principal, sent, date(2025, 1, 1)).amount == 0


def test_a_country_file_with_a_mistake_is_refused_with_its_line(tmp_path: Path):
    for path in (ROOT / "policies" / "compliance").glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "BE.yml").write_text("timezone: Europe/Brussels\ncontact_hours:\n  mon: '20:00-08:00'\n")
    with pytest.raises(SourceError, match=r"BE.yml line 2: contact_hours: mon"):
        Rulebook(tmp_path)
    (tmp_path / "BE.yml").write_text("timezone: Europe/Brussels\ncaps:\n  calls_per_wek: 3\n")
    with pytest.raises(SourceError, match=r"BE.yml line 3: caps.calls_per_wek: unknown key"):
        Rulebook(tmp_path)
    (tmp_path / "BE.yml").write_text("notices:\n  first: [lawyer_letter]\n")
    with pytest.raises(SourceError, match="lawyer_letter"):
        Rulebook(tmp_path)


def test_a_week_is_168_hours_across_a_clock_change_and_dutch_liberation_day():
    rules = BOOK.for_country("NL")
    # Clocks go back on 25 October 2026: three messages from Tuesday 20 Oct at 12:00 (10:00
    # UTC). A week later 10:30 on the clock is only 167.5 hours on; 11:00 is the full 168.
    first = at("2026-10-20 12:00", "Europe/Amsterdam")
    history = [Past(first + timedelta(days=d), "sms") for d in (0, 1, 2)]
    debtor = Facts(
        "NL",
        ("Europe/Amsterdam",),
        {"sms": "+31612345678", "whatsapp": "+31612345678"},
        consents=frozenset({"whatsapp"}),
        history=history,
    )
    assert check(rules, debtor, "whatsapp", at("2026-10-27 10:30", "Europe/Amsterdam")).rule == "cap_per_week"
    assert check(rules, debtor, "whatsapp", at("2026-10-27 11:00", "Europe/Amsterdam")).allowed
    assert check(rules, facts("NL", "Europe/Amsterdam"), "sms", at("2026-05-05 12:00", "Europe/Amsterdam")).rule == (
        "public_holiday"
    )


def test_a_zone_from_another_country_is_not_trusted_alone():
    rules = BOOK.for_country("US")
    zones = candidate_zones("Europe/Brussels", None, rules)
    assert "America/New_York" in zones and "Pacific/Honolulu" in zones
    debtor = Facts("US", zones, {"sms": "+12125550100"}, consents=frozenset({"sms"}))
    # 09:00 in Brussels is 03:00 in New York: not a time to text anyone in the US.
    assert not check(rules, debtor, "sms", at("2026-12-01 09:00", "Europe/Brussels")).allowed
    moment, _ = earliest(rules, debtor, "sms", at("2026-12-01 09:00", "Europe/Brussels"))
    assert moment is not None and all(
        8 <= moment.astimezone(ZoneInfo(z)).hour < 21 for z in ("America/New_York", "Pacific/Honolulu")
    )
