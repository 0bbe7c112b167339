"""Checks the hand-written redaction set in messages.yml: the file itself, not any redactor.

Every label is checked against its text, and every number that claims to be a card, an IBAN or a
national identifier is checked with an independent validator (stdnum, schwifty, phonenumbers), so
that a redactor tested against this file is never asked to remove something invalid or keep
something valid by mistake.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import phonenumbers
import yaml
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.fr import nir as fr_nir
from stdnum.nl import bsn as nl_bsn

FILE = Path(__file__).with_name("messages.yml")
LANGS = ("en", "fr", "nl")
MIN_PER_LANG = 150

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
NUMBERISH = re.compile(r"[\d\s.\-/()+]+")
IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
EXPIRY_SHAPE = re.compile(r"(0?[1-9]|1[0-2])\s?[/\-.]\s?(\d{2}|20\d{2})|(0[1-9]|1[0-2])\d{2}")
PHONE_REGIONS = ("BE", "NL", "FR", "GB", "US")

# Words that tell what a short secret is, looked for just before (or else just after) the secret;
# the nearest one wins, so "exp 09/27 cvc 212" reads as an expiry then a CVC.
SECRET_WORDS = {
    "expiry": ("exp", "valid", "good thru", "validité", "valable", "fin ", "vervaldatum", "vervalt", "verloopt", "geldig"),
    "cvc": (
        "cvc", "cvv", "cid", "security", "sec code", "back", "on the front", "digit code", "cryptogramme",
        "crypto", "code de sécurité", "code sécu", "au dos", "chiffres", "beveiligingscode", "veiligheidscode",
        "controlecode", "achterop", "achterkant", "voorkant", "cijfers",
    ),
    "password": ("password", "passwd", "pw", "pwd", "mot de passe", "mdp", "wachtwoord", "ww", "pin"),
    "otp": ("code", "otp", "one time", "verification", "3d secure", "verificatiecode", "inlogcode"),
}  # fmt: skip
SECRET_SHAPES = {
    "expiry": EXPIRY_SHAPE,
    "cvc": re.compile(r"\d{3,4}"),
    "password": re.compile(r"\S{4,}"),
    "otp": re.compile(r"\d{4,8}|\d{3} \d{3}"),
}

CARD_KINDS = {"card", "card_split"}
NUMBER_KINDS = {"card", "iban", "be_nn", "bsn", "nir", "phone", "email"}


@cache
def messages() -> list[dict]:
    with FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)["messages"]


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def compact(s: str) -> str:
    return re.sub(r"[\s.\-/()]", "", s).upper()


def iban_ok(s: str) -> bool:
    try:
        IBAN(compact(s), validate_bban=True)
    except SchwiftyException:
        return False
    return True


def phone_ok(s: str) -> bool:
    regions = (None,) if s.lstrip("( ").startswith("+") else PHONE_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(s, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def secret_kind(item: str, text: str) -> str | None:
    """An expiry, CVC, password or one-time code, told by the nearest word that says so."""
    at = text.find(item)
    before = text[max(0, at - 70) : at].lower()
    after = text[at + len(item) : at + len(item) + 25].lower()
    best, best_score = None, None
    for kind, words in SECRET_WORDS.items():
        if not SECRET_SHAPES[kind].fullmatch(item):
            continue
        for word in words:
            pattern = rf"(?<![a-zà-ÿ]){re.escape(word)}"
            ends = [w.end() for w in re.finditer(pattern, before)]
            starts = [w.start() for w in re.finditer(pattern, after)]
            score = (1, max(ends)) if ends else (0, -min(starts)) if starts else None
            if score and (best_score is None or score > best_score):
                best, best_score = kind, score
    return best


def classify(item: str, text: str) -> str | None:
    """What one pii label is, or None when no validator accepts it."""
    if "@" in item:
        return "email" if EMAIL.fullmatch(item) else None
    c = compact(item)
    if IBAN_SHAPE.fullmatch(c):
        return "iban" if iban_ok(item) else None
    if len(c) == 15 and fr_nir.is_valid(c):
        return "nir"
    if not NUMBERISH.fullmatch(item):
        return secret_kind(item, text)
    d = digits(item)
    if len(d) == 11 and not item.startswith("+") and be_nn.is_valid(d):
        return "be_nn"
    if item.lstrip("( ").startswith(("+", "00")):
        return "phone" if phone_ok(item) else None
    if 13 <= len(d) <= 19 and d[0] in "23456":
        return "card" if luhn.is_valid(d) else None
    if len(d) == 9 and not d.startswith("0") and nl_bsn.is_valid(d):
        return "bsn"
    if len(d) >= 9 and phone_ok(item):
        return "phone"
    return secret_kind(item, text)


def kinds(msg: dict) -> list[str | None]:
    """The kind of each pii label; a card written in two halves is two labels, both 'card_split'."""
    text, pii = msg["text"], msg["pii"]
    found: list[str | None] = [None] * len(pii)
    for i in range(len(pii) - 1):
        a, b = pii[i], pii[i + 1]
        if not (NUMBERISH.fullmatch(a) and NUMBERISH.fullmatch(b)):
            continue
        if not (4 <= len(digits(a)) <= 12 and 4 <= len(digits(b)) <= 12):
            continue
        joined = digits(a) + digits(b)
        end_a = text.find(a) + len(a)
        gap = text[end_a : text.find(b, end_a)]
        if 13 <= len(joined) <= 19 and luhn.is_valid(joined) and re.fullmatch(r"[\s/\-|,]*", gap):
            found[i] = found[i + 1] = "card_split"
    for i, item in enumerate(pii):
        if found[i] is None:
            found[i] = classify(item, text)
    return found


def spans(text: str, sub: str) -> list[tuple[int, int]]:
    out, at = [], text.find(sub)
    while at >= 0:
        out.append((at, at + len(sub)))
        at = text.find(sub, at + 1)
    return out


def looks_valid(item: str) -> str | None:
    """Which validator (if any) accepts a keep label: look-alikes must fail them all."""
    c = compact(item)
    if "@" in item:
        return "email"
    if IBAN_SHAPE.fullmatch(c) and iban_ok(item):
        return "iban"
    if len(c) == 15 and fr_nir.is_valid(c):
        return "nir"
    if NUMBERISH.fullmatch(item):
        d = digits(item)
        if 13 <= len(d) <= 19 and luhn.is_valid(d):
            return "card"
        if len(d) == 11 and be_nn.is_valid(d):
            return "be_nn"
        if len(d) == 9 and nl_bsn.is_valid(d):
            return "bsn"
    return None


def normalise_number(kind: str, item: str) -> str:
    if kind == "phone":
        for region in (None,) if item.lstrip("( ").startswith("+") else PHONE_REGIONS:
            try:
                number = phonenumbers.parse(item, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == "email":
        return item.lower()
    return compact(item)


def fail_if(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


# --- the file ---------------------------------------------------------------------------------


def test_yaml_loads_with_the_expected_shape():
    msgs = messages()
    assert isinstance(msgs, list) and msgs
    problems = []
    for n, m in enumerate(msgs):
        if set(m) != {"lang", "text", "pii", "keep"}:
            problems.append(f"#{n}: keys {sorted(m)}")
            continue
        if m["lang"] not in LANGS:
            problems.append(f"#{n}: lang {m['lang']!r}")
        if not isinstance(m["text"], str) or not m["text"].strip():
            problems.append(f"#{n}: empty text")
        for field in ("pii", "keep"):
            labels = m[field]
            if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
                problems.append(f"#{n}: {field} is not a list of non-empty strings: {labels!r}")
            elif len(set(labels)) != len(labels):
                problems.append(f"#{n}: {field} repeats a label: {labels!r}")
    fail_if(problems)


def test_at_least_150_messages_per_language():
    counts = Counter(m["lang"] for m in messages())
    assert all(counts[lang] >= MIN_PER_LANG for lang in LANGS), counts


def test_no_duplicate_messages():
    seen = Counter(" ".join(m["text"].casefold().split()) for m in messages())
    fail_if([f"{n}x: {t!r}" for t, n in seen.items() if n > 1])


def test_every_label_occurs_in_its_text():
    problems = []
    for m in messages():
        problems += [f"pii {p!r} not in {m['text']!r}" for p in m["pii"] if p not in m["text"]]
        problems += [f"keep {k!r} not in {m['text']!r}" for k in m["keep"] if k not in m["text"]]
    fail_if(problems)


def test_each_keep_label_survives_somewhere_outside_the_pii():
    problems = []
    for m in messages():
        removed = [s for p in m["pii"] for s in spans(m["text"], p)]
        for k in m["keep"]:
            free = [s for s in spans(m["text"], k) if not any(s[0] < e and b < s[1] for b, e in removed)]
            if not free:
                problems.append(f"keep {k!r} only occurs inside pii in {m['text']!r}")
    fail_if(problems)


def test_every_digit_in_a_text_is_labelled():
    """Nothing numeric is left to chance: each digit is in something to remove or to keep."""
    problems = []
    for m in messages():
        covered = [s for label in m["pii"] + m["keep"] for s in spans(m["text"], label)]
        for match in re.finditer(r"\d", m["text"]):
            if not any(b <= match.start() < e for b, e in covered):
                problems.append(f"digit at {match.start()} unlabelled in {m['text']!r}")
                break
    fail_if(problems)


def test_about_sixty_percent_of_messages_carry_pii():
    for lang in LANGS:
        msgs = [m for m in messages() if m["lang"] == lang]
        share = sum(bool(m["pii"]) for m in msgs) / len(msgs)
        assert 0.5 <= share <= 0.7, (lang, share)


def test_messages_without_pii_carry_look_alikes_to_keep():
    bare = [m["text"] for m in messages() if not m["pii"] and not any(re.search(r"\d", k) for k in m["keep"])]
    fail_if([f"nothing numeric kept in {t!r}" for t in bare])


# --- the pii labels validate ------------------------------------------------------------------


def test_every_pii_label_validates_as_some_kind():
    problems = []
    for m in messages():
        for item, kind in zip(m["pii"], kinds(m), strict=True):
            if kind is None:
                problems.append(f"{item!r} validates as nothing in {m['text']!r}")
    fail_if(problems)


def test_cards_pass_luhn_and_ibans_and_national_numbers_validate():
    """The validators named in the brief, applied to whatever looks like each kind."""
    problems = []
    for m in messages():
        for item, kind in zip(m["pii"], kinds(m), strict=True):
            d = digits(item)
            if kind == "card" and not luhn.is_valid(d):
                problems.append(f"card {item!r} fails Luhn")
            if kind == "iban" and not iban_ok(item):
                problems.append(f"IBAN {item!r} invalid")
            if kind == "be_nn" and not be_nn.is_valid(d):
                problems.append(f"Belgian national number {item!r} invalid")
            if kind == "bsn" and not nl_bsn.is_valid(d):
                problems.append(f"BSN {item!r} invalid")
            if kind == "nir" and not fr_nir.is_valid(compact(item)):
                problems.append(f"NIR {item!r} invalid")
    fail_if(problems)


def test_no_number_is_used_twice():
    seen: Counter[str] = Counter()
    for m in messages():
        for item, kind in zip(m["pii"], kinds(m), strict=True):
            if kind in NUMBER_KINDS:
                seen[f"{kind}:{normalise_number(kind, item)}"] += 1
    fail_if([f"{key} used {n} times" for key, n in seen.items() if n > 1])


def test_the_set_covers_every_kind_and_format():
    by_kind: dict[str, list[str]] = {}
    for m in messages():
        for item, kind in zip(m["pii"], kinds(m), strict=True):
            by_kind.setdefault(kind, []).append(item)
    for kind in ("card", "card_split", "expiry", "cvc", "iban", "be_nn", "bsn", "nir", "email", "phone"):
        assert len(by_kind.get(kind, [])) >= 5, (kind, by_kind.get(kind))
    assert len(by_kind["password"]) + len(by_kind["otp"]) >= 15

    cards = by_kind["card"]
    brands = {
        "visa": r"4",
        "mastercard": r"5[1-5]|2[2-7]",
        "amex": r"3[47]",
        "bancontact": r"6703",
        "maestro": r"50|6304|6759",
        "discover": r"6011",
        "jcb": r"35",
        "diners": r"36",
    }
    for brand, prefix in brands.items():
        assert any(re.match(prefix, digits(c)) for c in cards), brand
    assert any(re.fullmatch(r"\d+", c) for c in cards), "a card without spaces"
    assert any("-" in c for c in cards), "a card with dashes"
    assert any(" " in c for c in cards), "a card in groups"
    assert {len(digits(c)) for c in cards} >= {14, 15, 16, 17, 19}

    ibans = by_kind["iban"]
    assert {compact(i)[:2] for i in ibans} >= {"BE", "NL", "FR", "DE", "LU", "GB"}
    assert any(i == i.lower() for i in ibans), "a lower-case IBAN"
    assert any(" " in i for i in ibans) and any(" " not in i for i in ibans)

    assert any(be_nn.get_birth_date(digits(n)).year >= 2000 for n in by_kind["be_nn"]), "born after 2000"
    phones = by_kind["phone"]
    assert any(p.startswith("+") for p in phones) and any(p.startswith("0") for p in phones)
    for region in PHONE_REGIONS:
        assert any(_region_of(p) == region for p in phones), region


def _region_of(item: str) -> str | None:
    for region in (None,) if item.lstrip("( ").startswith("+") else PHONE_REGIONS:
        try:
            number = phonenumbers.parse(item, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.region_code_for_number(number)
    return None


# --- the keep labels are real look-alikes -----------------------------------------------------


def test_no_keep_label_is_a_valid_identifier():
    problems = []
    for m in messages():
        for k in m["keep"]:
            if kind := looks_valid(k):
                problems.append(f"keep {k!r} validates as {kind} in {m['text']!r}")
    fail_if(problems)


def test_hard_look_alikes_are_present():
    keeps = [k for m in messages() for k in m["keep"]]
    luhn_failing = [k for k in keeps if NUMBERISH.fullmatch(k) and len(digits(k)) == 16]
    bad_ibans = [k for k in keeps if IBAN_SHAPE.fullmatch(compact(k))]
    structured = [k for k in keeps if re.fullmatch(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", k)]
    postcodes = [k for k in keeps if re.fullmatch(r"\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", k)]
    assert len(luhn_failing) >= 6, luhn_failing
    assert len(bad_ibans) >= 6, bad_ibans
    assert len(structured) >= 3, structured
    assert len(postcodes) >= 3, postcodes
