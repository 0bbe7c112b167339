"""Redaction: what must never be kept is taken out, what the conversation needs survives."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from amicable.text.redaction import redact


@pytest.mark.parametrize(
    ("text", "language", "kept", "found"),
    [
        (
            "can I just give you my card 4111 1111 1111 1111 exp 04/28 cvc 123",
            "en",
            "can I just give you my card [CARD] exp [CARD_DETAILS] cvc [CARD_DETAILS]",
            ("CARD", "CARD_DETAILS", "CARD_DETAILS"),
        ),
        ("mon iban c'est BE71 0961 2345 6769 merci", "fr", "mon iban c'est [IBAN] merci", ("IBAN",)),
        ("rijksregisternummer 85.07.30-033.28", "nl", "rijksregisternummer [NATIONAL_ID]", ("NATIONAL_ID",)),
        ("mijn bsn is 111222333", "nl", "mijn bsn is [NATIONAL_ID]", ("NATIONAL_ID",)),
        ("mon numéro de sécu 1 85 05 78 006 084 91", "fr", "mon numéro de sécu [NATIONAL_ID]", ("NATIONAL_ID",)),
        ("write to my sister at anna.peeters@example.com", "en", "write to my sister at [EMAIL]", ("EMAIL",)),
        ("bel mijn zus op 0470 99 88 77", "nl", "bel mijn zus op [PHONE]", ("PHONE",)),
        ("my password is Tulip#2024", "en", "my password is [PASSWORD]", ("PASSWORD",)),
        ("le code reçu: 482913", "fr", "le code reçu: [CODE]", ("CODE",)),
    ],
)
def test_each_kind_is_replaced_by_its_placeholder(text, language, kept, found):
    result = redact(text, language)
    assert result.text == kept
    assert result.found == found


@pytest.mark.parametrize(
    "text",
    [
        "I can pay 1.234,56 € on 12/03/2026",
        "my reference is INV-2025-00871, born 12/03/1985, postcode 3511 AB",
        "betaald met mededeling +++090/9337/55493+++",
        "dossier FAC/2025/00123 et HE-A16DD6E4, j'habite à 1070 depuis 2018",
        "can I do 250 a month from the 28th? I have 3 kids",
        "code postal 75011, rendez-vous à 18:30",
        "my zip code is 10001",
        "the card ending in 4242 was refused",
        "I paid on 05-02-2025 from my account",
        "4111 1111 1111 1112 is that my file number?",  # sixteen figures that are not a card
        "INV 2025 07361",  # a reference whose figures pass a BSN's check
        "+++330/1595/69195+++",  # a structured communication, not a French phone number
        "my reference is 4506617823",
    ],
)
def test_what_the_conversation_needs_survives(text):
    assert redact(text, "en").text == text


def test_the_debtors_own_number_and_address_stay():
    text = "call me on +32 470 12 34 56 or mail sam@example.com"
    assert redact(text, "en", own_numbers=["+32470123456"], own_emails=["sam@example.com"]).text == text
    assert redact(text, "en").text == "call me on [PHONE] or mail [EMAIL]"


def test_our_own_one_time_code_reaches_the_check_when_asked_for():
    assert redact("the code is 482913", "en", keep=frozenset({"CODE"})).text == "the code is 482913"
    assert redact("the code is 482913", "en").text == "the code is [CODE]"


def _card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "55", "2221", "37", "6703"])
    length = 15 if prefix == "37" else rng.choice([16, 16, 16, 19] if prefix == "4" else [16])
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def _written(number: str, rng: random.Random) -> str:
    style = rng.choice(["compact", "fours", "dashes", "dots", "slash", "newline"])
    fours = [number[i : i + 4] for i in range(0, len(number), 4)]
    return {
        "compact": number,
        "fours": " ".join(fours),
        "dashes": "-".join(fours),
        "dots": ".".join(fours),
        "slash": " ".join(fours[:2]) + " / " + " ".join(fours[2:]),
        "newline": " ".join(fours[:2]) + "\n" + " ".join(fours[2:]),
    }[style]


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), before=st.sampled_from(["", "my card ", "carte: ", "hier is mijn kaart "]))
def test_a_card_number_written_any_way_never_survives(seed, before):
    rng = random.Random(seed)
    number = _card(rng)
    text = f"{before}{_written(number, rng)} thanks"
    result = redact(text, rng.choice(["en", "fr", "nl"]))
    digits = "".join(ch for ch in result.text if ch.isdigit())
    assert number not in digits and number[-8:] not in digits, result.text
    assert "CARD" in result.found


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_redaction_never_fails_and_is_idempotent(text):
    once = redact(text, "en")
    assert redact(once.text, "en").text == once.text
