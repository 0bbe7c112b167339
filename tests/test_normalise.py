"""The normaliser of amounts and dates (actions/normalise) in English, French and Dutch. It
lives in the action server, so one subprocess in the Rasa environment reads every case of this
module and the tests compare. The gold lists in tests/normaliser are measured, not asserted, by
bot/normaliser_eval.py."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal

import pytest

from amicable.paths import RASA_BIN, ROOT
from amicable.runtime.model import rasa_env

TODAY = "2026-11-23"  # a Monday
TIMEZONE = "Europe/Brussels"

# parse_future_date: what a promise to pay can be, today or later (the first block is the
# behaviour the action server had before the normaliser).
FUTURE = [
    ("I can pay next Friday", "en", "2026-11-27"),
    ("friday next week", "en", "2026-12-04"),
    ("on the 28th", "en", "2026-11-28"),
    ("the 5th", "en", "2026-12-05"),
    ("end of the month", "en", "2026-11-30"),
    ("I get paid on the 25th, I will pay then", "en", "2026-11-25"),
    ("je peux payer vendredi", "fr", "2026-11-27"),
    ("je peux payer le 12 décembre", "fr", "2026-12-12"),
    ("fin du mois", "fr", "2026-11-30"),
    ("le 5", "fr", "2026-12-05"),
    ("dans deux semaines", "fr", "2026-12-07"),
    ("ik kan volgende week vrijdag betalen", "nl", "2026-12-04"),
    ("volgende vrijdag", "nl", "2026-11-27"),
    ("de 28ste", "nl", "2026-11-28"),
    ("eind van de maand", "nl", "2026-11-30"),
    ("I can pay", "en", None),
    ("yes", "en", None),
    ("je peux payer", "fr", None),
    ("ik kan betalen", "nl", None),
    ("yesterday", "en", None),
    ("le 12 novembre", "fr", "2027-11-12"),
    ("cette semaine", "fr", "2026-11-23"),
    ("this month", "en", "2026-11-23"),
    ("last Friday", "en", None),
    ("I can pay 50 euros on Friday", "en", "2026-11-27"),
    ("je vous dois 250 euros", "fr", None),
    ("over twee weken", "nl", "2026-12-07"),
    ("on the 23rd", "en", "2026-11-23"),
    ("my number is 0470 12 34 56", "en", None),
    ("in 2027", "en", "2027-01-01"),
    ("Nov 2nd", "en", "2027-11-02"),
    ("end of the month", "en", "2026-11-30"),
    ("today", "en", "2026-11-23"),
    ("vandaag", "nl", "2026-11-23"),
    ("maandag", "nl", "2026-11-30"),
]

# parse_date: the general reading, past when the text says so.
DATES = [
    ("the 3rd", "en", "2026-12-03"),
    ("March 3rd", "en", "2027-03-03"),
    ("Nov 2nd", "en", "2026-11-02"),
    ("Tuesday, 1 December", "en", "2026-12-01"),
    ("Wednesday 1 December", "en", "2027-12-01"),
    ("last 20th", "en", "2026-11-20"),
    ("last month", "en", "2026-10-01"),
    ("three months ago", "en", "2026-08-23"),
    ("in a month", "en", "2026-12-23"),
    ("next year", "en", "2027-01-01"),
    ("l'année prochaine", "fr", "2027-01-01"),
    ("volgend jaar", "nl", "2027-01-01"),
    ("il y a deux semaines", "fr", "2026-11-09"),
    ("twee weken geleden", "nl", "2026-11-09"),
    ("vorige maand", "nl", "2026-10-01"),
    ("le mois dernier", "fr", "2026-10-01"),
    ("samedi dernier", "fr", "2026-11-21"),
    ("vorige zaterdag", "nl", "2026-11-21"),
    ("ce week-end", "fr", "2026-11-28"),
    ("this weekend", "en", "2026-11-28"),
    ("end of the week", "en", "2026-11-27"),
    ("fin de la semaine", "fr", "2026-11-27"),
    ("the 31st", "en", "2026-12-31"),
    ("29/02", "fr", "2028-02-29"),
    ("12/25/2026", "en", "2026-12-25"),
    ("2026-12-24", "en", "2026-12-24"),
    ("le 1er", "fr", "2026-12-01"),
    ("op de 1ste", "nl", "2026-12-01"),
    ("I paid on the second", "en", "2026-12-02"),
    ("my first payment", "en", None),
    ("a second payment of 50 euros", "en", None),
    ("I have 2 kids", "en", None),
    ("call me at 5", "en", None),
    ("vrijdag over een week", "nl", "2026-12-04"),
    ("over een maand", "nl", "2026-12-23"),
    ("dans un mois", "fr", "2026-12-23"),
    ("d'ici la fin du mois", "fr", "2026-11-30"),
    ("tegen het einde van de maand", "nl", "2026-11-30"),
    ("by the end of next week", "en", "2026-12-04"),
    ("mid next month", "en", "2026-12-15"),
    ("half januari", "nl", "2027-01-15"),
    ("eind januari", "nl", "2027-01-31"),
    ("fin janvier", "fr", "2027-01-31"),
    ("December", "en", "2026-12-01"),
    ("in May", "en", "2027-05-01"),
    ("I may pay later", "en", None),
    ("in 2025", "en", "2025-01-01"),
    ("I owe 2026 euros", "en", None),
    ("gisteravond", "nl", "2026-11-22"),
    ("hier soir", "fr", "2026-11-22"),
    ("ik ben hier", "nl", None),
    ("dans huit jours", "fr", "2026-11-30"),
    ("tomorrow or the day after", "en", "2026-11-24"),
    ("le 5 du mois prochain", "fr", "2026-12-05"),
    ("the 10th of next month", "en", "2026-12-10"),
    ("de 10de van volgende maand", "nl", "2026-12-10"),
    ("Friday the 4th", "en", "2026-12-04"),
    ("vendredi 4", "fr", "2026-12-04"),
    ("vendredi 4 décembre", "fr", "2026-12-04"),
    ("tonight at 8", "en", "2026-11-23"),
    ("yesterday i paid 20 euros", "en", "2026-11-22"),
    ("ik betaal om 14u", "nl", None),
    ("the twenty-first", "en", "2026-12-21"),
    ("on the first", "en", "2026-12-01"),
    ("le premier", "fr", "2026-12-01"),
    ("de eerste", "nl", "2026-12-01"),
    ("vijf december", "nl", "2026-12-05"),
    ("le vingt-huit", "fr", "2026-11-28"),
    ("de achtentwintigste", "nl", "2026-11-28"),
    ("27.11.2026", "nl", "2026-11-27"),
    ("27/11/26", "fr", "2026-11-27"),
    ("1er décembre 2026", "fr", "2026-12-01"),
    ("Dec. 5th, 2026", "en", "2026-12-05"),
    ("5 déc.", "fr", "2026-12-05"),
    ("this coming Friday", "en", "2026-11-27"),
    ("aanstaande vrijdag", "nl", "2026-11-27"),
    ("komende maandag", "nl", "2026-11-30"),
    ("vendredi qui vient", "fr", "2026-11-27"),
    ("le vendredi 27", "fr", "2026-11-27"),
    ("I can pay 100 euros on the 28th", "en", "2026-11-28"),
    ("je paie le 28, 100 euros", "fr", "2026-11-28"),
    ("in 2 months", "en", "2027-01-23"),
    ("a year ago", "en", "2025-11-23"),
    ("een jaar geleden", "nl", "2025-11-23"),
    ("il y a un an", "fr", "2025-11-23"),
    ("next Monday", "en", "2026-11-30"),
    ("maandag", "nl", "2026-11-30"),
    ("lundi", "fr", "2026-11-30"),
    ("ik kan morgen 50 euro betalen", "nl", "2026-11-24"),
    ("volgende week dinsdag", "nl", "2026-12-01"),
    ("begin januari", "nl", "2027-01-01"),
    ("early January", "en", "2027-01-01"),
    ("end of December", "en", "2026-12-31"),
    ("fin décembre", "fr", "2026-12-31"),
    ("eind november", "nl", "2026-11-30"),
    ("start of next year", "en", "2027-01-01"),
    ("in het begin van volgende maand", "nl", "2026-12-01"),
    ("au début du mois prochain", "fr", "2026-12-01"),
    ("à la fin du mois", "fr", "2026-11-30"),
    ("en fin de mois", "fr", "2026-11-30"),
    ("eind volgende week", "nl", "2026-12-04"),
    ("la semaine d'après", "fr", "2026-11-30"),
    ("mardi prochain", "fr", "2026-11-24"),
    ("na het weekend", "nl", "2026-11-30"),
    ("le jeudi 26 novembre", "fr", "2026-11-26"),
    ("jeudi 26/11", "fr", "2026-11-26"),
    ("donderdag 26 november", "nl", "2026-11-26"),
    ("on the 26th of November", "en", "2026-11-26"),
    ("I get paid on Friday so I can pay on the 1st", "en", "2026-11-27"),
    ("I'll pay on Thursday", "en", "2026-11-26"),
    ("first thing tomorrow", "en", "2026-11-24"),
    ("the 30th of this month", "en", "2026-11-30"),
    ("early next month", "en", "2026-12-01"),
    ("by the 15th of December", "en", "2026-12-15"),
    ("in about a week", "en", "2026-11-30"),
    ("on Wednesday next week", "en", "2026-12-02"),
    ("a couple of days ago", "en", None),
    ("the 2nd of January", "en", "2027-01-02"),
    ("3 weeks from now", "en", "2026-12-14"),
    ("end of next week", "en", "2026-12-04"),
    ("jeudi prochain", "fr", "2026-11-26"),
    ("le 10 du mois prochain", "fr", "2026-12-10"),
    ("d'ici vendredi", "fr", "2026-11-27"),
    ("lundi 30 novembre", "fr", "2026-11-30"),
    ("avant la fin de l'année", "fr", "2026-12-31"),
    ("la semaine dernière", "fr", "2026-11-16"),
    ("dans une quinzaine de jours", "fr", "2026-12-07"),
    ("le 2 janvier", "fr", "2027-01-02"),
    ("mercredi", "fr", "2026-11-25"),
    ("ik betaal donderdag", "nl", "2026-11-26"),
    ("op 15 december", "nl", "2026-12-15"),
    ("eind december", "nl", "2026-12-31"),
    ("volgende week woensdag", "nl", "2026-12-02"),
    ("over drie weken", "nl", "2026-12-14"),
    ("vorige week", "nl", "2026-11-16"),
    ("begin januari", "nl", "2027-01-01"),
    ("op de tiende", "nl", "2026-12-10"),
    ("de 1ste van volgende maand", "nl", "2026-12-01"),
    ("tegen vrijdag", "nl", "2026-11-27"),
    # An answer is read up to 200 characters once spaces are collapsed (amounts.answer_too_long),
    # wherever the date is in it; a longer message is no answer, and the bot asks again.
    (
        "Ik heb het moeilijk sinds mijn scheiding en ik moet ook nog de huur en de school van de kinderen "
        "betalen, maar ik kan op de 28ste betalen.",
        "nl",
        "2026-11-28",
    ),
    ("je vous paierai le 5, " + "dès que mon salaire sera versé sur mon compte, " * 4, "fr", None),
    ("on the\n\n" + " " * 300 + "28th", "en", "2026-11-28"),
]

# parse_amount: (text, language, value, currency); value None when no amount is named.
AMOUNTS = [
    ("tweehonderdvijftig is te veel, maar veertig lukt wel", "nl", "40", None),
    ("100 is too much for me but I could do 30", "en", "30", None),
    ("cent euros c'est trop, mais vingt ça va", "fr", "20", None),
    ("I owe €120 but I can pay 40 a month", "en", "40", None),
    ("I can pay 40 but not €120", "en", "40", None),
    ("ik kan 30 euro betalen, niet 50", "nl", "30", "EUR"),
    ("£1,234", "en", "1234", "GBP"),
    ("I can pay 50 now and 50 next month", "en", "50", None),
    ("I have 2 kids but I can pay 40", "en", "40", None),
    ("j'ai 3 enfants, je peux payer 40", "fr", "40", None),
    ("my pin is 1234", "en", None, None),
    ("at 5 pm", "en", None, None),
    ("12:50", "en", None, None),
    ("+32 470 12 34 56", "en", None, None),
    ("my file is DEMO-1001", "en", None, None),
    ("I can pay €20 on the 5th", "en", "20", "EUR"),
    ("50$", "en", "50", "USD"),
    ("$7.5", "en", "7.5", "USD"),
    ("USD 1,000.50", "en", "1000.50", "USD"),
    ("I owe GBP 300", "en", "300", "GBP"),
    ("quatre-vingt-dix-neuf euros", "fr", "99", "EUR"),
    ("nonante-neuf euros", "fr", "99", "EUR"),
    ("vingt balles", "fr", "20", "EUR"),
    ("septante", "fr", "70", None),
    ("vierhonderd euro", "nl", "400", "EUR"),
    ("drieduizend", "nl", "3000", None),
    ("honderdtwintig euro", "nl", "120", "EUR"),
    ("5,5 euros", "fr", "5.5", "EUR"),
    ("€ 1 000", "fr", "1000", "EUR"),
    ("1.000.000 euro", "nl", "1000000", "EUR"),
    ("0,50 €", "fr", "0.50", "EUR"),
    ("I can pay 25%", "en", None, None),
    ("2 x 50 euros", "en", "50", "EUR"),
    ("eur50", "en", "50", "EUR"),
    ("50 euros par mois pendant 6 mois", "fr", "50", "EUR"),
    ("I'll pay 100 on 1 December", "en", "100", None),
    ("le 15 je peux payer 30", "fr", "30", None),
    ("I can pay 40 on the 5th and 60 on the 20th", "en", "40", None),
    ("twee euro", "nl", "2", "EUR"),
    ("deux euros", "fr", "2", "EUR"),
    ("a tenner", "en", None, None),
    ("I can pay 1.5k", "en", "1500", None),
    ("je peux payer 50 euros dans 2 semaines", "fr", "50", "EUR"),
    ("ik kan 50 euro betalen binnen 3 dagen", "nl", "50", "EUR"),
    ("€30,-", "nl", "30", "EUR"),
    ("I can do 20 quid a week", "en", "20", "GBP"),
    ("vijftig", "nl", "50", None),
    ("zeg maar 60", "nl", "60", None),
    ("I'll send 75.00", "en", "75.00", None),
    ("1,234.56", "en", "1234.56", None),
    ("dix euros cinquante", "fr", "10.50", "EUR"),
    ("honderd vijftig euro", "nl", "150", "EUR"),
    ("I can pay two hundred", "en", "200", None),
    ("seventy five pounds", "en", "75", "GBP"),
    ("I can pay you 45 dollars", "en", "45", "USD"),
    ("€1.234,56", "nl", "1234.56", "EUR"),
    ("mijn rekeningnummer is BE68 5390 0754 7034 en ik betaal 25 euro", "nl", "25", "EUR"),
    ("mon code postal est 1000", "fr", None, None),
    ("I'm 45 years old", "en", None, None),
    ("ik betaal 30 euro per maand gedurende 12 maanden", "nl", "30", "EUR"),
    ("I can only pay 10 a week for 3 weeks", "en", "10", None),
    ("I could manage about 80 euros", "en", "80", "EUR"),
    ("can i send you £45 every fortnight", "en", "45", "GBP"),
    ("what about 30 each week", "en", "30", None),
    ("I'll transfer a hundred and twenty euros", "en", "120", "EUR"),
    ("max 60€/month", "en", "60", "EUR"),
    ("I can afford €15 a week, not more", "en", "15", "EUR"),
    ("is 250 ok?", "en", "250", None),
    ("I only have 12,75 on my account", "nl", "12.75", None),
    ("ik kan maximum 40 euro per maand missen", "nl", "40", "EUR"),
    ("zou 35 euro per week gaan?", "nl", "35", "EUR"),
    ("ik betaal honderdtwintig euro op de eerste van de maand", "nl", "120", "EUR"),
    ("elke maand zestig euro", "nl", "60", "EUR"),
    ("vijfenzeventig euro", "nl", "75", "EUR"),
    ("€ 1.250,00", "nl", "1250.00", "EUR"),
    ("je peux vous faire un virement de 150 euros", "fr", "150", "EUR"),
    ("quatre-vingt-cinq euros par mois", "fr", "85", "EUR"),
    ("septante euros par mois ça irait ?", "fr", "70", "EUR"),
    ("je peux mettre trente euros", "fr", "30", "EUR"),
    ("200 € le 5 décembre", "fr", "200", "EUR"),
    ("je peux payer 1 500 €", "fr", "1500", "EUR"),
    ("pas plus de 40 balles", "fr", "40", "EUR"),
    ("nonante-cinq", "fr", "95", None),
    ("I have three kids and can pay 25 a month", "en", "25", None),
    ("I paid 60 on the 3rd", "en", "60", None),
    ("j'ai déjà payé 300 euros le mois dernier", "fr", "300", "EUR"),
    ("my phone is 0475 55 66 77", "en", None, None),
    ("I'll call you at 10", "en", None, None),
    # An answer is read up to 200 characters once spaces are collapsed (amounts.answer_too_long),
    # wherever the amount is in it; a longer message is no answer, and the bot asks again.
    (
        "I lost my job in the spring and my partner is ill, so money is tight at home and I have other bills "
        "to pay first. But I can pay 40 euros a month from December on.",
        "en",
        "40",
        "EUR",
    ),
    ("I can pay 50 euros, " + "that is really all I have left after the rent, " * 4, "en", None, None),
    ("50\n\n" + " " * 300 + "euros", "en", "50", "EUR"),
    ("50e par mois", "fr", "50", "EUR"),
    ("le 5e", "fr", None, None),
    ("1 " * 1000, "en", None, None),
]

# amount_role: what a sum in a request for a plan stands for. Only "monthly" is an offer.
ROLES = [
    ("je voudrais un plan de paiement pour ma dette de 1.234,56 €", "fr", "total"),
    ("can we split the 750 into monthly payments?", "en", "unknown"),
    ("I owe 600 but could do 50/month", "en", "monthly"),
    ("I can do 50 a month", "en", "monthly"),
    ("cinquante euros par mois", "fr", "monthly"),
    ("des mensualités de 60 €", "fr", "monthly"),
    ("ik kan vijfentwintig euro per maand", "nl", "monthly"),
    ("mijn schuld van 900 euro in delen betalen", "nl", "total"),
    ("I can pay 100 today and the rest later", "en", "today"),
    ("could I pay 40", "en", "unknown"),
]

SCRIPT = """
import json, sys
from datetime import date
from actions.normalise import amount_role, parse_amount, parse_date, parse_future_date

cases = json.load(sys.stdin)
today = date.fromisoformat(cases["today"])
tz = cases["timezone"]
iso = lambda d: d.isoformat() if d else None
amount = lambda a: None if a is None else [str(a.value), a.currency, type(a.value).__name__]
print(json.dumps({
    "future": [iso(parse_future_date(t, today, l, tz)) for t, l, _ in cases["future"]],
    "dates": [iso(parse_date(t, today, l, tz)) for t, l, _ in cases["dates"]],
    "amounts": [amount(parse_amount(t, l)) for t, l, _, _ in cases["amounts"]],
    "roles": [amount_role(t, l) for t, l, _ in cases["roles"]],
}))
"""


@pytest.fixture(scope="module")
def parsed() -> dict[str, list]:
    cases = {"today": TODAY, "timezone": TIMEZONE, "future": FUTURE, "dates": DATES, "amounts": AMOUNTS, "roles": ROLES}
    result = subprocess.run(
        [str(RASA_BIN / "python"), "-W", "ignore", "-c", SCRIPT],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=rasa_env(),
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("index", "text", "language", "expected"), [(i, *case) for i, case in enumerate(FUTURE)])
def test_promise_dates_are_today_or_later(parsed, index, text, language, expected):
    assert parsed["future"][index] == expected


@pytest.mark.parametrize(("index", "text", "language", "expected"), [(i, *case) for i, case in enumerate(DATES)])
def test_dates_read_as_people_mean_them(parsed, index, text, language, expected):
    assert parsed["dates"][index] == expected


@pytest.mark.parametrize(
    ("index", "text", "language", "value", "currency"), [(i, *case) for i, case in enumerate(AMOUNTS)]
)
def test_amounts_are_exact_decimals_with_their_currency(parsed, index, text, language, value, currency):
    got = parsed["amounts"][index]
    if value is None:
        assert got is None
    else:
        assert got is not None
        assert (Decimal(got[0]), got[1], got[2]) == (Decimal(value), currency, "Decimal")


@pytest.mark.parametrize(("index", "text", "language", "expected"), [(i, *case) for i, case in enumerate(ROLES)])
def test_a_total_or_a_sum_for_today_is_not_a_monthly_offer(parsed, index, text, language, expected):
    assert parsed["roles"][index] == expected
