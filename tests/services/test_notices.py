"""The notices a plan sends by itself, in the debtor's language and locale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from amicable.services import notices


@pytest.mark.parametrize(
    ("language", "country", "text"),
    [
        (
            "fr",
            "BE",
            "Bonjour Sam, petit rappel : la mensualité 2 de votre plan avec Brightwater Energy, 1\u202f234,50\xa0€, "
            "arrive à échéance le 3 mai 2027. Vous pouvez la payer ici : https://pay.example/x",
        ),
        (
            "nl",
            "BE",
            "Hallo Sam, een herinnering: termijn 2 van uw regeling met Brightwater Energy, €\xa01.234,50, "
            "vervalt op 3 mei 2027. U kunt hem hier betalen: https://pay.example/x",
        ),
        (
            "en",
            "US",
            "Hello Sam, a reminder that installment 2 of your plan with Brightwater Energy, €1,234.50, "
            "is due on May 3, 2027. You can pay it here: https://pay.example/x",
        ),
    ],
)
def test_a_reminder_is_written_in_the_debtors_language_and_format(load, language, country, text):
    account = load(language=language, country=country, postcode="10001" if country == "US" else "1000")
    rendered = notices.render(
        "installment_reminder", account, 2, Decimal("1234.50"), date(2027, 5, 3), "https://pay.example/x"
    )
    assert rendered == text


def test_a_debit_notice_names_the_amount_and_the_date(load):
    account = load(language="en")
    assert notices.render("installment_notice", account, 1, Decimal("50.00"), date(2027, 1, 11)) == (
        "Hello Sam, installment 1 of your plan with Brightwater Energy, €50.00, will be collected "
        "on 11 January 2027 as agreed. Nothing to do on your side."
    )
