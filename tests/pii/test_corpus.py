"""Tests of the evaluation corpus generator itself (not of any redactor): labels are exact and valid, the
look-alikes kept are really invalid, nothing valid hides outside the labels, and the corpus is big, balanced
and reproducible."""

from __future__ import annotations

import re
from collections import Counter

import phonenumbers
import pytest
from schwifty import IBAN
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.fr import nir as fr_nir
from stdnum.nl import bsn as nl_bsn

from tests.pii import generate

N = 12000
MIN_PER_TYPE = 400
REGIONS = ("BE", "NL", "FR", "GB", "US")


@pytest.fixture(scope="module")
def messages() -> list[dict]:
    return generate.corpus()


def entities(messages, kind=None):
    for m in messages:
        for e in m["entities"]:
            if kind is None or e["type"] == kind:
                yield m, e


def digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def alnum(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value)


def before(m: dict, e: dict, width: int) -> str:
    return m["text"][max(0, e["start"] - width) : e["start"]].lower()


def around(m: dict, e: dict, width: int) -> str:
    return before(m, e, width) + " " + m["text"][e["end"] : e["end"] + width].lower()


def is_iban(value: str) -> bool:
    try:
        IBAN(alnum(value), validate_bban=True)
    except ValueError:
        return False
    return True


def phone_region(value: str) -> str | None:
    for region in REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.region_code_for_number(number)
    return None


def masked(m: dict) -> str:
    chars = list(m["text"])
    for e in m["entities"]:
        chars[e["start"] : e["end"]] = "#" * (e["end"] - e["start"])
    return "".join(chars)


# --- size and balance -----------------------------------------------------------------------------------------------


def test_size_and_languages(messages):
    assert len(messages) >= N
    langs = Counter(m["lang"] for m in messages)
    assert set(langs) == {"en", "fr", "nl"}
    for lang, n in langs.items():
        assert n >= 0.31 * len(messages), (lang, n)


def test_about_a_third_have_no_pii(messages):
    share = sum(1 for m in messages if not m["entities"]) / len(messages)
    assert 0.30 <= share <= 0.40


def test_every_type_appears_often_enough(messages):
    counts = Counter(e["type"] for _, e in entities(messages))
    assert set(counts) == set(generate.ENTITY_TYPES)
    for kind in generate.ENTITY_TYPES:
        assert counts[kind] >= MIN_PER_TYPE, (kind, counts[kind])


def test_every_language_carries_pii_and_look_alikes(messages):
    for lang in ("en", "fr", "nl"):
        ours = [m for m in messages if m["lang"] == lang]
        kinds = Counter(e["type"] for _, e in entities(ours))
        for kind in ("CARD", "CARD_EXPIRY", "CARD_CVC", "IBAN", "EMAIL", "PHONE", "PASSWORD", "OTP"):
            assert kinds[kind] >= 100, (lang, kind, kinds[kind])
        assert sum(len(m["keep"]) for m in ours) >= 2000


def test_templates_are_varied(messages):
    for lang, groups in generate.TEMPLATES.items():
        carriers = [t for name, ts in groups.items() if name not in ("OPEN", "CLOSE", "FILLER") for t in ts]
        assert len(set(carriers)) >= 60, lang
    texts = [m["text"] for m in messages]
    assert len(set(texts)) >= 0.97 * len(texts)


def test_deterministic(messages):
    assert generate.corpus() == messages
    assert generate.corpus(200, seed=7) == generate.corpus(200, seed=7)
    assert generate.corpus(200, seed=7) != generate.corpus(200, seed=8)


# --- the labels -----------------------------------------------------------------------------------------------------


def test_spans_are_exact_ordered_and_whole(messages):
    for m in messages:
        text, end = m["text"], 0
        assert m["lang"] in ("en", "fr", "nl")
        for e in m["entities"]:
            assert set(e) == {"type", "start", "end", "value"}
            assert text[e["start"] : e["end"]] == e["value"], m
            assert e["value"] == e["value"].strip(), m
            assert e["start"] >= end, m  # sorted and never overlapping
            end = e["end"]
            # an entity never starts or stops in the middle of a word or number
            assert e["start"] == 0 or not text[e["start"] - 1].isalnum(), m
            assert e["end"] == len(text) or not text[e["end"]].isalnum(), m


def test_cards_pass_luhn(messages):
    brands = Counter()
    for _, e in entities(messages, "CARD"):
        number = digits(e["value"])
        assert len(number) in (15, 16, 17, 18, 19), e
        assert luhn.is_valid(number), e
        assert re.fullmatch(r"[\d \-./\n]+", e["value"]), e
        brands[number[0]] += 1
    assert brands["4"] and brands["5"] and brands["3"] and brands["6"]  # Visa, Mastercard, Amex, Maestro/Bancontact


def test_expiries_and_cvcs_follow_a_card_and_a_cue(messages):
    expiry = re.compile(r"(0?[1-9]|1[0-2]) ?[/\-.]? ?(20)?\d\d")
    for m, e in entities(messages, "CARD_EXPIRY"):
        assert expiry.fullmatch(e["value"]), e
        assert re.search(r"exp|valid|good thru|verval|geldig|valable|validit", before(m, e, 25)), m
        assert any(c["type"] == "CARD" and c["end"] <= e["start"] for c in m["entities"]), m
    for m, e in entities(messages, "CARD_CVC"):
        assert re.fullmatch(r"\d{3,4}", e["value"]), e
        assert re.search(r"cvc|cvv|crypto|code|numbers|chiffres|cijfers", before(m, e, 30)), m
        assert any(c["type"] == "CARD" and c["end"] <= e["start"] for c in m["entities"]), m


def test_ibans_validate(messages):
    countries, lower, grouped = Counter(), 0, 0
    for _, e in entities(messages, "IBAN"):
        assert is_iban(e["value"]), e
        countries[alnum(e["value"])[:2].upper()] += 1
        lower += e["value"][:2].islower()
        grouped += " " in e["value"]
    assert set(countries) == {"BE", "NL", "FR", "DE", "GB", "LU"}
    assert lower >= 50 and grouped >= 300


def test_belgian_national_numbers_validate(messages):
    after_2000 = 0
    for _, e in entities(messages, "BE_NATIONAL_NUMBER"):
        number = alnum(e["value"])
        assert be_nn.is_valid(number), e
        after_2000 += 97 - int("2" + number[:9]) % 97 == int(number[9:])
    assert after_2000 >= 30
    shapes = {re.sub(r"\d", "9", e["value"]) for _, e in entities(messages, "BE_NATIONAL_NUMBER")}
    assert {"99.99.99-999.99", "99999999999", "999999 999 99"} <= shapes


def test_dutch_bsns_validate(messages):
    for _, e in entities(messages, "NL_BSN"):
        assert len(digits(e["value"])) == 9 and nl_bsn.is_valid(digits(e["value"])), e
    shapes = {re.sub(r"\d", "9", e["value"]) for _, e in entities(messages, "NL_BSN")}
    assert {"999999999", "9999.99.999", "999 999 999"} <= shapes


def test_french_nirs_validate(messages):
    corsica = 0
    for _, e in entities(messages, "FR_NIR"):
        number = alnum(e["value"])
        assert fr_nir.is_valid(number), e
        corsica += number[5:7] in ("2A", "2B")
    assert corsica >= 20


def test_emails_look_like_emails(messages):
    plain = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
    for _, e in entities(messages, "EMAIL"):
        value = re.sub(r" ?[(\[]at[)\]] ?", "@", e["value"], flags=re.IGNORECASE)
        assert plain.fullmatch(value), e


def test_phones_are_valid_numbers(messages):
    regions = Counter()
    for _, e in entities(messages, "PHONE"):
        region = phone_region(e["value"])
        assert region in REGIONS, e
        regions[region] += 1
    assert set(regions) == set(REGIONS)
    assert all(n >= 50 for n in regions.values()), regions


def test_passwords_are_announced_as_passwords(messages):
    for m, e in entities(messages, "PASSWORD"):
        assert re.search(r"pass|pw|mdp|wachtw|\bww\b", around(m, e, 45)), m
        assert not re.search(r"\s", e["value"]) and len(e["value"]) >= 6, e
        assert e["value"][-1] not in ".,;:!?)", e


def test_otps_are_announced_as_received_codes(messages):
    for m, e in entities(messages, "OTP"):
        assert re.search(r"code|otp", around(m, e, 45)), m
        assert re.fullmatch(r"\d[\d \-]*\d", e["value"]) and 4 <= len(digits(e["value"])) <= 8, e


# --- what must be kept --------------------------------------------------------------------------------------------


def test_keep_items_are_in_the_text_outside_entities(messages):
    for m in messages:
        assert len(m["keep"]) == len(set(m["keep"]))
        spans = [(e["start"], e["end"]) for e in m["entities"]]
        for k in m["keep"]:
            assert k.strip() == k and k
            starts = [i.start() for i in re.finditer(re.escape(k), m["text"])]
            assert any(all(s + len(k) <= a or s >= b for a, b in spans) for s in starts), (k, m)


def test_look_alikes_kept_are_really_invalid(messages):
    bad_cards = bad_ibans = 0
    for m in messages:
        for k in m["keep"]:
            d = digits(k)
            if re.fullmatch(r"[\d \-]+", k) and 13 <= len(d) <= 19:
                assert not luhn.is_valid(d), k
                bad_cards += len(d) == 16
            if re.fullmatch(r"[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{11,}", k):
                assert not is_iban(k), k
                bad_ibans += 1
            if re.fullmatch(r"[\d .\-]+", k) and len(d) == 9:
                assert not nl_bsn.is_valid(d), k
            if re.fullmatch(r"[\d .\-]+", k) and len(d) == 11:
                assert not be_nn.is_valid(d), k
            if re.fullmatch(r"\+?[\d ().\-]+", k) and len(d) >= 9:
                assert phone_region(k) is None, k
    assert bad_cards >= 300 and bad_ibans >= 100


def test_hard_negatives_are_there(messages):
    keep = [k for m in messages if not m["entities"] for k in m["keep"]]
    assert sum(bool(re.fullmatch(r"[+*]{3} ?\d{3}/\d{4}/\d{5} ?[+*]{3}", k)) for k in keep) >= 50  # OGM
    assert sum(bool(re.search(r"\d{1,2}[/.\-]\d{1,2}[/.\-](19|20)\d\d", k)) for k in keep) >= 300  # dates
    assert sum(bool(re.search(r"[€£$]|euro|eur\b|pounds|dollars", k, re.I)) for k in keep) >= 1500  # amounts
    assert sum(bool(re.fullmatch(r"(inv|fac|he|dos)[\-/].+", k, re.I)) for k in keep) >= 300  # references
    postcode = re.compile(r"\d{4} ?[A-Za-z]{2}( .+)?|\d{4,5} [A-Z].+|[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}", re.I)
    assert sum(bool(postcode.fullmatch(k)) for k in keep) >= 200  # "1012 AB", "3500 Hasselt", "75011 Paris", "SW1A 1AA"
    assert sum(bool(re.fullmatch(r"\d+ (kids|children|enfants|kinderen|mois|months|maanden)", k)) for k in keep) >= 200
    assert sum(bool(re.fullmatch(r"\d{1,2}([:.hu]\d\d|h|u| ?[ap]m)", k)) for k in keep) >= 100  # times


def test_nothing_valid_hides_outside_the_labels(messages):
    run = re.compile(r"\d(?:\d|[ .\-/](?=\d))*")
    iban_like = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,30}")
    for m in messages:
        text = masked(m)
        assert "@" not in text, m
        for r in run.finditer(text):
            d = digits(r.group(0))
            assert not (13 <= len(d) <= 19 and luhn.is_valid(d)), (r.group(0), m)
        for r in iban_like.finditer(text):
            compact = alnum(r.group(0))
            assert not any(is_iban(compact[:end]) for end in range(15, len(compact) + 1)), (r.group(0), m)
    assert all(not generate.unlabelled_pii(m["text"], m["entities"]) for m in messages)
