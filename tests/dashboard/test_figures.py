"""Every figure of amicable/services/figures.py against the portfolio of
tests/dashboard/portfolio.py, worked out by hand in the comments (read that module's docstring
first). A is Brightwater Energy, B Polder Telecom; the period is January to March 2026."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import pytest

from amicable.outreach import experiments
from amicable.services import figures
from amicable.services.figures import Collected, FirstMessage, Held, Scope, Share
from tests.dashboard.portfolio import END, START, TODAY, at

D = Decimal
NOW = datetime.fromisoformat("2026-12-06T12:00:00+00:00")


def scope(creditor: int | None = None, **segment: object) -> Scope:
    return Scope(creditor_id=creditor, start=START, end=END, **segment)  # type: ignore[arg-type]


def test_the_windows_are_those_of_the_ab_results():
    assert timedelta_days(experiments.REPLY_WINDOW) == figures.REPLY_DAYS == 7
    assert timedelta_days(experiments.PAY_WINDOW) == figures.PAY_DAYS == 14


def timedelta_days(window) -> int:  # type: ignore[no-untyped-def]
    return window.days


def test_amount_collected_by_month_and_week_net_of_refunds_never_across_currencies(session, ids):
    # A: P1 100 EUR (01-09); P2 50 EUR (02-05) and its refund of 20 (02-20); P3 170 EUR (03-10);
    # P4 80 GBP (03-05), in its own row.
    assert figures.collected(session, scope(ids.a)) == [
        Collected(date(2026, 1, 1), "EUR", D("100.00"), D("0.00")),
        Collected(date(2026, 2, 1), "EUR", D("50.00"), D("20.00")),
        Collected(date(2026, 3, 1), "EUR", D("170.00"), D("0.00")),
        Collected(date(2026, 3, 1), "GBP", D("80.00"), D("0.00")),
    ]
    assert figures.collected(session, scope(ids.a))[1].net == D("30.00")
    # By week, from Monday: 01-09 is a Friday (week of 01-05), 02-05 a Thursday (02-02), 02-20
    # a Friday (02-16), 03-05 a Thursday (03-02), 03-10 a Tuesday (03-09).
    weeks = figures.collected(session, scope(ids.a), by="week")
    assert [(c.period.isoformat(), c.currency, c.net) for c in weeks] == [
        ("2026-01-05", "EUR", D("100.00")),
        ("2026-02-02", "EUR", D("50.00")),
        ("2026-02-16", "EUR", D("-20.00")),
        ("2026-03-02", "GBP", D("80.00")),
        ("2026-03-09", "EUR", D("170.00")),
    ]
    # The agency sees B's 200 EUR of 01-18 too: January is 300.
    assert figures.collected(session, scope())[0] == Collected(date(2026, 1, 1), "EUR", D("300.00"), D("0.00"))
    # B's operator sees B only; February alone is A's 50 less 20.
    assert [c.net for c in figures.collected(session, scope(ids.b))] == [D("200.00")]
    assert [c.net for c in figures.collected(session, Scope(ids.a, date(2026, 2, 1), date(2026, 2, 28)))] == [
        D("30.00")
    ]


def test_segments_keep_the_accounts_of_that_language_country_or_message(session, ids):
    # French: A-2 only. Great Britain: A-4 only. Sent an SMS: A-1 and A-3 (A-3 never paid).
    assert [c.net for c in figures.collected(session, scope(ids.a, language="fr"))] == [D("30.00"), D("170.00")]
    assert [(c.currency, c.net) for c in figures.collected(session, scope(ids.a, country="GB"))] == [
        ("GBP", D("80.00"))
    ]
    assert [c.net for c in figures.collected(session, scope(ids.a, channel="sms"))] == [D("100.00")]
    # In the warm variant of the reminder test: A-2; in the neutral one: B-1, which A never sees.
    assert [c.net for c in figures.collected(session, scope(ids.a, variant="reminder-tone:warm"))] == [
        D("30.00"),
        D("170.00"),
    ]
    assert figures.collected(session, scope(ids.a, variant="reminder-tone:neutral")) == []


def test_recovery_curves_per_month_of_placement(session, ids):
    curves = figures.recovery(session, scope(ids.a), today=TODAY)
    by_cohort: dict[tuple[str, str], list[tuple[int, Decimal]]] = {}
    for point in curves:
        by_cohort.setdefault((point.cohort, point.currency), []).append((point.days, point.recovered))
    # January: A-1 (100, due 01-10) and A-2 (200, due 02-01), placed 300. A-1 paid 100 on
    # 01-09 (day 0). A-2 paid 50 on 02-05 (day 4), 20 of it went back on 02-20 (day 19), 170
    # came on 03-10 (day 37). Today is 308 days after 02-01: points up to 270, not 365.
    january = dict(by_cohort[("2026-01", "EUR")])
    assert january == {
        0: D("100.00"),
        7: D("150.00"),
        14: D("150.00"),
        30: D("130.00"),
        45: D("300.00"),
        60: D("300.00"),
        90: D("300.00"),
        120: D("300.00"),
        180: D("300.00"),
        270: D("300.00"),
    }
    first = next(p for p in curves if p.cohort == "2026-01" and p.days == 30)
    assert (first.accounts, first.placed) == (2, D("300.00")) and first.rate == pytest.approx(130 / 300)
    # February: A-3, 300 placed, nothing ever paid.
    assert {r for _, r in by_cohort[("2026-02", "EUR")]} == {D("0.00")}
    # March, in pounds: A-4 paid 80 at 23:30 UTC on its due date, 23:30 in London: day 0.
    assert by_cohort[("2026-03", "GBP")][0] == (0, D("80.00"))
    # A cohort whose accounts have not all reached a day stops before it: as of 2026-02-10,
    # January's last due date (02-01) is 9 days old.
    early = figures.recovery(session, scope(ids.a), today=date(2026, 2, 10))
    assert [(p.days, p.recovered) for p in early if p.cohort == "2026-01"] == [(0, D("100.00")), (7, D("150.00"))]


def test_paid_after_the_first_message(session, ids):
    found = figures.paid_after_first_message(session, scope(ids.a), now=NOW)
    # first message an SMS on 01-07, paid 100 on 01-09, all it owed: both.
    # first message an email on 02-02, 50 on 02-05 (within 14 days), 200 owed: something only.
    # first message an SMS on 02-12, nothing ever: neither. A-4 was never messaged.
    assert found.rows == [
        FirstMessage("email", 1, 1, 0),
        FirstMessage("sms", 2, 1, 1),
        FirstMessage("all", 3, 2, 1),
    ]
    assert found.rows[-1].paid_any_rate == pytest.approx(2 / 3) and found.waiting == 0
    # Within 30 days A-2 has paid 50 less the 20 refunded (02-20): still only something; within
    # 40 days (to 03-14 09:00) the 170 of 03-10 settles the rest: in full.
    assert figures.paid_after_first_message(session, scope(ids.a), 30, NOW).rows[0] == FirstMessage("email", 1, 1, 0)
    assert figures.paid_after_first_message(session, scope(ids.a), 40, NOW).rows[0] == FirstMessage("email", 1, 1, 1)
    # The agency also has B-1, first messaged 01-21 after its 200 of 01-18 and nothing since.
    assert figures.paid_after_first_message(session, scope(), now=NOW).rows[-1] == FirstMessage("all", 4, 2, 1)
    # The first message of each account is the one filtered: a nudge for only.
    assert figures.paid_after_first_message(session, scope(ids.a, step="nudge"), now=NOW).rows == [
        FirstMessage("sms", 2, 1, 1),
        FirstMessage("all", 2, 1, 1),
    ]
    # Seen on 2026-02-20, A-3 (02-12) has not had its 14 days: waiting, not counted.
    early = figures.paid_after_first_message(session, scope(ids.a), now=at("2026-02-20 00:00"))
    assert early.waiting == 1 and early.rows[-1] == FirstMessage("all", 2, 2, 1)


def test_reply_rate(session, ids):
    found = figures.reply_rate(session, scope(ids.a), now=NOW)
    # A-1 (SMS 01-07) answered 01-08; A-3 (SMS 02-12) never did (its web chat had no file);
    # A-2 (email 02-02) answered in the web chat on 02-03.
    assert found.rows == [Share("email", 1, 1), Share("sms", 2, 1), Share("all", 3, 2)]
    # The agency adds B-1 (SMS 01-21, answered 01-22).
    assert figures.reply_rate(session, scope(), now=NOW).rows[-1] == Share("all", 4, 3)
    assert figures.reply_rate(session, scope(ids.b), now=NOW).rows == [Share("sms", 1, 1), Share("all", 1, 1)]


def test_verified_conversations_belong_to_a_creditor_only_through_a_file(session, ids):
    # In the period the debtor wrote in: the SMS with A-1, the web chat with A-2, the
    # anonymous web chat that named A-3, the SMS with B-1, a web chat that never named a file.
    # Identity confirmed: A-1's, A-2's, B-1's.
    assert figures.verified_rate(session, scope()).rows == [
        Share("sms", 2, 2),
        Share("web", 3, 1),
        Share("all", 5, 3),
    ]
    assert figures.verified_rate(session, scope(ids.a)).rows == [
        Share("sms", 1, 1),
        Share("web", 2, 1),
        Share("all", 3, 2),
    ]
    assert figures.verified_rate(session, scope(ids.b)).rows == [Share("sms", 1, 1), Share("all", 1, 1)]
    # Any segment leaves out the conversation that never named a file; the channel is the
    # conversation's own.
    assert figures.verified_rate(session, scope(language="nl")).rows[-1] == Share("all", 2, 1)
    assert figures.verified_rate(session, scope(ids.a, channel="sms")).rows == [Share("sms", 1, 1), Share("all", 1, 1)]


def test_outcomes_of_conversations(session, ids):
    found = figures.conversation_outcomes(session, scope(ids.a))
    # A-1's SMS: a link made in it and paid. A-2's web chat: a promise. The anonymous chat
    # naming A-3: a hand-over.
    assert found.conversations == 3
    assert {r.key: r.count for r in found.rows} == {
        "paid": 1,
        "plan": 0,
        "promise": 1,
        "dispute": 0,
        "handoff": 1,
        "opt_out": 0,
        "none": 0,
    }
    # The agency: B-1's SMS adds a hand-over and an opt-out; the chat that named no file none.
    everyone = figures.conversation_outcomes(session, scope())
    assert everyone.conversations == 5
    assert {r.key: r.count for r in everyone.rows} == {
        "paid": 1,
        "plan": 0,
        "promise": 1,
        "dispute": 0,
        "handoff": 2,
        "opt_out": 1,
        "none": 1,
    }
    assert next(r for r in everyone.rows if r.key == "handoff").rate == pytest.approx(2 / 5)


def test_promises_and_plans(session, ids):
    # A: A-2's kept (02-03), A-4's broken (03-01): kept 1 of 2 decided.
    found = figures.promises(session, scope(ids.a))
    assert [(r.key, r.count) for r in found.rows] == [("kept", 1), ("broken", 1), ("pending", 0), ("replaced", 0)]
    assert found.kept_rate == 0.5
    # B: one pending, none decided.
    assert figures.promises(session, scope(ids.b)).kept_rate is None
    # A: A-3's cancelled plan and its plan with a late installment, A-4's completed plan.
    assert [(r.key, r.count) for r in figures.plans(session, scope(ids.a))] == [
        ("on_track", 0),
        ("behind", 1),
        ("completed", 1),
        ("broken", 0),
        ("cancelled", 1),
    ]
    # B-1's plan: active, its installment paid.
    assert figures.plans(session, scope(ids.b))[0] == Share("on_track", 1, 1)


def test_self_cure_before_the_due_date_nudged_or_not(session, ids):
    # Due in the period: I1 (01-10, nudged 01-07, paid 01-09: cured), I3 (02-15, nudged 02-12,
    # never paid), I2 (02-01, its reminder came after: not nudged, unpaid then), I4 (03-05, paid
    # 23:30 UTC that day, 23:30 in London: cured, not nudged).
    assert figures.self_cure(session, scope(ids.a), today=TODAY) == [
        Share("nudged", 2, 1),
        Share("not_nudged", 2, 1),
    ]
    # The agency adds J1 (01-20, 200 of 500 paid before it): not nudged, not cured.
    assert figures.self_cure(session, scope(), today=TODAY) == [Share("nudged", 2, 1), Share("not_nudged", 3, 1)]
    # Nudged by email (no one was): the SMS-nudged invoices are in neither group.
    assert figures.self_cure(session, scope(ids.a, channel="email"), today=TODAY) == [
        Share("nudged", 0, 0),
        Share("not_nudged", 2, 1),
    ]
    # An invoice not yet due is not judged: on 2026-02-15, I3 (due that day) and I4 are not.
    assert figures.self_cure(session, scope(ids.a), today=date(2026, 2, 15)) == [
        Share("nudged", 1, 1),
        Share("not_nudged", 1, 0),
    ]


def test_reasons_counted_once_per_account(session, ids):
    # A: income_loss from A-1 and A-3 (A-3 gave it twice), cash_flow from A-2, forgot from A-3;
    # three accounts gave a reason.
    assert figures.reasons(session, scope(ids.a)) == [
        Share("income_loss", 3, 2),
        Share("cash_flow", 3, 1),
        Share("forgot", 3, 1),
    ]
    # The agency adds B-1's forgot: two each, ties by name.
    assert [(r.key, r.count, r.base) for r in figures.reasons(session, scope())] == [
        ("forgot", 2, 4),
        ("income_loss", 2, 4),
        ("cash_flow", 1, 4),
    ]


def test_compliance_blocked_and_deferred_by_rule(session, ids):
    # two blocked for opt_out (02-16, 02-23), one deferred for quiet_hours (02-19); its
    # contact of 2025-12-28 is outside the period. B-1: one blocked for consent.
    assert figures.compliance(session, scope(ids.a)) == [
        Held("opt_out", "blocked", 2),
        Held("quiet_hours", "deferred", 1),
    ]
    assert figures.compliance(session, scope()) == [
        Held("opt_out", "blocked", 2),
        Held("consent", "blocked", 1),
        Held("quiet_hours", "deferred", 1),
    ]
    assert figures.compliance(session, scope(ids.a, channel="whatsapp")) == [Held("opt_out", "blocked", 1)]


def _wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson interval written out: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    z = 1.959963984540054
    p = k / n
    centre, spread = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


def test_ab_results_are_campaign_reports_scoped_with_intervals(session, ids):
    results, p_value = experiments.results, experiments.payment_rate_p_value
    everyone = figures.ab_tests(session, scope(), results, p_value)
    # neutral: B-1, answered the next day, its only payment came before the message.
    # warm: A-2, answered the next day, paid 50 three days after (02-02 09:00 to 02-05 09:00).
    assert [(v.variant, v.accounts, v.replied, v.paid, v.median_days_to_pay) for v in everyone] == [
        ("neutral", 1, 1, 0, None),
        ("warm", 1, 1, 1, 3.0),
    ]
    # 1 of 1: 1/(1+z²) to 1; 0 of 1: 0 to z²/(1+z²).
    assert everyone[1].payment_ci == pytest.approx(_wilson(1, 1))
    assert everyone[1].payment_ci == pytest.approx((1 / (1 + 1.959964**2), 1.0))
    assert everyone[0].payment_ci == pytest.approx(_wilson(0, 1))
    # Pooled rate 1/2, spread sqrt(1/4 · 2) = 0.707, z = 1/0.707 = 1.414: p = erfc(1).
    assert everyone[0].p_value == everyone[1].p_value == pytest.approx(math.erfc(1))
    # Exactly what `campaign report` counts, unscoped.
    assert [(v.variant, v.accounts, v.replied, v.paid) for v in everyone] == [
        (r.variant, r.accounts, r.replied, r.paid) for r in results(session)
    ]
    # Each creditor sees its own variant only; one variant has no p-value.
    mine = figures.ab_tests(session, scope(ids.a), results, p_value)
    assert [(v.variant, v.accounts, v.p_value) for v in mine] == [("warm", 1, None)]
    assert [v.variant for v in figures.ab_tests(session, scope(ids.b), results, p_value)] == ["neutral"]
    # Outside the period, nothing; and the scoping is gone once the figure is made.
    assert figures.ab_tests(session, Scope(ids.a, date(2026, 4, 1), date(2026, 4, 30)), results, p_value) == []
    assert len(results(session)) == 2


def test_the_filters_offer_only_the_creditors_own_values(session, ids):
    mine = figures.options(session, ids.a)
    assert mine.creditors == [(ids.a, "Brightwater Energy")]
    assert mine.variants == ["reminder-tone:warm"]
    assert mine.steps == ["nudge", "personal", "plan-offer", "reminder", "second-reminder"]
    assert mine.languages == ["en", "fr", "nl"] and mine.countries == ["BE", "GB", "NL"]
    assert set(mine.channels) == {"email", "sms", "web", "whatsapp"}
    everyone = figures.options(session, None)
    assert [name for _, name in everyone.creditors] == ["Brightwater Energy", "Polder Telecom"]
    assert everyone.variants == ["reminder-tone:neutral", "reminder-tone:warm"]


def test_a_link_made_in_a_conversation_and_paid_is_its_paid_outcome(settings):
    """Through the services that write the contact log, so a change of its wording (which the
    figure reads the link from) fails here."""
    from amicable.db.session import make_engine, make_sessionmaker, transaction
    from amicable.services import conversations, payments
    from amicable.services.accounts import upsert_account
    from amicable.services.shapes import AccountIn
    from tests.factories import account_body

    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        account, _, _ = upsert_account(session, AccountIn.model_validate(account_body()))
        conversation = conversations.get_or_create(session, "web-pays", "web")
        conversations.record_message(session, conversation, "debtor", "I'd like to pay now")
        link = payments.create_payment_link(session, settings, account, conversation_id="web-pays")
        unpaid = payments.create_payment_link(session, settings, account, conversation_id="web-pays", purpose="installment")  # fmt: skip
        assert unpaid.id != link.id
        payments.book_payment(session, settings, account, link.amount, "local", None, "through the pay page", link=link)
    today = datetime.now(NOW.tzinfo).date()
    with factory() as session:
        found = figures.conversation_outcomes(session, Scope(start=today, end=today))
    engine.dispose()
    assert found.conversations == 1 and found.rows[0] == Share("paid", 1, 1)
