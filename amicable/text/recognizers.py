"""What we recognise in a message as data that must not be kept, each checked the way its
issuer checks it: a card number by Luhn and its issuer's prefix and length, an IBAN by its
checksum (schwifty), a Belgian national number, a Dutch BSN and a French NIR by their check
digits (python-stdnum), a phone number by libphonenumber's validity rules. Expiry dates, CVCs,
passwords and codes have no checksum; they are taken only when the words around them say what
they are ("exp 04/28", "cvc 123", "my password is …", "the code is 482913").

Each is a Presidio recognizer, so the analyzer (redaction.py) runs them together and the
anonymizer resolves overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.fr import nir as fr_nir
from stdnum.nl import bsn as nl_bsn

# The Belgian structured communication (+++090/9337/55493+++): a payment reference, which
# nothing here may take for a phone number or an identity number.
_STRUCTURED_COMMUNICATION = re.compile(r"[+*]{3}\s?\d{3}\s?/\s?\d{4}\s?/\s?\d{5}\s?[+*]{3}")
# Separators people put inside long numbers: spaces, dashes, dots, slashes, line breaks.
SEP = r"[ \t\-./\n]{0,3}"
REGIONS = ("BE", "NL", "FR", "GB", "US")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class _Recognizer(EntityRecognizer):
    """A recognizer for one entity that needs no model: `find` yields (start, end, score)."""

    ENTITY = ""

    def __init__(self, language: str) -> None:
        super().__init__(supported_entities=[self.ENTITY], supported_language=language, name=type(self).__name__)

    def load(self) -> None:  # nothing to load
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        protected = [m.span() for m in _STRUCTURED_COMMUNICATION.finditer(text)]
        return [
            RecognizerResult(self.ENTITY, start, end, score)
            for start, end, score in self.find(text)
            if not any(start < p_end and p_start < end for p_start, p_end in protected)
        ]

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        raise NotImplementedError


# --- numbers written in groups ------------------------------------------------------------------

# A run of digit groups: "4111 1111 1111 1111", "85.07.30-033.28", "2 83 12 08 010 675 - 72".
_RUN = re.compile(r"(?<![\w+*/])\d+(?:[ \t\-./\n]{1,3}\d+)*(?![\w*+])")
# A run that is part of a reference ("DOS-2025-604632", "+++090/9337/55493+++") is not one.
_REFERENCE_BEFORE = re.compile(
    r"(?:[A-Za-z0-9]{1,10}[\-/]|[A-Za-z]|\+\+\+\s?|\*\*\*\s?|[€£$]\s?|\b[A-Za-z]{2}\d{2}[ \-.]?)\Z"
)
# The Belgian structured communication, 123/4567/89012: a payment reference, never a card.
_STRUCTURED = re.compile(r"^\d{3}/\d{4}/\d{5}\Z")
_AMOUNT_AFTER = re.compile(r"^\s?(?:,\d{2}\b|€|£|\$|eur\b|euro|euros\b|bucks\b|quid\b)", re.IGNORECASE)


def _runs(text: str) -> Iterator[tuple[int, int, str, list[tuple[int, int]]]]:
    """Each run of digit groups, with its groups' spans: (start, end, digits, groups)."""
    for match in _RUN.finditer(text):
        if _REFERENCE_BEFORE.search(text[max(0, match.start() - 8) : match.start()]):
            continue
        groups = [(g.start() + match.start(), g.end() + match.start()) for g in re.finditer(r"\d+", match.group(0))]
        yield match.start(), match.end(), _digits(match.group(0)), groups


def card_number(candidate: str) -> bool:
    """A number a card could carry: 13 to 19 digits, an issuer's first digit, and Luhn."""
    digits = _digits(candidate)
    return 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits)


def _windows(text: str, groups: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Spans of whole groups inside a run that stand as a number of their own: bounded by the
    run's ends or by a space (a dash, dot or slash ties groups into one token: a date, a
    reference), longest first from each start."""

    def word_break(left: int, right: int) -> bool:
        return " " in text[left:right] or "\n" in text[left:right]

    starts = [0] + [i for i in range(1, len(groups)) if word_break(groups[i - 1][1], groups[i][0])]
    ends = [i for i in range(len(groups) - 1) if word_break(groups[i][1], groups[i + 1][0])] + [len(groups) - 1]
    for first in starts:
        for last in sorted((e for e in ends if e >= first), reverse=True):
            yield groups[first][0], groups[last][1]


def _cards(text: str) -> Iterator[tuple[int, int]]:
    """Card numbers: the whole run, or within it the longest stretch of whole groups that is a
    card (an amount may come before it, an expiry or a CVC after it). A run written like a
    card (groups of four) that fails as a whole is some other number: nothing in it is taken."""
    for start, end, digits, groups in _runs(text):
        if _STRUCTURED.match(text[start:end]):
            continue
        if card_number(text[start:end]):
            yield start, end
            continue
        if len(digits) <= 19 and all(g[1] - g[0] == 4 for g in groups) and len(groups) >= 3:
            continue
        taken = start
        for window_start, window_end in _windows(text, groups):
            if window_start >= taken and card_number(text[window_start:window_end]):
                yield window_start, window_end
                taken = window_end


class CardRecognizer(_Recognizer):
    """Card numbers, however grouped or split."""

    ENTITY = "CARD"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for start, end in _cards(text):
            yield start, end, 1.0


_EXPIRY = re.compile(
    r"(?<![\d/.\-])(0?[1-9]|1[0-2])\s?[/\-.]\s?(\d{2}|20\d{2})(?![\d/]|[\-.]\d)|(?<![\d/.])(0[1-9]|1[0-2])(\d{2})(?![\d/])"
)
_EXPIRY_WORDS = re.compile(
    r"(exp\w*(?:\.? date)?|valid\w*(?: thru| till| until| to| tot)?|good thru|fin de validité|vervaldatum|vervaldag|"
    r"vervalt(?: op)?|geldig(?: tot| t/m)|expiration|date d'exp\w*|expire\w*(?: le| fin| on)?|"
    r"valable(?: jus\w*(?:'| )(?:au|à|a))?)\W{0,4}\Z",
    re.IGNORECASE,
)
_CVC_WORDS = re.compile(
    r"(cvc\W?(?:code)?|cvv2?|cid|csc|sec(?:urity)? code|code de s[ée]curit[ée]|cryptogramme(?: visuel)?|crypto|"
    r"(?:code|chiffres|numéros?) (?:au )?dos|au dos|derri[eè]re|on the back|at the back|achterop|achteraan|"
    r"achterkant|beveiligingscode|veiligheidscode|kaartcode|controlecode|"
    r"(?:3|three|drie|trois) (?:digits|numbers|cijfers|chiffres))\W{0,4}(?:(?:is|est|c'est|zijn|sont)\W{1,3})?\Z",
    re.IGNORECASE,
)


class CardDetailsRecognizer(_Recognizer):
    """An expiry date or a CVC: said as one ("exp 04/28", "cvc 123", "the 3 numbers on the
    back 378"), or written right after a card number."""

    ENTITY = "CARD_DETAILS"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        cards = list(_cards(text))

        def near_card(at: int) -> bool:
            """Right after a card number, with nothing but figures and signs between."""
            return any(0 <= at - end <= 30 and not re.search(r"[^\W\d_]", text[end:at]) for _, end in cards)

        expiries = []
        for match in _EXPIRY.finditer(text):
            before = text[max(0, match.start() - 30) : match.start()]
            compact = match.group(3) is not None
            if _EXPIRY_WORDS.search(before) or (near_card(match.start()) and not compact):
                expiries.append(match)
                yield match.start(), match.end(), 0.95
        for match in re.finditer(r"(?<![\d/.,])\d{3,4}(?![\d/]|[.,]\d)", text):
            before = text[max(0, match.start() - 40) : match.start()]
            after_expiry = any(0 < match.start() - e.end() <= 6 for e in expiries)
            inside_expiry = any(e.start() <= match.start() < e.end() for e in expiries)
            if (_CVC_WORDS.search(before) or (after_expiry and near_card(match.start()))) and not inside_expiry:
                yield match.start(), match.end(), 0.95


# --- bank accounts ---------------------------------------------------------------------------

_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\s{0,2}\d{2}(?=[ \-.\n]{0,3}[A-Za-z0-9])")


class IbanRecognizer(_Recognizer):
    """IBANs, compact or in groups, any case: the longest run that passes the checksum."""

    ENTITY = "IBAN"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for start in (m.start() for m in _IBAN_START.finditer(text)):
            compact, ends, gap = "", [], 0
            for index in range(start, min(len(text), start + 60)):
                char = text[index]
                if char.isascii() and char.isalnum():
                    compact += char.upper()
                    ends.append(index + 1)
                    gap = 0
                elif char in " -.\n\t" and compact and gap < 3:
                    gap += 1
                else:
                    break
            for length in range(min(len(compact), 34), 14, -1):
                try:
                    IBAN(compact[:length])
                except (SchwiftyException, ValueError):
                    continue
                yield start, ends[length - 1], 1.0
                break


# --- national numbers --------------------------------------------------------------------------

_NIR = re.compile(r"(?<![\dA-Za-z])[1-478](?:[ \t\-.]{0,3}[\dAB]){12}[ \t\-.]{0,4}\d{2}(?![\d])", re.IGNORECASE)


# How each is written: its groups of figures ("85.07.30-033.28", "850730 033 28", "1234.56.782").
# Other groupings ("INV 2025 07361") are references, whatever their check digits say.
BE_NN_SHAPES = {(11,), (2, 2, 2, 3, 2), (6, 3, 2), (6, 5), (2, 2, 2, 5)}
BSN_SHAPES = {(9,), (4, 2, 3), (3, 3, 3), (2, 2, 2, 3), (3, 2, 2, 2)}


class NationalNumberRecognizer(_Recognizer):
    """A Belgian national register number, a Dutch BSN, a French NIR (social security number):
    each by its own check digits, however the groups are written."""

    ENTITY = "NATIONAL_ID"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for _, _, _, groups in _runs(text):
            for start, end in _windows(text, groups):
                digits = _digits(text[start:end])
                shape = tuple(g_end - g_start for g_start, g_end in groups if start <= g_start and g_end <= end)
                if len(digits) == 11 and shape in BE_NN_SHAPES and be_nn.is_valid(digits):
                    yield start, end, 1.0
                elif len(digits) == 9 and shape in BSN_SHAPES and nl_bsn.is_valid(digits):
                    yield start, end, 0.9
        for match in _NIR.finditer(text):
            if fr_nir.is_valid(re.sub(r"[\s\-.]", "", match.group(0)).upper()):
                # Below a card's score: fifteen figures that are both go as the card they look like.
                yield match.start(), match.end(), 0.95


# --- e-mail addresses and phone numbers ------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[\[(]\s?(?:at|@)\s?[\])]\s?)[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}(?![\w])",
    re.IGNORECASE,
)


class EmailRecognizer(_Recognizer):
    """E-mail addresses, also written "name (at) example.com"."""

    ENTITY = "EMAIL"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for match in _EMAIL.finditer(text):
            yield match.start(), match.end(), 1.0


class PhoneRecognizer(_Recognizer):
    """Phone numbers valid in the countries we work in, written nationally or internationally:
    at least nine digits, not part of a reference, an amount or a longer number."""

    ENTITY = "PHONE"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        if sum(ch.isdigit() for ch in text) < 9:
            return
        seen: set[tuple[int, int]] = set()
        for region in REGIONS:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                span = (match.start, match.end)
                if span in seen or len(_digits(match.raw_string)) < 9:
                    continue
                if not match.raw_string.startswith(("0", "+", "(")) and (
                    "/" in match.raw_string or match.raw_string.isdigit()
                ):
                    # "2025/670174" and "4506617823" are references; a phone number is written
                    # with its 0 or +, or in groups ("0470/12.34.56", "212-555-0100").
                    continue
                seen.add(span)
                if _REFERENCE_BEFORE.search(text[max(0, match.start - 8) : match.start]):
                    continue
                if _AMOUNT_AFTER.search(text[match.end : match.end + 8]):
                    continue
                yield match.start, match.end, 0.9


# --- secrets said as such ----------------------------------------------------------------------

_PASSWORD_WORD = re.compile(
    r"\b(?:password|passwd|pass ?word|pwd|pw|ww|mot de passe|mdp|wachtwoord|paswoord|login code)\b", re.IGNORECASE
)
# After the word: at once ("wachtwoord Mila#Lina22", "pw: x"), or after a few words and a
# connector ("the password for the portal is x", "set the password to x").
_PASSWORD_AT_ONCE = re.compile(
    r"^\s*(?:(?:is|was|c'est|cest|c|est|:|=|-|to|naar|à)\s*)?[\"'«“]?(?P<secret>[^\s\"'»”]{4,64})", re.IGNORECASE
)
# Before the word: "I use dragon2014 as my password", "Lente2023 als wachtwoord", "Am0ur45 comme mot de passe".
_PASSWORD_BEFORE = re.compile(
    r"(?P<secret>[^\s\"'»”«“]{4,64})[\"'»”]?\s+(?:as|als|comme)\s+(?:my\s+|mon\s+|mijn\s+)?"
    r"(?:password|wachtwoord|mot de passe|pw|mdp|ww)\b",
    re.IGNORECASE,
)
_PASSWORD_LATER = re.compile(
    r"^(?:\s+[\w'’]+){1,5}?\s*(?:\bis\b|\bwas\b|c'est|\best\b|\bto\b|\bnaar\b|:|=)\s*[\"'«“]?(?P<secret>[^\s\"'»”]{4,64})",
    re.IGNORECASE,
)


def _looks_like_a_password(word: str) -> bool:
    """A word people choose as a password: with a figure or a sign, or capitals inside."""
    return bool(re.search(r"[\d#@$%&*!?_+=^~]", word) or re.search(r"[a-z][A-Z]", word))


_NOT_A_PASSWORD = {
    "forgotten",
    "oublié",
    "vergeten",
    "reset",
    "please",
    "incorrect",
    "wrong",
    "fout",
    "faux",
    "correct",
    "changed",
    "changé",
    "gewijzigd",
    "expired",
    "locked",
    "bloqué",
    "geblokkeerd",
    "anymore",
    "again",
}
_CODE_WORDS = re.compile(
    r"(?<!zip )(?<!post )(?<!postal )(?<!area )\b(?:code|otp|pin|verificatiecode|sms-?code|inlogcode|"
    r"activatiecode|tan)\b(?! postal)",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"(?<![\w/.,€£$])\d(?:[ \-.]?\d){3,7}(?![\w/]|[.,]\d|\s?(?:€|£|\$|eur|euro|%|dollars?|pounds?|quid|bucks)\b)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:19|20)\d{2}\Z")
_SAID_AS_CODE = re.compile(r"(?:code|otp|pin|tan)\s*(?:is|was|:|=|c'est|est)?\s*\Z", re.IGNORECASE)
_OTHER_NUMBER_BEFORE = re.compile(
    r"(?:client|klant|customer|account|compte|rekening|number|numéro|numero|nummer|n°|dossier|file|ref\w*|kenmerk|"
    r"facture|factuur|invoice)\W{0,3}(?:\w+\W{1,2}){0,1}\Z",
    re.IGNORECASE,
)
# Figures that are a time or a date, never a code: 11.00, 17:30, 07-06-2025, 13.05.2026.
_TIME_OR_DATE = re.compile(r"^(?:\d{1,2}[.:h]\d{2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4})\Z")


class SecretRecognizer(_Recognizer):
    """A password or a one-time code, when the message says that is what it is."""

    ENTITY = "PASSWORD"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        for found in _PASSWORD_BEFORE.finditer(text):
            if _looks_like_a_password(found.group("secret")):
                yield found.start("secret"), found.end("secret"), 0.9
        for word in _PASSWORD_WORD.finditer(text):
            rest = text[word.end() : word.end() + 120]
            for pattern in (_PASSWORD_AT_ONCE, _PASSWORD_LATER):
                found = pattern.match(rest)
                if not found:
                    continue
                secret = found.group("secret").rstrip(".,!?;")
                if secret.lower() in _NOT_A_PASSWORD or secret.startswith("[") or not _looks_like_a_password(secret):
                    continue
                start = word.end() + found.start("secret")
                yield start, start + len(secret), 0.9
                break


_AS_A_CODE = re.compile(r"^\s+(?:as|comme|als)\s+(?:a\s+|un\s+|de\s+)?(?:code|otp|pin)\b", re.IGNORECASE)
# Where a number is a place or a moment, not a code: "moved to 1070", "in 4000", "op 25-11",
# and the last digits of a card, which are safe to show ("the card ending in 6956").
_PLACE_OR_ENDING_BEFORE = re.compile(
    r"(?:\b(?:à|a|in|naar|te|to|at|op|le|sur|bij|van|from|de)|ending in|ends in|finit par|eindigt op|eindigend op)\s+\Z",
    re.IGNORECASE,
)


class CodeRecognizer(_Recognizer):
    """A code someone received or uses to sign in: four to eight digits said as one ("the code
    they sent me is 363-205", "sms-code: 482913", "sent me 1934 1096 as a code"), never a
    postcode, a year, an amount, a time or a client number near the word."""

    ENTITY = "CODE"

    def find(self, text: str) -> Iterator[tuple[int, int, float]]:
        words = [m.span() for m in _CODE_WORDS.finditer(text)]
        if not words:
            return
        for match in _CODE.finditer(text):
            figures = match.group(0)
            before = text[max(0, match.start() - 25) : match.start()]
            after_word = any(
                0 <= match.start() - end <= 40 and not re.search(r"\d", text[end : match.start()]) for _, end in words
            )
            ahead_of_word = bool(_AS_A_CODE.match(text[match.end() : match.end() + 20]))
            if not (after_word or ahead_of_word) or _TIME_OR_DATE.match(figures):
                continue
            if _YEAR.match(figures) and not _SAID_AS_CODE.search(before):
                continue  # "born in 2021", "since 2012": a year
            if _OTHER_NUMBER_BEFORE.search(before) and not _SAID_AS_CODE.search(before):
                continue
            if _PLACE_OR_ENDING_BEFORE.search(before) or _REFERENCE_BEFORE.search(
                text[max(0, match.start() - 8) : match.start()]
            ):
                continue
            yield match.start(), match.end(), 0.85


RECOGNIZERS = (
    CardRecognizer,
    CardDetailsRecognizer,
    IbanRecognizer,
    NationalNumberRecognizer,
    EmailRecognizer,
    PhoneRecognizer,
    SecretRecognizer,
    CodeRecognizer,
)
