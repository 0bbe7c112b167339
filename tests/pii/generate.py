"""A blind evaluation corpus for the chat redactor: debtor messages in English, French and Dutch.

Written without looking at any redaction code in the repository.  Every message is a dict::

    {"text": "...", "lang": "en" | "fr" | "nl",
     "entities": [{"type": "CARD", "start": 10, "end": 29, "value": "4111 1111 1111 1111"}, ...],
     "keep": ["84,20 €", "INV-2025-00871"]}

``entities`` are the exact spans (Python string indices) of every piece of personal data in the text; ``keep`` lists
substrings that are not personal data and must survive redaction (amounts, dates, references, postcodes, counts,
times, and invalid look-alikes such as a 16-digit number that fails Luhn or an IBAN with a wrong checksum).

Regenerate with ``python -m tests.pii.generate --out FILE`` (JSON lines).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import phonenumbers
from schwifty import IBAN
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.fr import nir as fr_nir
from stdnum.nl import bsn as nl_bsn

ENTITY_TYPES = (
    "CARD",
    "CARD_EXPIRY",
    "CARD_CVC",
    "IBAN",
    "BE_NATIONAL_NUMBER",
    "NL_BSN",
    "FR_NIR",
    "EMAIL",
    "PHONE",
    "PASSWORD",
    "OTP",
)
LANGS = ("en", "fr", "nl")
NO_PII_SHARE = 0.35
DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Which country a writer lives in, per language.  It decides phone numbers, IBANs, national IDs, money and postcodes.
LOCALES = {
    "en": (("GB", 30), ("US", 20), ("BE", 18), ("NL", 17), ("FR", 15)),
    "fr": (("BE", 50), ("FR", 50)),
    "nl": (("BE", 50), ("NL", 50)),
}
NATIONAL_ID = {"BE": "BE_NATIONAL_NUMBER", "NL": "NL_BSN", "FR": "FR_NIR"}
REGIONS = ("BE", "NL", "FR", "GB", "US")


def _pick(rng: random.Random, weighted):
    items = list(weighted)
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, w in items:
        x -= w
        if x < 0:
            return item
    return items[-1][0]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(n))


def _groups(s: str, sizes) -> list[str]:
    out, i = [], 0
    for size in sizes:
        if i >= len(s):
            break
        out.append(s[i : i + size])
        i += size
    if i < len(s):
        out.append(s[i:])
    return out


def _fours(s: str) -> list[str]:
    return [s[i : i + 4] for i in range(0, len(s), 4)]


# --------------------------------------------------------------------------------------------------------------------
# Payment cards
# --------------------------------------------------------------------------------------------------------------------

CARD_BRANDS_BY_LOCALE = {
    "BE": (("visa", 35), ("mastercard", 28), ("bancontact", 25), ("maestro", 4), ("amex", 8)),
    "NL": (("visa", 42), ("mastercard", 35), ("maestro", 13), ("amex", 10)),
    "FR": (("visa", 50), ("mastercard", 40), ("amex", 10)),
    "GB": (("visa", 50), ("mastercard", 35), ("amex", 10), ("maestro", 5)),
    "US": (("visa", 45), ("mastercard", 35), ("amex", 20)),
}


def card_number(rng: random.Random, brand: str) -> str:
    """A Luhn-valid card number (digits only) with a real issuer prefix and length for the brand."""
    if brand == "visa":
        prefix, length = "4", 16
    elif brand == "mastercard":
        prefix = str(rng.randint(51, 55)) if rng.random() < 0.75 else str(rng.randint(2221, 2720))
        length = 16
    elif brand == "amex":
        prefix, length = rng.choice(("34", "37")), 15
    elif brand == "bancontact":
        prefix, length = "6703", 17
    else:  # maestro
        prefix, length = rng.choice(("5018", "5020", "5038", "6304", "6759", "6761", "6763")), rng.choice((16, 18, 19))
    body = prefix + _digits(rng, length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


def format_card(rng: random.Random, number: str, brand: str) -> str:
    if brand == "amex":
        parts = _groups(number, (4, 6, 5))
        return rng.choice((" ", " ", "-", "")).join(parts) if rng.random() < 0.85 else number
    parts = _fours(number)
    r = rng.random()
    if r < 0.40:
        return " ".join(parts)
    if r < 0.55:
        return number
    if r < 0.68:
        return "-".join(parts)
    if r < 0.72:
        return ".".join(parts)
    if r < 0.76:
        return "  ".join(parts)
    if r < 0.82:  # split in two halves, as people copy it off the card
        sep = rng.choice((" / ", " / ", " - ", " /", "/"))
        return " ".join(parts[:2]) + sep + " ".join(parts[2:])
    if r < 0.87:
        return " ".join(parts[:2]) + "\n" + " ".join(parts[2:])
    if r < 0.92:
        return number[:8] + " " + number[8:]
    if r < 0.96:
        return " ".join(parts[:-1]) + parts[-1] if len(parts[-1]) < 4 else " ".join(parts)
    return "-".join(parts[:2]) + " " + "-".join(parts[2:])


def card_expiry(rng: random.Random) -> str:
    month = rng.randint(1, 12)
    year = rng.randint(26, 32)
    return _pick(
        rng,
        (
            (f"{month:02d}/{year}", 45),
            (f"{month:02d}{year}", 10),
            (f"{month:02d}-{year}", 8),
            (f"{month:02d}/20{year}", 14),
            (f"{month}/{year}", 10),
            (f"{month:02d} / {year}", 5),
            (f"{month:02d}.{year}", 4),
            (f"{month:02d}/{year:02d}", 4),
        ),
    )


def card_cvc(rng: random.Random, brand: str) -> str:
    return _digits(rng, 4 if brand == "amex" else 3)


def invalid_card(rng: random.Random) -> str:
    """Sixteen digits that look like a card but fail Luhn."""
    body = rng.choice(("4", "5", "4", "6")) + _digits(rng, 14)
    good = int(luhn.calc_check_digit(body))
    bad = (good + rng.randint(1, 9)) % 10
    number = body + str(bad)
    assert not luhn.is_valid(number)
    return _pick(rng, ((" ".join(_fours(number)), 60), (number, 25), ("-".join(_fours(number)), 15)))


# --------------------------------------------------------------------------------------------------------------------
# IBANs
# --------------------------------------------------------------------------------------------------------------------

BANK_CODES = {
    "BE": ("001", "063", "068", "310", "363", "734", "735", "736", "737", "973", "979", "751", "091", "143", "523"),
    "NL": ("ABNA", "INGB", "INGB", "RABO", "RABO", "SNSB", "ASNB", "TRIO", "KNAB", "BUNQ", "RBRB"),
    "FR": ("30004", "30003", "30002", "20041", "10278", "17515", "18206", "30066", "13335", "40618"),
    "DE": ("37040044", "10010010", "50010517", "10070000", "12030000", "10011001", "20041133", "70150000"),
    "GB": ("NWBK", "BARC", "LOYD", "HBUK", "MONZ", "SRLG", "NAIA", "ABBY"),
    "LU": ("001", "002", "003", "008", "014"),
}
ACCOUNT_LEN = {"BE": 7, "NL": 10, "FR": 11, "DE": 10, "GB": 8, "LU": 13}
IBAN_COUNTRIES_BY_LOCALE = {
    "BE": (("BE", 78), ("LU", 8), ("NL", 5), ("FR", 5), ("DE", 4)),
    "NL": (("NL", 82), ("DE", 9), ("BE", 6), ("GB", 3)),
    "FR": (("FR", 80), ("LU", 7), ("BE", 6), ("DE", 7)),
    "GB": (("GB", 80), ("DE", 6), ("NL", 5), ("FR", 5), ("LU", 4)),
    "US": (("GB", 30), ("DE", 30), ("NL", 20), ("BE", 10), ("LU", 10)),
}
BANK_NAMES = {
    "BE": ("KBC", "Belfius", "ING", "BNP Paribas Fortis", "Argenta", "Crelan", "bpost bank", "Beobank"),
    "NL": ("ING", "Rabobank", "ABN AMRO", "bunq", "SNS", "ASN", "Knab", "Triodos"),
    "FR": ("Crédit Agricole", "Société Générale", "La Banque Postale", "BNP", "LCL", "Boursorama", "Crédit Mutuel"),
    "GB": ("Barclays", "Lloyds", "HSBC", "Monzo", "NatWest", "Santander", "Starling", "Nationwide"),
    "US": ("Chase", "Wells Fargo", "Bank of America", "Citi"),
}
BICS = (
    "GEBABEBB",
    "KREDBEBB",
    "BBRUBEBB",
    "GKCCBEBB",
    "ARSPBE22",
    "ABNANL2A",
    "INGBNL2A",
    "RABONL2U",
    "BNPAFRPP",
    "AGRIFRPP",
    "SOGEFRPP",
    "PSSTFRPPPAR",
    "BARCGB22",
    "NWBKGB2L",
    "COBADEFFXXX",
    "BCEELULL",
)


def iban_number(rng: random.Random, country: str) -> str:
    """A compact IBAN that validates, national BBAN check digits included, at a real bank."""
    while True:
        kwargs = {}
        if country == "FR":
            kwargs["branch_code"] = _digits(rng, 5)
        elif country == "GB":
            kwargs["branch_code"] = _digits(rng, 6)
        account = _digits(rng, ACCOUNT_LEN[country])
        if country == "NL" and account[0] == "0":
            account = str(rng.randint(1, 9)) + account[1:]
        try:
            iban = IBAN.generate(country, bank_code=rng.choice(BANK_CODES[country]), account_code=account, **kwargs)
            IBAN(str(iban), validate_bban=True)
        except ValueError:
            continue
        return str(iban)


def format_iban(rng: random.Random, compact: str) -> str:
    grouped = " ".join(_fours(compact))
    r = rng.random()
    if r < 0.42:
        out = grouped
    elif r < 0.66:
        out = compact
    elif r < 0.74:
        out = grouped.lower()
    elif r < 0.81:
        out = compact.lower()
    elif r < 0.86:
        out = compact[:2] + " " + compact[2:4] + " " + " ".join(_fours(compact[4:]))
    elif r < 0.90:
        out = "-".join(_fours(compact))
    elif r < 0.94:
        parts = _fours(compact)
        out = " ".join(parts[:2]) + "\n" + " ".join(parts[2:])
    elif r < 0.97:
        out = compact[:4] + " " + compact[4:]
    else:
        out = grouped.replace(" ", "  ")
    return out


def invalid_iban(rng: random.Random, country: str) -> str:
    """An IBAN-shaped string whose checksum fails: a digit mistyped or the check digits wrong."""
    good = iban_number(rng, country)
    while True:
        if rng.random() < 0.5:
            check = f"{rng.randint(2, 98):02d}"
            bad = good[:2] + check + good[4:]
        else:
            i = rng.randrange(4, len(good))
            if not good[i].isdigit():
                continue
            bad = good[:i] + str((int(good[i]) + rng.randint(1, 9)) % 10) + good[i + 1 :]
        try:
            IBAN(bad)
        except ValueError:
            return rng.choice((" ".join(_fours(bad)), bad, " ".join(_fours(bad))))


# --------------------------------------------------------------------------------------------------------------------
# National identifiers
# --------------------------------------------------------------------------------------------------------------------


def be_national_number(rng: random.Random, birth: date, sex: str) -> str:
    """Belgian rijksregisternummer: YYMMDD, a day counter (odd for men), check digits (a '2' prefix after 2000)."""
    counter = rng.randrange(1, 998)
    if (counter % 2 == 1) != (sex == "M"):
        counter = counter + 1 if counter < 997 else counter - 1
    base = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{counter:03d}"
    prefixed = ("2" if birth.year >= 2000 else "") + base
    check = 97 - int(prefixed) % 97
    return base + f"{check:02d}"


def format_be_nn(rng: random.Random, n: str) -> str:
    return _pick(
        rng,
        (
            (f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:]}", 40),
            (n, 25),
            (f"{n[0:6]} {n[6:9]} {n[9:]}", 12),
            (f"{n[0:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]} {n[9:]}", 8),
            (f"{n[0:6]}-{n[6:9]}-{n[9:]}", 6),
            (f"{n[0:2]} {n[2:4]} {n[4:6]} {n[6:9]} {n[9:]}", 6),
            (f"{n[0:6]}-{n[6:9]}.{n[9:]}", 3),
        ),
    )


def nl_bsn_number(rng: random.Random) -> str:
    """Nine digits passing the elfproef."""
    while True:
        head = str(rng.randint(1, 6)) + _digits(rng, 7)
        total = sum((9 - i) * int(d) for i, d in enumerate(head))
        last = total % 11
        if last < 10:
            return head + str(last)


def format_bsn(rng: random.Random, n: str) -> str:
    return _pick(
        rng,
        (
            (n, 50),
            (f"{n[:4]}.{n[4:6]}.{n[6:]}", 20),
            (f"{n[:3]} {n[3:6]} {n[6:]}", 12),
            (f"{n[:4]} {n[4:6]} {n[6:]}", 8),
            (f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:]}", 4),
            (f"{n[:3]}-{n[3:6]}-{n[6:]}", 6),
        ),
    )


FR_DEPARTMENTS = tuple(f"{d:02d}" for d in range(1, 96) if d != 20)
FR_BIG_DEPARTMENTS = ("75", "13", "69", "59", "93", "92", "94", "33", "31", "06", "67", "44", "34", "76", "62")
FR_ABROAD = (
    "131",
    "135",
    "350",
    "351",
    "352",
    "139",
    "109",
    "127",
    "134",
    "341",
    "343",
)  # BE NL MA TN DZ PT DE IT ES SN ML


def fr_nir_number(rng: random.Random, birth: date, sex: str) -> str:
    """French NIR: sex, YY, MM, place of birth (department + commune, Corsica 2A/2B, overseas, abroad), order, key."""
    r = rng.random()
    if r < 0.09:
        place = rng.choice(("2A", "2B")) + f"{rng.randint(1, 366):03d}"
    elif r < 0.16:
        place = "97" + rng.choice("12346") + f"{rng.randint(1, 34):02d}"
    elif r < 0.26:
        place = "99" + rng.choice(FR_ABROAD)
    elif r < 0.60:
        place = rng.choice(FR_BIG_DEPARTMENTS) + f"{rng.randint(1, 400):03d}"
    else:
        place = rng.choice(FR_DEPARTMENTS) + f"{rng.randint(1, 700):03d}"
    body = (
        ("1" if sex == "M" else "2") + f"{birth.year % 100:02d}{birth.month:02d}" + place + f"{rng.randint(1, 999):03d}"
    )
    return body + fr_nir.calc_check_digits(body + "00")


def format_nir(rng: random.Random, n: str) -> str:
    spaced = f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {n[13:]}"
    return _pick(
        rng,
        (
            (spaced, 45),
            (n, 30),
            (f"{n[:13]} {n[13:]}", 12),
            (f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} - {n[13:]}", 5),
            (f"{n[0]}.{n[1:3]}.{n[3:5]}.{n[5:7]}.{n[7:10]}.{n[10:13]}.{n[13:]}", 4),
            (spaced.replace(" ", "  ", 2), 4),
        ),
    )


# --------------------------------------------------------------------------------------------------------------------
# Phones
# --------------------------------------------------------------------------------------------------------------------

MOBILE_PREFIXES = {
    "BE": ("470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "483", "484", "485", "486", "487")
    + ("488", "489", "490", "491", "492", "493", "494", "495", "496", "497", "498", "499", "456", "460", "465", "468"),
    "NL": ("61", "62", "63", "64", "65", "68"),
    "FR": ("6", "6", "7"),
    "GB": ("73", "74", "75", "77", "78", "79"),
}
FIXED_PREFIXES = {
    "BE": ("2", "2", "3", "4", "9", "9", "10", "11", "13", "14", "15", "16", "19", "50", "51", "53", "56", "57")
    + ("59", "64", "65", "67", "71", "71", "81", "87"),
    "NL": ("20", "10", "70", "30", "40", "50", "13", "15", "23", "24", "26", "33", "35", "38", "43", "53", "58", "71"),
    "FR": ("1", "2", "3", "4", "5", "9"),
    "GB": ("20", "20", "161", "121", "113", "131", "141", "117", "151", "1632"),
}
US_AREA_CODES = ("212", "718", "917", "646", "310", "213", "415", "617", "312", "713", "214", "305", "404", "702")
US_AREA_CODES += ("602", "206", "503", "303", "512", "615", "704", "919", "313", "215", "412", "816", "901", "504")
NSN_LENGTH = {"BE": (9, 8), "NL": (9, 9), "FR": (9, 9), "GB": (10, 10), "US": (10, 10)}


def phone_nsn(rng: random.Random, region: str, mobile: bool) -> str:
    """A national significant number that phonenumbers accepts as valid for the region."""
    while True:
        if region == "US":
            nsn = rng.choice(US_AREA_CODES) + str(rng.randint(2, 9)) + _digits(rng, 6)
        else:
            prefix = rng.choice(MOBILE_PREFIXES[region] if mobile else FIXED_PREFIXES[region])
            length = NSN_LENGTH[region][0 if mobile else 1]
            nsn = prefix + _digits(rng, length - len(prefix))
        if region == "US" and nsn[3:6] == "555":
            continue
        number = phonenumbers.parse("+" + str(phonenumbers.country_code_for_region(region)) + nsn)
        if phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) == region:
            return nsn


def format_phone(rng: random.Random, region: str, nsn: str) -> str:
    number = phonenumbers.parse("+" + str(phonenumbers.country_code_for_region(region)) + nsn)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    intl = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    cc = str(number.country_code)
    e164 = "+" + cc + nsn
    if region == "US":
        a, b, c = nsn[:3], nsn[3:6], nsn[6:]
        return _pick(
            rng,
            (
                (f"({a}) {b}-{c}", 25),
                (f"{a}-{b}-{c}", 25),
                (f"{a}.{b}.{c}", 8),
                (f"{a} {b} {c}", 8),
                (nsn, 8),
                (f"1-{a}-{b}-{c}", 6),
                (f"+1 {a} {b} {c}", 7),
                (f"+1 ({a}) {b}-{c}", 5),
                (e164, 5),
                (intl, 3),
            ),
        )
    national_compact = "0" + nsn
    national_groups = national.split(" ")
    rest = national_groups[1:]
    intl_rest = intl.split(" ", 1)[1]
    options = [
        (national, 26),
        (national_compact, 14),
        (intl, 14),
        (e164, 9),
        ("00" + cc + " " + intl_rest, 5),
        (f"+{cc} (0){intl_rest}", 4),
        ("-".join(national_groups), 4),
        ("00" + cc + nsn, 2),
    ]
    if region == "BE":
        options += [
            (national_groups[0] + "/" + ".".join(rest), 10),
            (national_groups[0] + "/" + " ".join(rest), 5),
            (national_groups[0] + " " + "".join(rest), 3),
            (".".join(national_groups), 3),
        ]
        if len(nsn) == 9:
            options.append((f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}", 5))
    elif region == "NL":
        options += [(national_groups[0] + "-" + "".join(rest), 12), (national_groups[0] + " " + "".join(rest), 4)]
        if nsn.startswith("6"):
            options.append((f"06 {nsn[1:5]} {nsn[5:]}", 5))
            options.append((f"+31 6 {nsn[1:5]} {nsn[5:]}", 3))
    elif region == "FR":
        options += [(".".join(national_groups), 10), ("-".join(national_groups), 2)]
    elif region == "GB":
        options += [(national_groups[0] + " " + " ".join(_groups("".join(rest), (3, 3, 4))), 4)]
    return _pick(rng, options)


# --------------------------------------------------------------------------------------------------------------------
# E-mail addresses, passwords, one-time codes
# --------------------------------------------------------------------------------------------------------------------

NAMES = {
    "BE": (
        ("Marie", "Sarah", "Julie", "Nathalie", "Kevin", "Mehdi", "Fatima", "Youssef", "Laurent", "Sophie", "Thomas")
        + ("Aurélie", "Jonathan", "Nadia", "Ines", "Mohamed", "Céline", "Wout", "Jens", "Lien", "Ellen", "Stijn")
        + ("Kristof", "Evelien", "Bart", "Tine", "Sven", "Dries"),
        ("Dubois", "Lambert", "Martin", "Dupont", "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems")
        + ("Claes", "Goossens", "Wouters", "De Smet", "El Amrani", "Benali", "Lejeune", "Renard", "Leclercq")
        + ("Van Damme", "Vermeulen", "De Backer", "Van den Broeck", "Hermans", "Michiels", "Coppens"),
    ),
    "NL": (
        ("Jan", "Kees", "Sanne", "Lotte", "Daan", "Sem", "Fleur", "Anouk", "Mohamed", "Priya", "Bram", "Lisa", "Rik")
        + ("Eva", "Noah", "Emma", "Jeroen", "Mariska", "Dewi", "Kevin", "Shirley", "Ricardo", "Naima"),
        ("de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer", "Bos", "Vos")
        + ("Peters", "Hendriks", "van Dijk", "Yilmaz", "el Idrissi", "van der Berg", "Kok", "Dekker", "Brouwer"),
    ),
    "FR": (
        ("Camille", "Léa", "Manon", "Nicolas", "Julien", "Sébastien", "Karim", "Sonia", "Amandine", "Florian")
        + ("Émilie", "Mathieu", "Yasmine", "Océane", "Kévin", "Jordan", "Sandrine", "Stéphane", "Nadège", "Mamadou"),
        ("Martin", "Bernard", "Durand", "Petit", "Moreau", "Lefebvre", "Garcia", "Roux", "Fournier", "Girard")
        + ("Bonnet", "Mercier", "Benoît", "Haddad", "Traoré", "Nguyen", "Lemaire", "Fontaine", "Chevalier", "Leroy"),
    ),
    "GB": (
        ("Jack", "Chloe", "Kieran", "Stacey", "Liam", "Jade", "Darren", "Gemma", "Callum", "Leanne", "Aisha")
        + ("Mohammed", "Lewis", "Holly", "Wayne", "Kerry", "Rhys", "Siobhan"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Davies", "Khan", "Patel", "Hughes")
        + ("Walker", "O'Connor", "McDonald", "Roberts", "Wright"),
    ),
    "US": (
        ("Tyler", "Brittany", "Jasmine", "DeShawn", "Ashley", "Kayla", "Brandon", "Maria", "Jose", "Megan", "Kevin")
        + ("Tanya", "Destiny", "Cody", "Amber"),
        ("Johnson", "Williams", "Rodriguez", "Miller", "Davis", "Garcia", "Martinez", "Jackson", "Thompson", "Lee")
        + ("Nguyen", "Robinson", "Hernandez", "Moore"),
    ),
}
EMAIL_DOMAINS = {
    "BE": (("gmail.com", 30), ("hotmail.com", 14), ("telenet.be", 12), ("outlook.be", 6), ("skynet.be", 6))
    + (("hotmail.be", 6), ("live.be", 5), ("proximus.be", 4), ("yahoo.fr", 4), ("scarlet.be", 2), ("icloud.com", 5)),
    "NL": (("gmail.com", 30), ("hotmail.com", 15), ("live.nl", 8), ("outlook.com", 8), ("ziggo.nl", 8))
    + (("kpnmail.nl", 7), ("planet.nl", 4), ("home.nl", 4), ("hotmail.nl", 5), ("icloud.com", 5), ("xs4all.nl", 2)),
    "FR": (("gmail.com", 30), ("hotmail.fr", 14), ("orange.fr", 12), ("wanadoo.fr", 5), ("free.fr", 8), ("sfr.fr", 5))
    + (("laposte.net", 6), ("yahoo.fr", 7), ("outlook.fr", 6), ("icloud.com", 4), ("live.fr", 4)),
    "GB": (("gmail.com", 35), ("hotmail.co.uk", 15), ("yahoo.co.uk", 10), ("btinternet.com", 8), ("outlook.com", 10))
    + (("sky.com", 5), ("icloud.com", 8), ("live.co.uk", 5), ("aol.com", 2)),
    "US": (("gmail.com", 40), ("yahoo.com", 18), ("aol.com", 5), ("outlook.com", 10), ("icloud.com", 12))
    + (("comcast.net", 5), ("hotmail.com", 8)),
}


def strip_accents(s: str) -> str:
    """Drop accents (combining marks only, so emoji and their variation selectors are untouched)."""
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    )


def ascii_fold(s: str) -> str:
    return strip_accents(s).replace("'", "")


def email_address(rng: random.Random, locale: str, first: str, last: str, birth: date) -> str:
    f = ascii_fold(first).lower().replace(" ", "")
    lname = ascii_fold(last).lower().replace(" ", "")
    yy = f"{birth.year % 100:02d}"
    n = str(rng.randint(1, 99))
    nick = rng.choice(("princess", "babygirl", "lil", "mister", "the", "chouchou", "kleine", "xx", "mama", "papa"))
    local = _pick(
        rng,
        (
            (f"{f}.{lname}", 28),
            (f"{f}{lname}", 12),
            (f"{f[0]}.{lname}", 10),
            (f"{f}_{lname}", 6),
            (f"{f}.{lname}{yy}", 8),
            (f"{f}{lname}{n}", 6),
            (f"{f}{yy}", 8),
            (f"{lname}.{f}", 5),
            (f"{f}-{lname[:1]}", 3),
            (f"{nick}{f}{n}", 3),
            (f"{nick}_{f}", 2),
            (f"{f}.{lname}{birth.year}", 4),
            (f"{f[0]}{lname}", 5),
        ),
    )
    domain = _pick(rng, EMAIL_DOMAINS[locale])
    addr = f"{local}@{domain}"
    r = rng.random()
    if r < 0.06:
        addr = f"{local.capitalize()}@{domain}"
    elif r < 0.09:
        addr = f"{local} (at) {domain}"
    elif r < 0.11:
        addr = f"{local}[at]{domain}"
    elif r < 0.13:
        addr = f"{local}(at){domain}"
    elif r < 0.15:
        addr = addr.upper()
    return addr


PASSWORD_WORDS = {
    "en": (
        "Sunshine",
        "liverpool",
        "Chelsea",
        "monkey",
        "Princess",
        "dragon",
        "Summer",
        "Charlie",
        "football",
        "Tigger",
    ),
    "fr": ("Soleil", "doudou", "loulou", "Chouchou", "marseille", "Nounours", "bisous", "Papillon", "Amour", "chaton"),
    "nl": ("Tulp", "Zomer", "Voetbal", "Ajax", "Kabouter", "Snoopy", "Lente", "Feyenoord", "Tulip", "Hondje"),
}
KIDS_NAMES = ("Lucas", "Emma", "Noah", "Lina", "Adam", "Louise", "Milan", "Nora", "Liam", "Olivia", "Ines", "Mila")


def password(rng: random.Random, lang: str, birth: date) -> str:
    """A password as debtors choose them; never ends in punctuation that could be read as the sentence's."""
    word = rng.choice(PASSWORD_WORDS[lang])
    kid = rng.choice(KIDS_NAMES)
    year = str(rng.randint(2010, 2026))
    sym = rng.choice("#!@$*&%+_")
    r = rng.random()
    if r < 0.18:
        pw = f"{word}{sym}{year}"
    elif r < 0.30:
        pw = f"{word}{year}"
    elif r < 0.40:
        pw = f"{kid}{birth.day:02d}{birth.month:02d}"
    elif r < 0.50:
        pw = f"{word.lower()}{rng.randint(1, 999)}"
    elif r < 0.58:
        pw = "".join(rng.choice(UPPER + UPPER.lower() + DIGITS + "#!$%") for _ in range(rng.randint(7, 11)))
        pw += rng.choice(UPPER.lower() + DIGITS)
    elif r < 0.66:
        leet = word.replace("a", "@").replace("o", "0").replace("e", "3").replace("i", "1")
        pw = f"{leet}{rng.randint(1, 99)}"
    elif r < 0.74:
        pw = f"{kid}{sym}{rng.choice(KIDS_NAMES)}{rng.randint(1, 30)}"
    elif r < 0.80:
        pw = rng.choice(("azerty", "qwerty", "Welkom", "Bonjour", "Password", "Wachtwoord", "Motdepasse")) + str(
            rng.randint(1, 2026)
        )
    elif r < 0.88:
        pw = f"{word}{sym}{birth.year % 100:02d}{sym}"
        pw = pw + rng.choice(DIGITS)
    elif r < 0.94:
        pw = f"{kid.lower()}{birth.year}{sym}{rng.randint(0, 9)}"
    else:
        pw = f"{word}_{kid}_{year}"
    return pw


def otp_code(rng: random.Random) -> str:
    n = _pick(rng, ((6, 70), (4, 10), (5, 5), (8, 10), (7, 5)))
    code = _digits(rng, n)
    if code[0] == "0" and rng.random() < 0.5:
        code = str(rng.randint(1, 9)) + code[1:]
    if n == 6:
        return _pick(
            rng,
            ((code, 60), (f"{code[:3]} {code[3:]}", 15), (f"{code[:2]} {code[2:4]} {code[4:]}", 10))
            + ((f"{code[:3]}-{code[3:]}", 10), (" ".join(code), 5)),
        )
    if n == 8:
        return _pick(rng, ((code, 60), (f"{code[:4]} {code[4:]}", 30), (f"{code[:4]}-{code[4:]}", 10)))
    return code


# --------------------------------------------------------------------------------------------------------------------
# Things that must survive redaction
# --------------------------------------------------------------------------------------------------------------------

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
    + ("November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre")
    + ("novembre", "décembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober")
    + ("november", "december"),
}
WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"),
}


def _money_value(rng: random.Random) -> tuple[int, int]:
    r = rng.random()
    if r < 0.35:
        euros = rng.randint(5, 99)
    elif r < 0.80:
        euros = rng.randint(100, 999)
    else:
        euros = rng.randint(1000, 14999)
    cents = rng.choice((0, 0, 0, rng.randint(1, 99), 50))
    return euros, cents


def _thousands(euros: int, sep: str) -> str:
    s = str(euros)
    out = []
    while len(s) > 3:
        out.insert(0, s[-3:])
        s = s[:-3]
    out.insert(0, s)
    return sep.join(out)


def amount(rng: random.Random, lang: str, locale: str) -> str:
    euros, cents = _money_value(rng)
    if lang == "en" and locale == "GB":
        dec = f"{_thousands(euros, ',')}.{cents:02d}"
        return _pick(
            rng,
            ((f"£{euros}", 30), (f"£{dec}", 25), (f"{euros} quid", 8), (f"{euros} pounds", 12), (f"£ {euros}", 5))
            + ((f"GBP {dec}", 3), (f"{euros}£", 2)),
        )
    if lang == "en" and locale == "US":
        dec = f"{_thousands(euros, ',')}.{cents:02d}"
        return _pick(
            rng,
            ((f"${euros}", 35), (f"${dec}", 25), (f"{euros} dollars", 15), (f"{euros} bucks", 8))
            + ((f"$ {euros}", 5), (f"USD {dec}", 2)),
        )
    if lang == "en":
        return _pick(
            rng,
            ((f"€{euros}", 30), (f"€{euros}.{cents:02d}", 15), (f"{euros} euros", 20), (f"{euros} EUR", 8))
            + ((f"€ {_thousands(euros, '.')},{cents:02d}", 8), (f"{euros}€", 10), (f"{euros} eur", 5)),
        )
    if lang == "fr":
        space = rng.choice((" ", " ", "\u00a0", "\u202f", "."))
        big = _thousands(euros, space if locale == "FR" else rng.choice((".", " ", "")))
        return _pick(
            rng,
            (
                (f"{euros},{cents:02d} €", 18),
                (f"{euros},{cents:02d}€", 10),
                (f"{big},{cents:02d} €", 12),
                (f"{euros} euros", 20),
            )
            + ((f"{euros} eur", 6), (f"{euros}€", 12), (f"€ {euros}", 4), (f"{euros} €", 10), (f"{euros}e", 3)),
        )
    big = _thousands(euros, rng.choice((".", "", "."))) if euros >= 1000 else str(euros)
    return _pick(
        rng,
        ((f"€ {big},{cents:02d}", 18), (f"€{euros},-", 12), (f"{euros} euro", 20), (f"€{euros},{cents:02d}", 12))
        + ((f"{euros} eur", 8), (f"€ {euros}", 12), (f"EUR {big},{cents:02d}", 4), (f"{euros},{cents:02d} euro", 8)),
    )


def payment_date(rng: random.Random, lang: str, locale: str) -> str:
    d = date(2025, 1, 1) + timedelta(days=rng.randint(0, 700))
    month = MONTHS[lang][d.month - 1]
    day, m, y = d.day, d.month, d.year
    if lang == "en":
        suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        if locale == "US":
            return _pick(
                rng,
                (
                    (f"{m}/{day}", 30),
                    (f"{month} {day}", 25),
                    (f"{m:02d}/{day:02d}/{y}", 20),
                    (f"{month} {day}{suffix}", 15),
                    (f"{m}/{day}/{y % 100}", 10),
                ),
            )
        return _pick(
            rng,
            (
                (f"{day:02d}/{m:02d}", 25),
                (f"{day} {month}", 20),
                (f"{day}{suffix} of {month}", 12),
                (f"{day:02d}/{m:02d}/{y}", 20),
            )
            + ((f"{month} {day}{suffix}", 10), (f"{y}-{m:02d}-{day:02d}", 5), (f"{day}.{m:02d}.{y}", 4)),
        )
    if lang == "fr":
        dd = "1er" if day == 1 else str(day)
        wd = WEEKDAYS["fr"][rng.randrange(6)]
        return _pick(
            rng,
            ((f"{dd} {month}", 35), (f"{day:02d}/{m:02d}", 25), (f"{day:02d}/{m:02d}/{y}", 20), (f"{wd} {day}", 8))
            + ((f"{day}/{m}", 6), (f"{day:02d}.{m:02d}.{y}", 3), (f"{dd} {month} {y}", 3)),
        )
    wd = WEEKDAYS["nl"][rng.randrange(6)]
    return _pick(
        rng,
        ((f"{day} {month}", 35), (f"{day:02d}/{m:02d}", 15), (f"{day:02d}-{m:02d}-{y}", 20), (f"{wd} {day} {month}", 8))
        + ((f"{day}-{m}", 10), (f"{day}/{m}/{y}", 6), (f"{day} {month} {y}", 6)),
    )


def birth_date_text(rng: random.Random, lang: str, locale: str, birth: date) -> str:
    d, m, y = birth.day, birth.month, birth.year
    if lang == "en" and locale == "US":
        return _pick(rng, ((f"{m:02d}/{d:02d}/{y}", 60), (f"{MONTHS['en'][m - 1]} {d}, {y}", 40)))
    month = MONTHS[lang][m - 1]
    return _pick(
        rng,
        (
            (f"{d:02d}/{m:02d}/{y}", 45),
            (f"{d:02d}-{m:02d}-{y}", 15),
            (f"{d:02d}.{m:02d}.{y}", 10),
            (f"{d} {month} {y}", 25),
        )
        + ((f"{d}/{m}/{y % 100:02d}", 5),),
    )


def ogm(rng: random.Random) -> str:
    """Belgian structured communication +++123/4567/89002+++ with its mod-97 check."""
    body = _digits(rng, 10)
    check = int(body) % 97 or 97
    s = body + f"{check:02d}"
    core = f"{s[:3]}/{s[3:7]}/{s[7:]}"
    return _pick(rng, ((f"+++{core}+++", 65), (f"***{core}***", 15), (core, 15), (f"+++ {core} +++", 5)))


def reference(rng: random.Random) -> str:
    year = rng.randint(2021, 2026)
    hexid = "".join(rng.choice("0123456789ABCDEF") for _ in range(8))
    return _pick(
        rng,
        (
            (f"INV-{year}-{rng.randint(1, 99999):05d}", 20),
            (f"FAC/{year}/{rng.randint(1, 99999):05d}", 12),
            (f"HE-{hexid}", 14),
            (f"DOS-{year}-{rng.randint(1000, 999999)}", 8),
            (f"F{year}-{rng.randint(1, 9999):04d}", 8),
            (f"{year}/{rng.randint(10000, 999999)}", 8),
            (f"REF{rng.randint(10000, 9999999)}", 6),
            (f"D{year % 100}-{rng.randint(100, 99999):05d}", 6),
            (f"CL-{rng.randint(10000, 99999)}-{rng.choice(UPPER)}{rng.choice(UPPER)}", 6),
            (f"{rng.choice(UPPER)}{rng.choice(UPPER)}{rng.randint(100000, 999999)}", 6),
            (f"FACT-{year}{rng.randint(1, 12):02d}-{rng.randint(1, 9999):04d}", 6),
        ),
    )


def client_number(rng: random.Random) -> str:
    return str(rng.randint(100000, 99999999))


def kenmerk(rng: random.Random) -> str:
    """Dutch 16-digit betalingskenmerk; drawn until it fails Luhn so it can never pass for a card."""
    while True:
        s = str(rng.randint(1, 9)) + _digits(rng, 15)
        if not luhn.is_valid(s):
            return rng.choice((" ".join(_fours(s)), s, s))


def company_number(rng: random.Random) -> str:
    """Belgian enterprise number 0xxx.xxx.xxx with its check digits (a company, not a person)."""
    head = "0" + str(rng.randint(2, 9)) + _digits(rng, 6)
    s = head + f"{97 - int(head) % 97:02d}"
    dotted = f"{s[:4]}.{s[4:7]}.{s[7:]}"
    return _pick(rng, ((dotted, 40), (f"BE {dotted}", 20), (f"BE{s}", 20), (f"BE{dotted}", 20)))


POSTCODES = {
    ("fr", "BE"): ("1000 Bruxelles", "4000 Liège", "6000 Charleroi", "5000 Namur", "1348 Louvain-la-Neuve", "7000 Mons")
    + (
        "1030 Schaerbeek",
        "1080 Molenbeek",
        "4020 Liège",
        "1070 Anderlecht",
        "1400 Nivelles",
        "7500 Tournai",
        "6700 Arlon",
    ),
    ("nl", "BE"): ("2000 Antwerpen", "9000 Gent", "3500 Hasselt", "8000 Brugge", "3000 Leuven", "2800 Mechelen")
    + (
        "1000 Brussel",
        "8500 Kortrijk",
        "9300 Aalst",
        "3600 Genk",
        "2060 Antwerpen",
        "8400 Oostende",
        "9100 Sint-Niklaas",
    ),
    ("en", "BE"): ("1000 Brussels", "1050 Ixelles", "2000 Antwerp", "9000 Ghent", "3000 Leuven", "1040 Etterbeek"),
    ("fr", "FR"): ("75011 Paris", "69003 Lyon", "13001 Marseille", "59000 Lille", "33000 Bordeaux", "31000 Toulouse")
    + ("93200 Saint-Denis", "20000 Ajaccio", "97400 Saint-Denis", "67000 Strasbourg", "44000 Nantes", "06000 Nice"),
    ("en", "FR"): ("75011 Paris", "69003 Lyon", "06000 Nice", "31000 Toulouse"),
    ("en", "GB"): ("SW1A 1AA", "M1 1AE", "B33 8TH", "LS1 4AP", "EH1 1YZ", "CR2 6XH", "E1 6AN", "L1 8JQ", "NG1 5FT"),
    ("en", "US"): ("10001", "94103", "60614", "77002", "30303", "85004", "19104", "48201", "33101"),
}


NL_CITIES = (
    ("", 1011, 9999),
    ("", 1011, 9999),
    (" Amsterdam", 1011, 1109),
    (" Rotterdam", 3011, 3089),
    (" Utrecht", 3511, 3585),
    (" Den Haag", 2491, 2597),
    (" Eindhoven", 5611, 5658),
    (" Tilburg", 5011, 5049),
    (" Almere", 1311, 1363),
    (" Groningen", 9711, 9747),
)


def postcode(rng: random.Random, lang: str, locale: str) -> str:
    if locale == "NL":
        letters = rng.choice(UPPER.replace("S", "")) + rng.choice(UPPER)
        city, low, high = rng.choice(NL_CITIES)
        num = rng.randint(low, high)
        return _pick(rng, ((f"{num} {letters}{city}", 60), (f"{num}{letters}", 25), (f"{num} {letters.lower()}", 15)))
    if locale == "FR" and rng.random() < 0.35:
        return _pick(
            rng, ((f"750{rng.randint(1, 20):02d}", 60), (f"{rng.choice(FR_BIG_DEPARTMENTS)}{rng.randint(0, 9)}00", 40))
        )
    if locale == "BE" and rng.random() < 0.3:
        return str(
            rng.choice((1000, 1030, 1050, 1070, 1080, 1200, 2000, 2018, 3000, 3500, 4000, 5000, 6000, 7000, 8000, 9000))
        )
    if locale == "GB" and rng.random() < 0.4:
        out = rng.choice(("SW", "SE", "N", "E", "W", "NW", "M", "B", "LS", "G", "CF", "BS", "L")) + str(
            rng.randint(1, 20)
        )
        return f"{out} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    key = (lang, locale) if (lang, locale) in POSTCODES else ("en", locale)
    return rng.choice(POSTCODES[key])


def clock_time(rng: random.Random, lang: str, locale: str) -> str:
    h = rng.randint(8, 20)
    m = rng.choice((0, 0, 15, 30, 30, 45))
    if lang == "en":
        h12 = h - 12 if h > 12 else h
        ampm = "pm" if h >= 12 else "am"
        return _pick(
            rng,
            (
                (f"{h}:{m:02d}", 35),
                (f"{h12}{ampm}", 30),
                (f"{h12}:{m:02d}", 15),
                (f"{h12} {ampm}", 10),
                (f"{h12}.{m:02d}", 10),
            ),
        )
    if lang == "fr":
        return _pick(rng, ((f"{h}h{m:02d}" if m else f"{h}h", 55), (f"{h}:{m:02d}", 30), (f"{h} h", 15)))
    unit = "u" if locale == "BE" else rng.choice((":", "."))
    return _pick(
        rng,
        (
            (f"{h}{unit}{m:02d}" if unit != "u" or m else f"{h}u", 60),
            (f"{h}:{m:02d}", 25),
            (f"half {h - 12 if h > 12 else h}", 15),
        ),
    )


COUNT_WORDS = {
    "kids": {
        "en": ("kids", "children", "kids"),
        "fr": ("enfants", "enfants", "gosses"),
        "nl": ("kinderen", "kids", "kindjes"),
    },
    "months": {"en": ("months",), "fr": ("mois",), "nl": ("maanden",)},
    "days": {"en": ("days", "working days"), "fr": ("jours",), "nl": ("dagen", "werkdagen")},
    "age": {"en": ("years old", "years old", "yo"), "fr": ("ans",), "nl": ("jaar",)},
    "weeks": {"en": ("weeks",), "fr": ("semaines",), "nl": ("weken",)},
}


def count(rng: random.Random, lang: str, what: str) -> str:
    n = {"kids": (2, 6), "months": (2, 18), "days": (8, 30), "weeks": (2, 8)}[what]
    return f"{rng.randint(*n)} {rng.choice(COUNT_WORDS[what][lang])}"


def day_of_month(rng: random.Random, lang: str) -> str:
    d = rng.choice((1, 5, 10, 15, 20, 25, 25, 28, 30, 3, 7))
    if lang == "en":
        return f"{d}{'st' if d in (1, 21) else 'rd' if d == 3 else 'th'}"
    if lang == "fr":
        return "1er" if d == 1 else str(d)
    return rng.choice((f"{d}e", f"{d}ste" if d in (1, 8) or d >= 20 else f"{d}de", str(d)))


def percent(rng: random.Random, lang: str) -> str:
    v = rng.choice(("10", "12", "8", "15", "20", "7", "2,5", "12,5", "9,75"))
    if lang == "en":
        v = v.replace(",", ".")
    return rng.choice((f"{v}%", f"{v}%", f"{v} %"))


# --------------------------------------------------------------------------------------------------------------------
# Templates.  {SLOT} is filled by a generator; [[a|b|c]] picks one alternative (an empty one is allowed).
# --------------------------------------------------------------------------------------------------------------------

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "CARD": (
            "my card number is {CARD}{CARD_EXTRA}",
            "ok [[just |]]take it from my card {CARD}{CARD_EXTRA}",
            "Here are my card details: {CARD}{CARD_EXTRA}",
            "can you [[just |]]charge {AMOUNT} on this card {CARD}{CARD_EXTRA}",
            "visa {CARD}{CARD_EXTRA} [[pls|please]] take the payment today",
            "the payment link doesn't work so here: {CARD}{CARD_EXTRA}",
            "use my [[debit|credit|bank]] card [[instead|then]] {CARD}{CARD_EXTRA}",
            "{CARD}{CARD_EXTRA} [[that's|thats]] my [[mastercard|visa|card|debit card]]",
            "card no. {CARD}{CARD_EXTRA}, name on the card is the same as on the account",
            "I tried to pay {AMOUNT} online with {CARD} but it got declined",
            "It's my [[wife's|husband's|mum's|partner's]] card {CARD}{CARD_EXTRA} [[she|he]] said it's ok",
            "long number on the card is {CARD}{CARD_EXTRA}",
            "I'll pay the {AMOUNT} by card now. {CARD}{CARD_EXTRA}",
        ),
        "IBAN": (
            "my iban is {IBAN}",
            "you can take it by direct debit from {IBAN}",
            "refund the extra to {IBAN} please",
            "I paid {AMOUNT} from {IBAN} on {DATE}, check it",
            "account {IBAN} ({BANK})",
            "set up the standing order from {IBAN}[[ on the {DAYNUM}|]]",
            "my new bank account is {IBAN}, the old one at {BANK} is closed",
            "iban: {IBAN}\nbic: {BIC}",
            "the money came from my [[partner's|mum's|brother's]] account {IBAN}",
            "IBAN {IBAN} - that's where my wages go",
        ),
        "BE_NATIONAL_NUMBER": (
            "my national number is {NN}",
            "national register number {NN}",
            "you asked for my ID number, it's {NN}",
            "rijksregisternummer {NN} if you need it",
            "the number on the back of my eID is {NN}",
            "born {DOB}, national number {NN}",
            "NN: {NN}",
        ),
        "NL_BSN": (
            "my BSN is {BSN}",
            "BSN number {BSN}",
            "citizen service number: {BSN}",
            "the municipality said to give you my bsn, it's {BSN}",
            "for the payment plan you need my BSN right? {BSN}",
            "burgerservicenummer {BSN}",
            "date of birth {DOB} and BSN {BSN}",
        ),
        "FR_NIR": (
            "my social security number is {NIR}",
            "french social security no {NIR}",
            "numéro de sécu {NIR} (sorry my french is bad)",
            "my carte vitale number is {NIR}",
            "social security number in france: {NIR}",
            "you wanted my insurance number, it's {NIR}",
            "born {DOB}, sécu number {NIR}",
        ),
        "EMAIL": (
            "my email is {EMAIL}",
            "send it to {EMAIL} please",
            "can you email me the payment plan at {EMAIL}",
            "new email: {EMAIL}",
            "I never got the letter, use {EMAIL} instead of post",
            "{EMAIL} is my email",
            "pls mail the invoice {REF} to {EMAIL}",
            "I changed my email to {EMAIL}, the old one got hacked",
            "contact me on {EMAIL} not on my work email",
            "email me at {EMAIL}.",
        ),
        "PHONE": (
            "call me on {PHONE}",
            "my number is {PHONE}",
            "new number {PHONE}",
            "text me at {PHONE} after {TIME}",
            "you can reach me on {PHONE} between {TIME} and {TIME}",
            "don't call my old number, it's {PHONE} now",
            "whatsapp me on {PHONE}",
            "My mobile: {PHONE}",
            "this is my [[wife's|son's|daughter's|friend's]] phone, mine is {PHONE}",
            "phone {PHONE} or email, whatever works",
            "ring me back on {PHONE} pls",
        ),
        "PASSWORD": (
            "my password is {PW}",
            "the password for the portal is {PW} but it doesn't let me in",
            "username is my email and password {PW}",
            "I set the password to {PW} and now it's locked",
            "pw: {PW}",
            "you can log in yourself, password is {PW}",
            "password {PW} - can you check why it fails",
            "I use {PW} as my password for everything lol",
            "my login password: {PW}",
        ),
        "OTP": (
            "the code is {OTP}",
            "I got a code {OTP}",
            "the code they sent me is {OTP}, what do I do with it",
            "verification code: {OTP}",
            "it says enter the code, I received {OTP}",
            "sms code {OTP}",
            "here's the code from the text: {OTP}",
            "the bank app sent me {OTP} as a code to confirm the payment",
            "got the one time code {OTP}",
        ),
        "MULTI": (
            "my email {EMAIL} and phone {PHONE}",
            "login {EMAIL} password {PW}",
            "card {CARD}{CARD_EXTRA} and the code I got is {OTP}",
            "{IDNAME} {ID}, iban {IBAN}",
            "email: {EMAIL}\nphone: {PHONE}\niban: {IBAN}",
            "you can call {PHONE} or send it to {EMAIL}",
            "{IDNAME} is {ID} and my number {PHONE}",
            "refund to {IBAN}, receipt to {EMAIL} please",
        ),
        "NEG": (
            "I can pay {AMOUNT} on {DATE}",
            "can I pay {AMOUNT} a month instead? I have {KIDS} and rent is {AMOUNT}",
            "invoice {REF} was already paid on {DATE}",
            "I paid with the reference {OGM} on {DATE}, did you get it?",
            "why is it {AMOUNT} now, the letter said {AMOUNT}",
            "I lost my job in {YEAR}, I only get {AMOUNT} benefits",
            "my [[postcode|post code|zip code]] is {POSTCODE}, you sent the letter to the wrong address",
            "I moved to {POSTCODE} in {YEAR}",
            "call me after {TIME}, I'm at work",
            "I forgot my password and the reset link doesn't work",
            "I never got any code by sms",
            "the bank says the IBAN {BADIBAN} is not valid, which account do I pay to?",
            "there's a number {BADCARD} on the letter, is that my file number?",
            "my date of birth is {DOB}, the file {REF} isn't even mine",
            "I can do {AMOUNT} now and {AMOUNT} on {DATE}",
            "I get paid on the {DAYNUM}, can I pay then",
            "file number {REF}, I have {KIDS} and no income since {YEAR}",
            "it's been {MONTHS} I'm trying to sort this out",
            "the card ending in {LAST4} was declined, I'll try again on {DATE}",
            "I'm self-employed, company number {VAT}",
            "{PCT} interest on {AMOUNT} is crazy",
            "is {AMOUNT} the full amount for {REF}?",
            "I'll transfer {AMOUNT} tomorrow before {TIME}",
            "my wage is {AMOUNT} net and rent is {AMOUNT}",
            "I already paid {AMOUNT} in {YEAR}, check your records",
            "my bank statement shows transaction {BADCARD} for {AMOUNT}",
            "I can't log in to the portal, it says wrong password",
            "the verification code never arrived, can you resend it",
            "I'll be home after {TIME}, not before",
            "the letter says I have {DAYS} to pay, is that right?",
            "I was born in {YEAR}, I'm not the person you're looking for",
            "I'm {AGE}, I can't work anymore",
            "the council office in {POSTCODE} told me to contact you",
            "client number {CLIENTNR}, can you check my balance",
            "I sent {AMOUNT} on {DATE} with reference {REF}",
            "between {DATE} and {DATE} I was in hospital",
            "the amount of {AMOUNT} is not correct, it should be {AMOUNT}",
            "give me until {DATE} please, I get {AMOUNT} from my tax return",
            "I can pay {AMOUNT} every {DAYNUM} for {MONTHS}",
            "the payment reference {KENMERK} didn't work in my banking app",
            "do you accept {AMOUNT} per week for {WEEKS}?",
            "the bic {BIC} gets rejected, is it right?",
            "I tried the OTP twice and it says expired",
            "I've been paying {AMOUNT} since {YEAR}, how much is left on {REF}?",
            "my landlord wants {AMOUNT} by {DATE}, I can't pay you both",
        ),
        "FILLER": (
            "I'm a single mum",
            "I lost my job",
            "I'm really struggling at the moment",
            "I don't want any trouble",
            "my husband left and I'm alone with the kids",
            "I've been off sick",
            "I'm on universal credit",
            "I'm doing my best here",
            "please stop calling my work",
            "I didn't even know about this debt",
            "this is really stressing me out",
            "my benefits got cut",
        ),
        "OPEN": (
            "hi",
            "Hello",
            "hey",
            "Good morning",
            "good evening",
            "Hi there",
            "sorry for the late reply",
            "ok so",
            "Hello, regarding file {REF}",
            "re {REF}",
            "yes hi",
            "this is about the letter I got",
            "Dear Sir or Madam,",
            "listen",
            "ok",
            "I got your message",
            "hi it's me again",
            "Hi, I spoke to someone yesterday",
            "please read this",
            "hello?",
        ),
        "CLOSE": (
            "thanks",
            "thank you",
            "thx",
            "pls help",
            "please don't send bailiffs",
            "sorry",
            "I'm doing my best",
            "let me know",
            "Kind regards",
            "I'm really stressed about this",
            "cheers",
            "waiting for your answer",
            "can you confirm?",
            "ty",
            "God bless",
            "I don't want problems",
            "ok?",
        ),
    },
    "fr": {
        "CARD": (
            "mon numéro de carte c'est {CARD}{CARD_EXTRA}",
            "voici ma carte {CARD}{CARD_EXTRA}",
            "prenez directement sur ma carte bancaire {CARD}{CARD_EXTRA}",
            "carte visa {CARD}{CARD_EXTRA} vous pouvez prélever {AMOUNT}",
            "le lien marche pas donc voilà : {CARD}{CARD_EXTRA}",
            "{CARD}{CARD_EXTRA} c'est ma [[carte bleue|mastercard|carte|carte de débit]]",
            "j'ai essayé de payer {AMOUNT} avec la carte {CARD} mais ça a été refusé",
            "numéro de ma [[bancontact|carte]] : {CARD}{CARD_EXTRA}",
            "c'est la carte de mon [[mari|copain|frère|père]] {CARD}{CARD_EXTRA} il est d'accord",
            "les chiffres sur la carte : {CARD}{CARD_EXTRA}",
            "Je vous communique mes coordonnées bancaires : carte n° {CARD}{CARD_EXTRA}",
            "je paie par carte alors, {CARD}{CARD_EXTRA}",
            "débitez {AMOUNT} sur {CARD}{CARD_EXTRA} svp",
        ),
        "IBAN": (
            "mon iban c'est {IBAN}",
            "vous pouvez faire la domiciliation sur {IBAN}",
            "remboursez moi le trop-perçu sur {IBAN} svp",
            "j'ai payé {AMOUNT} depuis le compte {IBAN} le {DATE}",
            "mon nouveau compte : {IBAN} ({BANK})",
            "RIB : {IBAN}",
            "prélèvement sur {IBAN} le {DAYNUM} de chaque mois ça me va",
            "le virement vient du compte de ma [[mère|soeur|copine]] {IBAN}",
            "IBAN {IBAN}\nBIC {BIC}",
            "c'est sur ce compte que je reçois mon salaire {IBAN}",
        ),
        "BE_NATIONAL_NUMBER": (
            "mon numéro de registre national est {NN}",
            "numéro national : {NN}",
            "vous m'avez demandé mon NN, c'est {NN}",
            "le numéro au dos de ma carte d'identité c'est {NN}",
            "[[né|née]] le {DOB}, registre national {NN}",
            "mon niss {NN}",
            "n° de registre national {NN} si besoin",
        ),
        "FR_NIR": (
            "mon numéro de sécu c'est {NIR}",
            "numéro de sécurité sociale : {NIR}",
            "voici mon n° de sécu {NIR}",
            "le numéro sur ma carte vitale {NIR}",
            "mon NIR est {NIR}",
            "[[né|née]] le {DOB}, numéro de sécurité sociale {NIR}",
            "la CAF m'a dit de vous donner mon numéro de sécu : {NIR}",
        ),
        "EMAIL": (
            "mon mail c'est {EMAIL}",
            "envoyez moi ça par mail à {EMAIL}",
            "mon adresse e-mail : {EMAIL}",
            "nouvelle adresse mail {EMAIL}",
            "je reçois rien par courrier, écrivez à {EMAIL}",
            "{EMAIL} c'est mon mail perso",
            "envoyez l'échéancier à {EMAIL} svp",
            "vous pouvez m'écrire sur {EMAIL} mais pas sur celui du boulot",
            "la facture {REF} envoyez la à {EMAIL}",
            "mon mail : {EMAIL}.",
        ),
        "PHONE": (
            "appelez moi au {PHONE}",
            "mon numéro c'est le {PHONE}",
            "nouveau numéro : {PHONE}",
            "mon GSM {PHONE}, après {TIME} svp",
            "joignable au {PHONE} entre {TIME} et {TIME}",
            "n'appelez plus l'ancien numéro, c'est {PHONE} maintenant",
            "contactez moi sur whatsapp au {PHONE}",
            "mon portable : {PHONE}",
            "c'est le téléphone de ma [[fille|soeur|voisine]], le mien c'est {PHONE}",
            "tel {PHONE}",
            "rappelez moi au {PHONE} svp",
        ),
        "PASSWORD": (
            "mon mot de passe c'est {PW}",
            "mot de passe : {PW}",
            "le mdp c'est {PW} mais ça marche pas",
            "identifiant c'est mon mail et le mot de passe {PW}",
            "j'ai mis {PW} comme mot de passe et maintenant c'est bloqué",
            "mdp {PW}",
            "connectez vous vous-même, mon mot de passe est {PW}",
            "mon mot de passe pour l'espace client : {PW}",
        ),
        "OTP": (
            "le code c'est {OTP}",
            "j'ai reçu un code {OTP}",
            "le code reçu : {OTP}",
            "code de vérification {OTP}",
            "voilà le code qu'ils m'ont envoyé par sms {OTP}",
            "on me demande un code, j'ai reçu {OTP}",
            "la banque m'a envoyé le code {OTP} pour valider le paiement",
            "code sms : {OTP}",
            "c'est quoi ce code {OTP} que j'ai reçu ?",
        ),
        "MULTI": (
            "mon mail {EMAIL} et mon numéro {PHONE}",
            "identifiant {EMAIL} mot de passe {PW}",
            "carte {CARD}{CARD_EXTRA} et le code reçu c'est {OTP}",
            "{IDNAME} {ID}, iban {IBAN}",
            "mail : {EMAIL}\ntél : {PHONE}\niban : {IBAN}",
            "appelez le {PHONE} ou écrivez à {EMAIL}",
            "mon {IDNAME} c'est {ID} et mon numéro {PHONE}",
            "remboursement sur {IBAN} et le reçu à {EMAIL} svp",
        ),
        "NEG": (
            "je peux payer {AMOUNT} le {DATE}",
            "est-ce que je peux payer {AMOUNT} par mois ? j'ai {KIDS} et un loyer de {AMOUNT}",
            "la facture {REF} a déjà été payée le {DATE}",
            "j'ai fait le virement avec la communication {OGM} le {DATE}",
            "pourquoi c'est {AMOUNT} maintenant alors que le courrier disait {AMOUNT}",
            "j'ai perdu mon travail en {YEAR}, je touche {AMOUNT} de chômage",
            "mon code postal c'est {POSTCODE}, vous avez envoyé à la mauvaise adresse",
            "j'ai déménagé à {POSTCODE} en {YEAR}",
            "appelez après {TIME} je travaille",
            "j'ai oublié mon mot de passe et le lien ne marche pas",
            "j'ai jamais reçu de code par sms",
            "la banque dit que l'iban {BADIBAN} n'est pas valide, je paie où ?",
            "il y a un numéro {BADCARD} sur la lettre, c'est mon dossier ?",
            "je suis [[né|née]] le {DOB}, le dossier {REF} c'est pas moi",
            "je peux faire {AMOUNT} maintenant et {AMOUNT} le {DATE}",
            "je suis payé le {DAYNUM}, je peux payer à ce moment-là",
            "dossier {REF}, j'ai {KIDS} et plus de revenus depuis {YEAR}",
            "ça fait {MONTHS} que j'essaie de régler ça",
            "la carte qui finit par {LAST4} a été refusée, je réessaie le {DATE}",
            "je suis indépendant, numéro d'entreprise {VAT}",
            "{PCT} d'intérêts sur {AMOUNT} c'est abusé",
            "est-ce que {AMOUNT} c'est le total pour {REF} ?",
            "je fais le virement de {AMOUNT} demain avant {TIME}",
            "je gagne {AMOUNT} net et le loyer c'est {AMOUNT}",
            "j'ai déjà payé {AMOUNT} en {YEAR}, vérifiez",
            "sur mon relevé il y a l'opération {BADCARD} de {AMOUNT}",
            "je n'arrive pas à me connecter, mot de passe incorrect",
            "le code de vérification n'arrive jamais, vous pouvez le renvoyer ?",
            "je suis à la maison après {TIME}",
            "le courrier dit que j'ai {DAYS} pour payer, c'est vrai ?",
            "je suis [[né|née]] en {YEAR}, je suis pas la personne que vous cherchez",
            "j'ai {AGE}, je peux plus travailler",
            "l'assistante sociale de {POSTCODE} m'a dit de vous contacter",
            "numéro client {CLIENTNR}, vous pouvez vérifier mon solde ?",
            "j'ai envoyé {AMOUNT} le {DATE} avec la référence {REF}",
            "du {DATE} au {DATE} j'étais à l'hôpital",
            "le montant de {AMOUNT} est faux, c'est {AMOUNT}",
            "laissez moi jusqu'au {DATE}, je reçois {AMOUNT} des impôts",
            "l'huissier m'a dit {AMOUNT} mais vous vous dites {AMOUNT}",
            "mon assistante sociale passe le {DATE} à {TIME}",
            "le BIC {BIC} est refusé par ma banque, c'est le bon ?",
            "j'habite à {POSTCODE} depuis {YEAR}",
            "je peux donner {AMOUNT} par semaine pendant {WEEKS}",
            "ça fait {MONTHS} que je paie {AMOUNT}, il reste combien sur {REF} ?",
            "le propriétaire veut {AMOUNT} avant le {DATE}, je peux pas payer les deux",
        ),
        "FILLER": (
            "je suis maman solo",
            "j'ai perdu mon travail",
            "c'est vraiment dur en ce moment",
            "je veux pas de problèmes",
            "mon mari est parti et je suis seule avec les enfants",
            "je suis en maladie",
            "je suis au CPAS",
            "je fais de mon mieux",
            "arrêtez d'appeler à mon travail svp",
            "je savais même pas que j'avais cette dette",
            "ça me stresse énormément",
            "je suis au RSA",
        ),
        "OPEN": (
            "bonjour",
            "Bonjour",
            "slt",
            "bonsoir",
            "Bonjour Madame, Monsieur,",
            "désolé pour le retard",
            "alors",
            "Bonjour, concernant le dossier {REF}",
            "réf {REF}",
            "oui bonjour",
            "c'est pour le courrier que j'ai reçu",
            "écoutez",
            "ok",
            "j'ai eu votre message",
            "re bonjour c'est encore moi",
            "Bonjour, j'ai eu quelqu'un au téléphone hier",
            "svp lisez ça",
            "allo ?",
            "bjr",
            "salut",
        ),
        "CLOSE": (
            "merci",
            "merci beaucoup",
            "mrc",
            "aidez moi svp",
            "svp pas d'huissier",
            "désolé",
            "je fais ce que je peux",
            "tenez moi au courant",
            "Cordialement",
            "je suis vraiment stressée",
            "bonne journée",
            "j'attends votre réponse",
            "vous pouvez confirmer ?",
            "merci d'avance",
            "je veux juste que ça s'arrête",
            "d'accord ?",
        ),
    },
    "nl": {
        "CARD": (
            "mijn kaartnummer is {CARD}{CARD_EXTRA}",
            "hier is mijn kaart {CARD}{CARD_EXTRA}",
            "haal het maar van mijn creditcard {CARD}{CARD_EXTRA}",
            "visa {CARD}{CARD_EXTRA} mag je {AMOUNT} van afschrijven",
            "de link werkt niet dus hier: {CARD}{CARD_EXTRA}",
            "{CARD}{CARD_EXTRA} is mijn [[bankkaart|mastercard|kaart|bancontact]]",
            "ik heb geprobeerd {AMOUNT} te betalen met kaart {CARD} maar hij werd geweigerd",
            "nummer van mijn bankkaart: {CARD}{CARD_EXTRA}",
            "het is de kaart van mijn [[vrouw|vriendin|moeder|zus]] {CARD}{CARD_EXTRA} ze is akkoord",
            "de cijfers op de kaart zijn {CARD}{CARD_EXTRA}",
            "Mijn kaartgegevens: {CARD}{CARD_EXTRA}",
            "dan maar met de kaart, {CARD}{CARD_EXTRA}",
            "schrijf {AMOUNT} af van {CARD}{CARD_EXTRA} aub",
        ),
        "IBAN": (
            "mijn iban is {IBAN}",
            "jullie mogen het via [[domiciliëring|automatische incasso]] van {IBAN} halen",
            "stort het teveel betaalde terug op {IBAN} aub",
            "ik heb {AMOUNT} betaald van rekening {IBAN} op {DATE}",
            "nieuw rekeningnummer: {IBAN} ({BANK})",
            "rekeningnr {IBAN}",
            "incasso op {IBAN} op de {DAYNUM} is goed",
            "het geld kwam van de rekening van mijn [[moeder|zus|vriend]] {IBAN}",
            "IBAN {IBAN}\nBIC {BIC}",
            "op die rekening komt mijn loon {IBAN}",
        ),
        "BE_NATIONAL_NUMBER": (
            "mijn rijksregisternummer is {NN}",
            "rijksregisternr: {NN}",
            "jullie vroegen mijn nationaal nummer, het is {NN}",
            "het nummer op de achterkant van mijn identiteitskaart is {NN}",
            "geboren op {DOB}, rijksregisternummer {NN}",
            "mijn insz-nummer {NN}",
            "rrn {NN} als je dat nodig hebt",
        ),
        "NL_BSN": (
            "mijn bsn is {BSN}",
            "BSN: {BSN}",
            "burgerservicenummer {BSN}",
            "de gemeente zei dat ik mijn bsn moest geven, het is {BSN}",
            "voor de betalingsregeling hebben jullie mijn BSN nodig toch? {BSN}",
            "geboren {DOB}, bsn {BSN}",
            "mijn burgerservicenummer is {BSN} (staat ook op mijn paspoort)",
        ),
        "EMAIL": (
            "mijn mail is {EMAIL}",
            "stuur het maar naar {EMAIL}",
            "mijn e-mailadres: {EMAIL}",
            "nieuw mailadres {EMAIL}",
            "ik krijg niks per post, mail naar {EMAIL}",
            "{EMAIL} is mijn privé mail",
            "stuur de betalingsregeling naar {EMAIL} aub",
            "je mag mailen naar {EMAIL} maar niet naar mijn werk",
            "de factuur {REF} graag naar {EMAIL}",
            "mail: {EMAIL}.",
        ),
        "PHONE": (
            "bel me op {PHONE}",
            "mijn nummer is {PHONE}",
            "nieuw nummer: {PHONE}",
            "mijn gsm {PHONE}, na {TIME} aub",
            "bereikbaar op {PHONE} tussen {TIME} en {TIME}",
            "bel niet meer naar het oude nummer, het is nu {PHONE}",
            "app me op {PHONE}",
            "mijn mobiel: {PHONE}",
            "dit is de telefoon van mijn [[dochter|zoon|buurvrouw]], de mijne is {PHONE}",
            "tel {PHONE}",
            "bel me terug op {PHONE} aub",
        ),
        "PASSWORD": (
            "mijn wachtwoord is {PW}",
            "wachtwoord: {PW}",
            "het wachtwoord is {PW} maar het werkt niet",
            "gebruikersnaam is mijn mail en wachtwoord {PW}",
            "ik heb {PW} als wachtwoord gezet en nu is het geblokkeerd",
            "ww {PW}",
            "log zelf maar in, mijn wachtwoord is {PW}",
            "mijn wachtwoord voor het klantenportaal: {PW}",
        ),
        "OTP": (
            "de code is {OTP}",
            "ik kreeg een code {OTP}",
            "de code die ik kreeg: {OTP}",
            "verificatiecode {OTP}",
            "dit is de code die ze per sms stuurden {OTP}",
            "ze vragen een code, ik heb {OTP} gekregen",
            "de bank stuurde de code {OTP} om de betaling te bevestigen",
            "sms-code: {OTP}",
            "wat moet ik met die code {OTP} die ik kreeg?",
        ),
        "MULTI": (
            "mijn mail {EMAIL} en mijn nummer {PHONE}",
            "gebruikersnaam {EMAIL} wachtwoord {PW}",
            "kaart {CARD}{CARD_EXTRA} en de code die ik kreeg is {OTP}",
            "{IDNAME} {ID}, iban {IBAN}",
            "mail: {EMAIL}\ntel: {PHONE}\niban: {IBAN}",
            "bel {PHONE} of mail naar {EMAIL}",
            "mijn {IDNAME} is {ID} en mijn nummer {PHONE}",
            "terugstorten op {IBAN} en het bewijs naar {EMAIL} aub",
        ),
        "NEG": (
            "ik kan {AMOUNT} betalen op {DATE}",
            "mag ik {AMOUNT} per maand betalen? ik heb {KIDS} en de huur is {AMOUNT}",
            "factuur {REF} is al betaald op {DATE}",
            "ik heb overgeschreven met mededeling {OGM} op {DATE}",
            "waarom is het nu {AMOUNT}, in de brief stond {AMOUNT}",
            "ik ben mijn werk kwijt sinds {YEAR}, ik krijg {AMOUNT} uitkering",
            "mijn postcode is {POSTCODE}, jullie hebben de brief naar het verkeerde adres gestuurd",
            "ik ben verhuisd naar {POSTCODE} in {YEAR}",
            "bel na {TIME}, ik ben aan het werk",
            "ik ben mijn wachtwoord vergeten en de link werkt niet",
            "ik heb nooit een code gekregen per sms",
            "de bank zegt dat iban {BADIBAN} niet klopt, waar moet ik naar betalen?",
            "er staat een nummer {BADCARD} op de brief, is dat mijn dossier?",
            "ik ben geboren op {DOB}, dossier {REF} is niet van mij",
            "ik kan nu {AMOUNT} doen en {AMOUNT} op {DATE}",
            "ik krijg mijn loon op de {DAYNUM}, kan ik dan betalen",
            "dossier {REF}, ik heb {KIDS} en geen inkomen sinds {YEAR}",
            "ik probeer dit al {MONTHS} op te lossen",
            "de kaart die eindigt op {LAST4} werd geweigerd, ik probeer opnieuw op {DATE}",
            "ik ben zelfstandige, ondernemingsnummer {VAT}",
            "{PCT} rente op {AMOUNT} is belachelijk",
            "is {AMOUNT} het volledige bedrag voor {REF}?",
            "ik stort {AMOUNT} morgen voor {TIME}",
            "ik verdien {AMOUNT} netto en de huur is {AMOUNT}",
            "ik heb in {YEAR} al {AMOUNT} betaald, kijk het na",
            "op mijn afschrift staat transactie {BADCARD} van {AMOUNT}",
            "ik kan niet inloggen, er staat wachtwoord onjuist",
            "de verificatiecode komt nooit aan, kunnen jullie die opnieuw sturen?",
            "ik ben pas thuis na {TIME}",
            "in de brief staat dat ik {DAYS} heb om te betalen, klopt dat?",
            "ik ben geboren in {YEAR}, ik ben niet de persoon die jullie zoeken",
            "ik ben {AGE}, ik kan niet meer werken",
            "het OCMW in {POSTCODE} zei dat ik jullie moest contacteren",
            "klantnummer {CLIENTNR}, kunnen jullie mijn saldo nakijken?",
            "ik heb {AMOUNT} gestuurd op {DATE} met kenmerk {REF}",
            "van {DATE} tot {DATE} lag ik in het ziekenhuis",
            "het bedrag van {AMOUNT} klopt niet, het moet {AMOUNT} zijn",
            "geef me tot {DATE} aub, dan krijg ik {AMOUNT} van de belastingen",
            "betalingskenmerk {KENMERK} werkt niet in mijn bank app",
            "de deurwaarder zei {AMOUNT} maar jullie zeggen {AMOUNT}",
            "de BIC {BIC} wordt geweigerd, klopt die wel?",
            "ik woon al sinds {YEAR} in {POSTCODE}",
            "kan ik {AMOUNT} per week betalen gedurende {WEEKS}?",
            "ik betaal al {MONTHS} {AMOUNT}, hoeveel staat er nog open op {REF}?",
            "de huisbaas wil {AMOUNT} voor {DATE}, ik kan niet allebei betalen",
        ),
        "FILLER": (
            "ik ben alleenstaande moeder",
            "ik ben mijn werk kwijt",
            "het is echt zwaar nu",
            "ik wil geen problemen",
            "mijn man is weg en ik sta er alleen voor met de kinderen",
            "ik ben ziek thuis",
            "ik zit in de schuldhulpverlening",
            "ik doe mijn best",
            "bel aub niet meer naar mijn werk",
            "ik wist niet eens van deze schuld",
            "ik word hier echt gek van",
            "ik leef van een uitkering",
        ),
        "OPEN": (
            "hallo",
            "Hallo",
            "hoi",
            "goedemorgen",
            "Goedemiddag",
            "Beste,",
            "sorry voor de late reactie",
            "dus",
            "Goedendag, over dossier {REF}",
            "ivm {REF}",
            "ja hallo",
            "het gaat over de brief die ik kreeg",
            "luister",
            "ok",
            "ik kreeg jullie bericht",
            "hallo ik weer",
            "Hallo, ik heb gisteren iemand aan de lijn gehad",
            "lees dit even aub",
            "dag",
            "hey",
        ),
        "CLOSE": (
            "bedankt",
            "dankjewel",
            "thx",
            "help me aub",
            "aub geen deurwaarder",
            "sorry",
            "ik doe wat ik kan",
            "laat maar iets weten",
            "Met vriendelijke groeten",
            "ik ben echt gestresseerd",
            "fijne dag",
            "ik wacht op jullie antwoord",
            "kunnen jullie dat bevestigen?",
            "alvast bedankt",
            "ik wil gewoon dat dit stopt",
            "oke?",
        ),
    },
}

# Cue words that say what follows is a card expiry or a CVC.
EXPIRY_CUES = {
    "en": (
        "exp",
        "exp.",
        "exp:",
        "expiry",
        "expiry date",
        "expires",
        "exp date",
        "valid thru",
        "valid till",
        "good thru",
    ),
    "fr": (
        "exp",
        "exp.",
        "expire",
        "expire le",
        "date d'expiration",
        "date d'exp",
        "valable jusqu'au",
        "fin de validité",
        "expiration :",
    ),
    "nl": ("exp", "vervaldatum", "vervalt", "geldig tot", "geldig t/m", "vervaldatum:", "exp.", "vervaldag"),
}
CVC_CUES = {
    "en": (
        "cvc",
        "cvv",
        "cvc:",
        "CVV",
        "security code",
        "cvv2",
        "the 3 numbers on the back",
        "code on the back",
        "sec code",
    ),
    "fr": (
        "cvc",
        "cvv",
        "crypto",
        "cryptogramme",
        "code de sécurité",
        "les 3 chiffres derrière",
        "code au dos",
        "cvv :",
    ),
    "nl": (
        "cvc",
        "cvv",
        "cvc-code",
        "beveiligingscode",
        "controlecode",
        "de 3 cijfers achteraan",
        "code achterop",
        "cvc:",
    ),
}
ID_NAMES = {
    ("en", "BE"): ("national number", "national register number", "ID number"),
    ("en", "NL"): ("BSN", "bsn", "citizen service number"),
    ("en", "FR"): ("social security number", "sécu number"),
    ("fr", "BE"): ("numéro national", "registre national", "NN"),
    ("fr", "FR"): ("numéro de sécu", "n° de sécurité sociale", "NIR"),
    ("nl", "BE"): ("rijksregisternummer", "rijksregisternr", "nationaal nummer"),
    ("nl", "NL"): ("BSN", "bsn", "burgerservicenummer"),
}


# --------------------------------------------------------------------------------------------------------------------
# Filling templates
# --------------------------------------------------------------------------------------------------------------------

SLOT_RE = re.compile(r"\{([A-Z0-9_]+)\}")
ALT_RE = re.compile(r"\[\[([^\[\]]*)\]\]")

# A segment is ("t", text), ("e", entity type, value) or ("k", value to keep).
Segment = tuple


@dataclass
class Ctx:
    rng: random.Random
    lang: str
    locale: str
    birth: date
    sex: str
    first: str
    last: str
    brand: str = "visa"
    types: list[str] = field(default_factory=list)


def _e(kind: str, value: str) -> list[Segment]:
    return [("e", kind, value)]


def _k(value: str) -> list[Segment]:
    return [("k", value)]


def _card(ctx: Ctx) -> list[Segment]:
    ctx.brand = _pick(ctx.rng, CARD_BRANDS_BY_LOCALE[ctx.locale])
    return _e("CARD", format_card(ctx.rng, card_number(ctx.rng, ctx.brand), ctx.brand))


def _card_extra(ctx: Ctx) -> list[Segment]:
    """What people type after the number: an expiry and a CVC, labelled only when a cue says what they are."""
    rng = ctx.rng
    r = rng.random()
    if r < 0.28:
        return []
    exp, cvc = card_expiry(rng), card_cvc(rng, ctx.brand)
    if r < 0.33:  # bare "04/28 123" with no cue: neither labelled nor required to survive
        return [("t", rng.choice((" ", " ", ", ", "\n")) + exp + rng.choice((" ", " ", ", ")) + cvc)]
    with_exp = rng.random() < 0.86
    with_cvc = not with_exp or rng.random() < 0.72
    pieces = []
    if with_exp:
        pieces.append((rng.choice(EXPIRY_CUES[ctx.lang]), "CARD_EXPIRY", exp))
    if with_cvc:
        pieces.append((rng.choice(CVC_CUES[ctx.lang]), "CARD_CVC", cvc))
    if len(pieces) == 2 and rng.random() < 0.2:
        pieces.reverse()
    out: list[Segment] = []
    for cue, kind, value in pieces:
        sep = rng.choice((" ", " ", " ", ", ", " - ", "\n", "  "))
        glue = " " if cue.endswith(":") or rng.random() < 0.85 else (": " if rng.random() < 0.5 else ":")
        if glue == ":" and cue.endswith(":"):
            glue = ""
        out.append(("t", sep + cue + glue))
        out.append(("e", kind, value))
    return out


def _iban(ctx: Ctx) -> list[Segment]:
    country = _pick(ctx.rng, IBAN_COUNTRIES_BY_LOCALE[ctx.locale])
    return _e("IBAN", format_iban(ctx.rng, iban_number(ctx.rng, country)))


def _national_id(ctx: Ctx, kind: str) -> list[Segment]:
    rng = ctx.rng
    if kind == "BE_NATIONAL_NUMBER":
        return _e(kind, format_be_nn(rng, be_national_number(rng, ctx.birth, ctx.sex)))
    if kind == "NL_BSN":
        return _e(kind, format_bsn(rng, nl_bsn_number(rng)))
    return _e(kind, format_nir(rng, fr_nir_number(rng, ctx.birth, ctx.sex)))


def _phone(ctx: Ctx) -> list[Segment]:
    rng = ctx.rng
    region = ctx.locale
    if rng.random() < 0.12:
        region = rng.choice(REGIONS)
    return _e("PHONE", format_phone(rng, region, phone_nsn(rng, region, rng.random() < 0.82)))


def _bad_iban(ctx: Ctx) -> list[Segment]:
    country = _pick(ctx.rng, IBAN_COUNTRIES_BY_LOCALE[ctx.locale])
    return _k(invalid_iban(ctx.rng, country))


SLOTS = {
    "CARD": _card,
    "CARD_EXTRA": _card_extra,
    "IBAN": _iban,
    "NN": lambda c: _national_id(c, "BE_NATIONAL_NUMBER"),
    "BSN": lambda c: _national_id(c, "NL_BSN"),
    "NIR": lambda c: _national_id(c, "FR_NIR"),
    "ID": lambda c: _national_id(c, NATIONAL_ID[c.locale]),
    "IDNAME": lambda c: [("t", c.rng.choice(ID_NAMES[(c.lang, c.locale)]))],
    "EMAIL": lambda c: _e("EMAIL", email_address(c.rng, c.locale, c.first, c.last, c.birth)),
    "PHONE": _phone,
    "PW": lambda c: _e("PASSWORD", password(c.rng, c.lang, c.birth)),
    "OTP": lambda c: _e("OTP", otp_code(c.rng)),
    "AMOUNT": lambda c: _k(amount(c.rng, c.lang, c.locale)),
    "DATE": lambda c: _k(payment_date(c.rng, c.lang, c.locale)),
    "DOB": lambda c: _k(birth_date_text(c.rng, c.lang, c.locale, c.birth)),
    "REF": lambda c: _k(reference(c.rng)),
    "OGM": lambda c: _k(ogm(c.rng)),
    "POSTCODE": lambda c: _k(postcode(c.rng, c.lang, c.locale)),
    "YEAR": lambda c: _k(str(c.rng.randint(2012, 2026))),
    "TIME": lambda c: _k(clock_time(c.rng, c.lang, c.locale)),
    "KIDS": lambda c: _k(count(c.rng, c.lang, "kids")),
    "MONTHS": lambda c: _k(count(c.rng, c.lang, "months")),
    "DAYS": lambda c: _k(count(c.rng, c.lang, "days")),
    "WEEKS": lambda c: _k(count(c.rng, c.lang, "weeks")),
    "AGE": lambda c: _k(f"{2026 - c.birth.year} {c.rng.choice(COUNT_WORDS['age'][c.lang])}"),
    "DAYNUM": lambda c: _k(day_of_month(c.rng, c.lang)),
    "PCT": lambda c: _k(percent(c.rng, c.lang)),
    "BADCARD": lambda c: _k(invalid_card(c.rng)),
    "BADIBAN": _bad_iban,
    "VAT": lambda c: _k(company_number(c.rng)),
    "BIC": lambda c: _k(c.rng.choice(BICS)),
    "KENMERK": lambda c: _k(kenmerk(c.rng)),
    "LAST4": lambda c: _k(_digits(c.rng, 4)),
    "CLIENTNR": lambda c: _k(client_number(c.rng)),
    "BANK": lambda c: [("t", c.rng.choice(BANK_NAMES.get(c.locale, BANK_NAMES["GB"])))],
}


def _alternatives(rng: random.Random, template: str) -> str:
    while True:
        m = ALT_RE.search(template)
        if not m:
            return template
        template = template[: m.start()] + rng.choice(m.group(1).split("|")) + template[m.end() :]


def expand(ctx: Ctx, template: str) -> list[Segment]:
    text = _alternatives(ctx.rng, template)
    out: list[Segment] = []
    pos = 0
    for m in SLOT_RE.finditer(text):
        if m.start() > pos:
            out.append(("t", text[pos : m.start()]))
        out.extend(SLOTS[m.group(1)](ctx))
        pos = m.end()
    if pos < len(text):
        out.append(("t", text[pos:]))
    return out


# --------------------------------------------------------------------------------------------------------------------
# How people type: case, abbreviations, accents, typos, emoji
# --------------------------------------------------------------------------------------------------------------------

ABBREVIATIONS = {
    "en": (
        (r"\byou\b", ("u",)),
        (r"\byour\b", ("ur", "your")),
        (r"\bplease\b", ("pls", "plz", "please")),
        (r"\bthank you\b|\bthanks\b", ("thx", "ty", "thanks")),
        (r"\bbecause\b", ("bc", "cuz", "coz")),
        (r"\btomorrow\b", ("tmrw", "tmr")),
        (r"\bdon't\b", ("dont",)),
        (r"\bcan't\b", ("cant",)),
        (r"\bi'm\b", ("im",)),
        (r"\bit's\b", ("its",)),
        (r"\bdoesn't\b", ("doesnt",)),
        (r"\bdidn't\b", ("didnt",)),
        (r"\bi don't know\b", ("idk",)),
        (r"\bright now\b", ("rn",)),
        (r"\bare\b", ("r",)),
        (r"\bokay\b", ("ok", "k")),
        (r"\bwant to\b", ("wanna",)),
        (r"\bbefore\b", ("b4",)),
        (r"\bmessage\b", ("msg",)),
        (r"\bthat's\b", ("thats",)),
        (r"\bi've\b", ("ive",)),
        (r"\bi'll\b", ("ill", "i'll")),
        (r"\bwith\b", ("w", "with")),
    ),
    "fr": (
        (r"\bje suis\b", ("jsuis", "chui", "je suis")),
        (r"\bs'il vous plaît\b", ("svp", "stp")),
        (r"\bparce que\b", ("pcq", "psk", "parce que")),
        (r"\bbeaucoup\b", ("bcp",)),
        (r"\bje ne peux pas\b|\bje peux pas\b", ("jpeux pas", "je peux pas")),
        (r"\bje ne sais pas\b", ("jsp", "je sais pas")),
        (r"\bc'est\b", ("c", "c'est", "cest")),
        (r"\baujourd'hui\b", ("ajd", "auj")),
        (r"\bquelque chose\b", ("qqch", "qqc")),
        (r"\btoujours\b", ("tjrs", "tjs")),
        (r"\bpourquoi\b", ("pk", "pq", "pourquoi")),
        (r"\bbonjour\b", ("bjr", "bonjour", "bonjours")),
        (r"\bd'accord\b", ("dac", "dacc", "ok")),
        (r"\bdésolée?\b", ("dsl",)),
        (r"\bvous\b", ("vs", "vous", "vous")),
        (r"\bavec\b", ("avc",)),
        (r"\bmessage\b", ("msg",)),
        (r"\bmot de passe\b", ("mdp", "mot de passe")),
        (r"\bje n'ai pas\b", ("j'ai pas",)),
        (r"\bil y a\b", ("ya", "y a")),
        (r"\bmaintenant\b", ("mnt", "mtn", "maintenant")),
        (r"\bmerci\b", ("mrc", "merci", "mercii")),
        (r"\btéléphone\b", ("tel", "tél")),
        (r"\bqu'est-ce que\b|\best-ce que\b", ("est ce que", "esque")),
        (r"\bj'ai\b", ("jai", "j'ai", "g")),
    ),
    "nl": (
        (r"\beven\b", ("ff", "effe", "efkes")),
        (r"\balsjeblieft\b|\balstublieft\b", ("aub", "ajb", "alsjeblieft")),
        (r"\bniet\b", ("nie", "niet", "niet")),
        (r"\bmisschien\b", ("mss", "misschien")),
        (r"\bik weet het niet\b", ("ik weet het nie", "idk", "weet ik nie")),
        (r"\bbedankt\b", ("bdankt", "thx", "merci")),
        (r"\bdankjewel\b", ("dankje", "dankuwel", "thx")),
        (r"\bgoedemorgen\b", ("goeiemorgen", "morgen")),
        (r"\bdat\b", ("da", "dat", "dat")),
        (r"\bwat\b", ("wa", "wat")),
        (r"\bhet\b", ("'t", "het", "het")),
        (r"\bik heb\b", ("'k heb", "ik heb", "heb")),
        (r"\bvoor\b", ("vr", "voor", "voor")),
        (r"\bbericht\b", ("berichtje", "msg")),
        (r"\bwachtwoord\b", ("ww", "wachtwoord", "pw")),
        (r"\bjullie\b", ("jullie", "jllie", "julle")),
        (r"\bgewoon\b", ("gwn",)),
        (r"\bnatuurlijk\b", ("tuurlijk",)),
        (r"\bsorry\b", ("sry", "sorry", "srry")),
        (r"\bok\b", ("oke", "oké", "okee")),
    ),
}
_ABBREVIATIONS = {lang: tuple((re.compile(p), r) for p, r in items) for lang, items in ABBREVIATIONS.items()}
# Typos never touch the words that tell a reader what a number is.
PROTECTED = re.compile(
    r"pass|word|woord|code|mdp|exp|cvc|cvv|valid|verval|geldig|valable|crypt|secu|sécu|beveilig|chiffre|cijfer|digit"
    r"|number|numéro|nummer|otp|sms|iban|card|carte|kaart|login|sofi|bsn|registre|register|vitale",
    re.IGNORECASE,
)
NEIGHBOURS = dict(
    zip(
        "azertyuiopqsdfghjklmwxcvbn",
        ("zq", "ae", "zr", "et", "ry", "tu", "yi", "uo", "ip", "ol", "as", "qd", "sf", "dg", "fh", "gj", "hk", "jl")
        + ("km", "ln", "xw", "wc", "xv", "cb", "vn", "bm"),
        strict=True,
    )
)
EMOJI = ("🙏", "😢", "😔", "🙁", "😭", "👍", "😡", "🤞", "🙏🏻", "❤️", "😩", "🥺", "😅", "💔", "👌", "😞", "🤷‍♀️", "😤")
WORD_RE = re.compile(r"[^\W\d_]{5,}")


@dataclass
class Style:
    lower: bool
    abbrev: float
    accents: bool
    typos: float
    curly: bool
    shout: bool
    emoji: float
    formal: bool


def _style(rng: random.Random, lang: str) -> Style:
    kind = _pick(rng, (("formal", 25), ("casual", 45), ("messy", 30)))
    if kind == "formal":
        return Style(False, 0.0, False, 0.0, rng.random() < 0.35, False, 0.03, True)
    if kind == "casual":
        lower = rng.random() < 0.55
        return Style(
            lower,
            0.45 if lower else 0.0,
            lang != "en" and rng.random() < 0.25,
            0.012,
            rng.random() < 0.2,
            False,
            0.3,
            False,
        )
    return Style(True, 0.8, lang != "en" and rng.random() < 0.6, 0.035, False, rng.random() < 0.03, 0.45, False)


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    r = rng.random()
    if r < 0.35:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if r < 0.6:
        return word[:i] + word[i + 1 :]
    if r < 0.8:
        return word[:i] + word[i] + word[i:]
    near = NEIGHBOURS.get(word[i].lower())
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word


def _noisy(rng: random.Random, text: str, lang: str, style: Style) -> str:
    if style.lower:
        text = text.lower()
    if style.abbrev:
        for pattern, replacements in _ABBREVIATIONS[lang]:

            def abbreviate(m: re.Match, replacements: tuple[str, ...] = replacements) -> str:
                return rng.choice(replacements) if rng.random() < style.abbrev else m.group(0)

            text = pattern.sub(abbreviate, text)
    if style.accents:
        text = strip_accents(text)
    if style.typos:

        def typo(m: re.Match) -> str:
            word = m.group(0)
            if PROTECTED.search(word) or rng.random() >= style.typos:
                return word
            return _typo(rng, word)

        text = WORD_RE.sub(typo, text)
    if style.curly:
        text = text.replace("'", "’")
    if style.shout:
        text = text.upper()
    return text


# --------------------------------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------------------------------

TYPE_WEIGHTS = {
    "BE": (("CARD", 1.3), ("IBAN", 1.2), ("BE_NATIONAL_NUMBER", 2.0), ("EMAIL", 1.0), ("PHONE", 1.0))
    + (("PASSWORD", 1.0), ("OTP", 1.0), ("MULTI", 0.6)),
    "NL": (("CARD", 1.1), ("IBAN", 1.2), ("NL_BSN", 2.7), ("EMAIL", 1.0), ("PHONE", 1.0))
    + (("PASSWORD", 1.0), ("OTP", 1.0), ("MULTI", 0.6)),
    "FR": (("CARD", 1.3), ("IBAN", 1.1), ("FR_NIR", 2.9), ("EMAIL", 1.0), ("PHONE", 1.0))
    + (("PASSWORD", 1.0), ("OTP", 1.0), ("MULTI", 0.6)),
    "GB": (
        ("CARD", 1.5),
        ("IBAN", 0.9),
        ("EMAIL", 1.1),
        ("PHONE", 1.2),
        ("PASSWORD", 1.1),
        ("OTP", 1.1),
        ("MULTI", 0.6),
    ),
    "US": (
        ("CARD", 1.6),
        ("IBAN", 0.3),
        ("EMAIL", 1.1),
        ("PHONE", 1.2),
        ("PASSWORD", 1.1),
        ("OTP", 1.1),
        ("MULTI", 0.6),
    ),
}


def _template(ctx: Ctx, group: str) -> str:
    options = TEMPLATES[ctx.lang][group]
    if ctx.locale not in NATIONAL_ID:
        options = tuple(t for t in options if "{ID}" not in t and "{IDNAME}" not in t)
    return ctx.rng.choice(options)


def _person(rng: random.Random, lang: str) -> Ctx:
    locale = _pick(rng, LOCALES[lang])
    if rng.random() < 0.14:
        birth = date(2000, 1, 1) + timedelta(days=rng.randint(0, 8 * 365))
    else:
        birth = date(1948, 1, 1) + timedelta(days=rng.randint(0, 52 * 365 - 1))
    sex = rng.choice("MF")
    firsts, lasts = NAMES[locale]
    return Ctx(rng, lang, locale, birth, sex, rng.choice(firsts), rng.choice(lasts))


def _parts(ctx: Ctx, has_pii: bool) -> list[list[Segment]]:
    rng = ctx.rng
    parts: list[list[Segment]] = []
    if has_pii:
        weights = TYPE_WEIGHTS[ctx.locale]
        kinds = [_pick(rng, weights)]
        if kinds[0] != "MULTI" and rng.random() < 0.2:
            kinds.append(_pick(rng, [(k, w) for k, w in weights if k not in kinds and k != "MULTI"]))
            if rng.random() < 0.12:
                kinds.append(_pick(rng, [(k, w) for k, w in weights if k not in kinds and k != "MULTI"]))
        parts = [expand(ctx, _template(ctx, kind)) for kind in kinds]
        if rng.random() < 0.3:
            parts.insert(rng.randint(0, len(parts)), expand(ctx, _template(ctx, "NEG")))
        if rng.random() < 0.15:
            parts.insert(rng.randint(0, len(parts)), expand(ctx, _template(ctx, "FILLER")))
    else:
        parts = [expand(ctx, _template(ctx, "NEG"))]
        if rng.random() < 0.3:
            parts.append(expand(ctx, _template(ctx, "NEG")))
        if rng.random() < 0.3:
            parts.insert(rng.randint(0, len(parts)), expand(ctx, _template(ctx, "FILLER")))
    if rng.random() < 0.45:
        parts.insert(0, expand(ctx, _template(ctx, "OPEN")))
    if rng.random() < 0.35:
        parts.append(expand(ctx, _template(ctx, "CLOSE")))
    return parts


def _ends_open(part: list[Segment]) -> bool:
    """True when a part ends in a password: punctuation right after it could be read as part of it."""
    return bool(part) and part[-1][0] == "e" and part[-1][1] == "PASSWORD"


def _capitalise(part: list[Segment]) -> list[Segment]:
    if part and part[0][0] == "t" and part[0][1][:1].isalpha():
        return [("t", part[0][1][0].upper() + part[0][1][1:]), *part[1:]]
    return part


def _join(rng: random.Random, parts: list[list[Segment]], style: Style) -> list[Segment]:
    out: list[Segment] = []
    for i, part in enumerate(parts):
        if style.formal or (i == 0 and not style.lower and rng.random() < 0.5):
            part = _capitalise(part)
        if i:
            prev = parts[i - 1]
            last = prev[-1][1] if prev[-1][0] == "t" else prev[-1][-1]
            if _ends_open(prev):
                sep = rng.choice((" ", "\n", "\n\n"))
            elif last[-1:] in ".?!:,":
                sep = rng.choice((" ", "\n")) if style.formal else rng.choice((" ", "\n", "  "))
            elif style.formal:
                sep = rng.choice((". ", ". ", ".\n", "\n"))
            elif style.lower and style.abbrev > 0.5:
                sep = rng.choice((" ", " ", "  ", "\n", "... ", "!! ", " , ", ".. "))
            else:
                sep = rng.choice((" ", ", ", ". ", "\n", " - ", ". "))
            if rng.random() < style.emoji * 0.4 and not _ends_open(prev):
                sep = " " + rng.choice(EMOJI) + sep.lstrip(".,!")
            out.append(("t", sep))
        out.extend(part)
    tail = out[-1]
    last_char = tail[1][-1:] if tail[0] == "t" else tail[-1][-1:]
    if not _ends_open(parts[-1]) and last_char.isalnum():
        if style.formal:
            out.append(("t", "."))
        elif rng.random() < 0.25:
            out.append(("t", rng.choice(("!", "!!", "??", "...", "!!!", "?", "."))))
    if rng.random() < style.emoji:
        out.append(("t", " " + rng.choice(EMOJI) * rng.choice((1, 1, 1, 2, 3))))
    return out


def _assemble(rng: random.Random, ctx: Ctx, segments: list[Segment], style: Style) -> dict:
    text: list[str] = []
    entities: list[dict] = []
    keep: list[str] = []
    pos = 0
    for seg in segments:
        if seg[0] == "t":
            piece = _noisy(rng, seg[1], ctx.lang, style)
        elif seg[0] == "k":
            piece = seg[1].lower() if style.lower and rng.random() < 0.4 else seg[1]
            if piece not in keep:
                keep.append(piece)
        else:
            piece = seg[2]
            entities.append({"type": seg[1], "start": pos, "end": pos + len(piece), "value": piece})
        text.append(piece)
        pos += len(piece)
    return {"text": "".join(text), "lang": ctx.lang, "entities": entities, "keep": keep}


def message(rng: random.Random, lang: str, has_pii: bool) -> dict:
    """One message; drawn again (same stream, so still deterministic) if it leaks PII outside its labels."""
    while True:
        ctx = _person(rng, lang)
        style = _style(rng, lang)
        msg = _assemble(rng, ctx, _join(rng, _parts(ctx, has_pii), style), style)
        if bool(msg["entities"]) == has_pii and not unlabelled_pii(msg["text"], msg["entities"]):
            return msg


# --------------------------------------------------------------------------------------------------------------------
# A guard: nothing outside the labelled spans may itself be valid personal data (a keep that happens to pass Luhn...)
# --------------------------------------------------------------------------------------------------------------------

RUN_RE = re.compile(r"\+?\d(?:\d|[ .\-/](?=\d))*")
US_PHONE_RE = re.compile(r"\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}")
IBAN_LIKE_RE = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,32}")
MASK = "\u2588"


def _masked(text: str, entities: list[dict]) -> str:
    chars = list(text)
    for e in entities:
        chars[e["start"] : e["end"]] = MASK * (e["end"] - e["start"])
    return "".join(chars)


def _valid_phone(s: str) -> bool:
    for region in REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(s, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def unlabelled_pii(text: str, entities: list[dict]) -> list[str]:
    """Values outside the entity spans that would validate as a card, IBAN, national ID, phone or e-mail."""
    masked = _masked(text, entities)
    found = []
    if "@" in masked or "(at)" in masked.lower() or "[at]" in masked.lower():
        found.append("email")
    for m in RUN_RE.finditer(masked):
        run = m.group(0)
        groups = re.findall(r"\d+", run)
        for i in range(len(groups)):
            for j in range(i + 1, len(groups) + 1):
                digits = "".join(groups[i:j])
                n = len(digits)
                if 13 <= n <= 19 and luhn.is_valid(digits):
                    found.append("card:" + run)
                elif n == 9 and nl_bsn.is_valid(digits):
                    found.append("bsn:" + run)
                elif n == 11 and be_nn.is_valid(digits):
                    found.append("nn:" + run)
                elif n == 15 and fr_nir.is_valid(digits):
                    found.append("nir:" + run)
        digits = "".join(groups)
        phone_shaped = (run[0] in "+0" and len(digits) >= 9) or US_PHONE_RE.fullmatch(run)
        if phone_shaped and _valid_phone(run):
            found.append("phone:" + run)
    for m in IBAN_LIKE_RE.finditer(masked):
        compact = re.sub(r"[ \-]", "", m.group(0)).upper()
        for end in range(15, min(len(compact), 34) + 1):
            try:
                IBAN(compact[:end])
            except ValueError:
                continue
            found.append("iban:" + m.group(0))
            break
    return found


# --------------------------------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------------------------------


def corpus(n: int = 12000, seed: int = 7) -> list[dict]:
    """``n`` messages, a third in each language, ``NO_PII_SHARE`` of them with no personal data at all."""
    rng = random.Random(seed)
    langs = [LANGS[i % len(LANGS)] for i in range(n)]
    no_pii = round(n * NO_PII_SHARE)
    flags = [False] * no_pii + [True] * (n - no_pii)
    rng.shuffle(langs)
    rng.shuffle(flags)
    return [message(rng, lang, has_pii) for lang, has_pii in zip(langs, flags, strict=True)]


def summary(messages: list[dict]) -> dict:
    return {
        "messages": len(messages),
        "languages": dict(sorted(Counter(m["lang"] for m in messages).items())),
        "without_pii": sum(1 for m in messages if not m["entities"]),
        "entities": {t: c for t, c in sorted(Counter(e["type"] for m in messages for e in m["entities"]).items())},
        "keep": sum(len(m["keep"]) for m in messages),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="file to write (JSON lines); standard output when left out")
    parser.add_argument("--n", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    messages = corpus(args.n, args.seed)
    elapsed = time.perf_counter() - started
    lines = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(lines)
    else:
        sys.stdout.write(lines)
    print(json.dumps({**summary(messages), "seconds": round(elapsed, 2)}, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
