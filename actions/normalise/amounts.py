"""Money amounts as debtors write them ("€50", "1.234,56 €", "deux cent cinquante",
"tweehonderdvijftig euro", "fifty quid a month"), read into an exact Decimal and a currency.

The rules are shape-based, so one reader serves English, French and Dutch: numbers in words
become digits first (text2num), then every number in the sentence is a candidate, numbers
that are days, years, counts, times or phone numbers are dropped, and the most salient of the
rest wins (a currency beats cents, which beat a rate, which beats a bare number).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from text_to_num import alpha2digit


@dataclass(frozen=True)
class Amount:
    """A sum of money: `currency` is an ISO code, or None when the debtor named none."""

    value: Decimal
    currency: str | None


SUPPORTED = ("en", "fr", "nl")
# Words and signs for a currency; the patterns try the longest first ("euros" before "euro").
CURRENCIES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "euro's": "EUR",
    "balles": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "livre": "GBP",
    "livres": "GBP",
    "pond": "GBP",
    "ponden": "GBP",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "buck": "USD",
    "bucks": "USD",
}
# Hundredths of the unit: "50 cent" in Dutch, "50 centimes" in French are euro cents.
CENTS = {"cent": "EUR", "cents": None, "centime": "EUR", "centimes": "EUR", "eurocent": "EUR", "eurocents": "EUR"}
_CURRENCY_WORD = "|".join(re.escape(word) for word in sorted(CURRENCIES, key=len, reverse=True) if word[0].isalpha())
_CENT_WORD = "|".join(sorted(CENTS, key=len, reverse=True))
_SIGN = r"[€£$]"
CURRENCY_AFTER = re.compile(rf"\s*(?:(?P<sign>{_SIGN})|(?P<word>{_CURRENCY_WORD})\b|(?P<cents>{_CENT_WORD})\b)")
CURRENCY_BEFORE = re.compile(rf"(?:(?P<sign>{_SIGN})|\b(?P<word>eur|usd|gbp))\s*$")

# A number: thousands grouped by ".", "," or a space (then exactly three digits per group), or
# plain digits; an optional decimal part of one or two digits, or Dutch ",-" for whole euros.
NUMBER = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:(?P<group>[ .,])\d{3})(?:(?P=group)\d{3})*(?:[.,]\d{1,2})?(?!\d)"
    r"|\d+(?:[.,]\d{1,2})?(?![\d]))(?P<dash>[.,]-)?(?![.,]\d)"
)
# Words that make the number before them something other than money: an ordinal, a count of
# days or instalments, a percentage or an hour.
NOT_MONEY_AFTER = re.compile(
    r"(?:st|nd|rd|th|er|re|e|ème|eme|ième|ieme|de|ste|me)\b"
    r"|\s*(?:%|/\d|-\d|:\d|h\d|h\b|u\b|x\b|pm\b|am\b)"
    r"|\s+(?:days?|weeks?|months?|years?|hours?|minutes?|jours?|semaines?|mois|ans?|années?|annees?|heures?"
    r"|dag|dagen|weken|maand|maanden|jaar|jaren|uur|minuten"
    r"|times|installments?|instalments?|payments?|fois|versements?|mensualités?|mensualites?|paiements?"
    r"|échéances?|echeances?|keer|termijnen|termijn|afbetalingen|betalingen|maal"
    r"|percent|procent|pour ?cent|o'clock|heure|p\.m\.|a\.m\.)\b",
    re.I,
)
MONTH_WORDS = (
    r"jan|january|janvier|januari|feb|february|février|fevrier|februari|mar|march|mars|maart|apr|april|avril"
    r"|may|mai|mei|jun|june|juin|juni|jul|july|juillet|juli|aug|august|août|aout|augustus|sep|sept|september"
    r"|septembre|oct|october|octobre|okt|oktober|nov|november|novembre|dec|december|décembre|decembre"
)
MONTH_AFTER = re.compile(rf"\s*(?:of\s+|de\s+|van\s+)?(?:{MONTH_WORDS})\b", re.I)
MONTH_BEFORE = re.compile(rf"\b(?:{MONTH_WORDS})\.?\s+(?:the\s+)?$", re.I)
# "the 5", "le 28", "op de 28", "on 5": a day of the month, unless money is said.
DAY_BEFORE = {
    "en": re.compile(r"\b(?:the|on|by|until|till|before)\s+$", re.I),
    "fr": re.compile(r"\b(?:le|au|du|avant le|jusqu'au|dès le|des le)\s+$", re.I),
    "nl": re.compile(r"\b(?:de|op|tegen|voor de|tot de|vanaf de)\s+$", re.I),
}
TIME_BEFORE = re.compile(
    r"\b(?:at|à|om|vers|rond|around)\s+$|\b(?:half|quarter|\d{1,2})\s+past\s+$|\bquarter to\s+$", re.I
)
# The minutes of "12:50", the year of "11/04/23", the end of "3-4": part of another number.
SEPARATOR_BEFORE = re.compile(r"\d\s*[:/]\s*$|\d-$")
TIME_AFTER = re.compile(
    r"(?:\s+\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|o'clock|ish|(?:in the\s+)?(?:morning|afternoon|evening|night)|du matin|du soir"
    r"|de l'apr[eè]s-midi|'s (?:ochtends|middags|avonds|nachts))(?!\w)|\s+past\s+\d",
    re.I,
)
# "my pin is 1234", "account number 5566", "dossier 2024": identifiers, not money.
IDENTIFIER_BEFORE = re.compile(
    r"\b(?:pin|pincode|pin code|code postal|postal code|postcode|zip code|zip|code|password|passcode|ref|reference"
    r"|référence|referentie|dossier|file|account"
    r"|compte|rekening|number|numéro|numero|nummer|nr|n°|#)\.?\s*(?:is|est|:|=|#)?\s*$",
    re.I,
)
# "2 credit cards", "6 trips", "4 enfants": a count of things. Words ending in s that are no
# plural nouns are listed; Dutch plurals ("-en") look like its verbs, so only en and fr.
PLURAL_AFTER = re.compile(
    r"\s+(?:(?P<first>[a-zà-ÿ']+)\s+)?(?P<noun>[a-zà-ÿ]+[sx])\b|\s+of\s+(?:them|those|these)\b", re.I
)
NOT_PLURAL = frozenset((
    "this", "is", "was", "as", "us", "its", "his", "hers", "yours", "ours", "theirs", "towards", "afterwards",
    "besides", "plus", "less", "unless", "thus", "always", "perhaps", "tops", "max", "yes", "has", "does", "goes",
    "lots", "dans", "sans", "mais", "plus", "moins", "puis", "alors", "toujours", "pas", "vous", "nous", "chez",
    "sous", "dès", "des", "les", "mes", "tes", "ses", "nos", "vos", "leurs", "ces", "tous", "jours", "mois", "ans",
    "fois", "heures", "semaines", "euros", "dollars", "pounds", "livres", "balles", "quid", "bucks", "cents",
    "centimes", "eurocents",
))  # fmt: skip
NOT_ADJECTIVE = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "per", "par", "every", "each", "next", "last", "now",
    "today", "tomorrow", "on", "in", "by", "to", "for", "and", "or", "but", "at", "from", "with", "le", "la", "les",
    "de", "du", "des", "et", "ou", "en", "pour", "chaque", "tous", "toutes", "ce", "cette", "avant", "après",
    "apres", "maintenant", "demain", "ici", "is", "are", "will", "can", "could", "would", "i", "you", "we", "it",
    "max", "tops", "plus", "minus", "including", "without", "within", "over", "after", "before", "until", "into",
    "avec", "sans", "sous", "dans", "après", "d'ici", "jusqu'à", "vers", "environ", "about", "around", "approx",
))  # fmt: skip
RATE_AFTER = re.compile(
    r"\s*(?:a|an|per|par|/|each|every|chaque|tous les|toutes les|elke|iedere|in de|op)\s*"
    r"(?:month|week|mois|semaine|maand|week)\b|\s*(?:monthly|weekly|mensuels?|par mois|maandelijks|wekelijks)\b",
    re.I,
)
MULTIPLIER = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(k|thousand|mille|duizend)\b", re.I)
SMALL_NUMBERS = {
    "en": {"a": 1, "an": 1, "one": 1, "two": 2},
    "fr": {"un": 1, "une": 1, "deux": 2},
    "nl": {"een": 1, "één": 1, "eén": 1, "twee": 2},
}
# Phone numbers (+32 470 12 34 56, 0470/12.34.56) and IBANs are never amounts.
PHONE = re.compile(r"(?<![\w,.])(?:\+\d|0)[\d \t./-]{7,}\d(?![\w,])")
IBAN = re.compile(r"\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?\b", re.I)
CENTS_AFTER_CURRENCY = re.compile(r"\s*(?:and\s+|et\s+|en\s+)?(?P<cents>\d{1,2})(?![\d.,])")
LETTER_DASH_BEFORE = re.compile(r"[a-z]-$")
HALF_BEFORE = re.compile(r"\bhalf\s+(?:a\s+|an\s+)?$")

# The longest answer about an amount or a date that is read, in characters once spaces are
# collapsed; see `answer_too_long`.
MAX_ANSWER_CHARS = 200
# How far before a number the words that qualify it are looked for, in characters; see `ends_at`.
CONTEXT = 40


def language_of(language: str | None) -> str:
    """The text2num language for a locale ("fr-BE" -> "fr"); English when unknown."""
    code = (language or "en").split("-")[0].split("_")[0].lower()
    return code if code in SUPPORTED else "en"


def clean(text: str) -> str:
    """One spelling of spaces, apostrophes and case: NFKC turns no-break and narrow no-break
    spaces into plain ones, which the number shapes rely on."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return re.sub(r"[ \t\r\n]+", " ", text).strip().lower()


def answer_too_long(text: str) -> bool:
    """Whether `text` is too long to be an answer about an amount or a date, and so is not read
    (the parsers return None, and the bot asks again as for any answer it cannot read).

    The parsers run on the action server's single event loop, where a slow call stalls every
    conversation, and the gateway accepts messages of up to 100,000 characters. The reading
    itself is linear (see `ends_at`), but its cost per character is that of a dozen regular
    expressions, and text2num (compiled, not ours) grows faster than linearly with long runs of
    number words (64,000 characters of "un deux" take 0.65 s): no bound on the time of a call
    holds without a bound on its input. At 200 characters the slowest answers take a few
    milliseconds. And 200 is well above what people answer: when it was chosen, every example in
    data/nlu (at most 195 characters) and every NLU++ banking sentence (at most 165) was shorter,
    as were 99% of BANKING77's free-form bank queries; an SMS holds 160. Longer, a message is a
    story rather than an answer. It is refused, not cut, because a cut can change what is read
    ("250 is too much, but 40" cut before the 40 reads 250; "1 500 €" cut after the 1 reads 1),
    while asking again costs one turn. The length is counted after `clean` (a run of spaces and
    line breaks is one space), so layout does not count; a text more than four times the cap is
    refused before it is even cleaned."""
    if len(text) > 4 * MAX_ANSWER_CHARS:
        return True
    return len(clean(text)) > MAX_ANSWER_CHARS


def ends_at(pattern: re.Pattern[str], text: str, end: int) -> re.Match[str] | None:
    """`pattern.search(text[:end])` for a pattern anchored at the end (`$`) that reads the words
    just before a number: "€ 50", "the 5", "not 120", "my pin is 1234".

    Only the CONTEXT characters before `end` are searched. Searching the whole text before every
    number, as these patterns once did, tried the pattern at every earlier position, so a text
    with n numbers cost n times its length ("1 " * 1000 took 0.9 s); now each number costs at
    most CONTEXT positions per pattern. The words such a pattern reads are a few short ones
    ("code postal est :", "jusqu'au", "not quite", "at the end of the"), under 25 characters; a
    match that would need more than CONTEXT (a word of over 35 letters after "not") is not seen.
    Unlike a slice, the search still sees the characters before the window, so `\b` and
    look-behinds at its first position read the real text."""
    return pattern.search(text, max(0, end - CONTEXT), end)


def words_to_digits(text: str, language: str) -> str:
    """`text` with numbers in words as digits ("septante-cinq" -> "75", "tweehonderdvijftig"
    -> "250"). text2num's default threshold leaves lone numbers under 3 as words, so "un peu"
    and "een deel" stay text; callers turn "one" or "twee" into digits where the context
    (a currency, a unit of time) makes them numbers."""
    try:
        return alpha2digit(text, language_of(language))
    except Exception:  # text2num raises bare Exceptions on odd input; the digits stay as typed
        return text


def _small_before_currency(text: str, language: str) -> str:
    """ "one euro", "deux euros", "twee euro": numbers text2num leaves as words under its
    threshold, made digits when money follows."""
    words = SMALL_NUMBERS[language_of(language)]
    pattern = re.compile(rf"\b({'|'.join(words)})\s+(?=(?:{_CURRENCY_WORD})\b)", re.I)
    return pattern.sub(lambda m: f"{words[m.group(1).lower()]} ", text)


def _multiply(text: str) -> str:
    """ "3 thousand", "1,5k", "2 mille": a figure times a thousand, before text2num turns
    "thousand" into a separate 1000."""

    def times_thousand(match: re.Match[str]) -> str:
        value = to_decimal(match.group(1))
        return f"{(value * 1000).normalize():f}" if value is not None else match.group(0)

    return MULTIPLIER.sub(times_thousand, text)


# "50e", "120E": euros written with a bare e, as on a phone. One figure ("le 5e") is an
# ordinal, so two at least.
E_FOR_EURO = re.compile(r"\b(\d{2,}(?:[.,]\d{1,2})?)[eE]\b")


def prepare(text: str, language: str = "en") -> str:
    """The sentence cleaned, with amounts in words as digits."""
    text = E_FOR_EURO.sub(r"\1 €", _small_before_currency(clean(text), language))
    return _multiply(words_to_digits(_multiply(text), language))


def to_decimal(raw: str) -> Decimal | None:
    """A written number as Decimal, reading separators by shape: with both "." and "," the
    last one is decimal ("1.234,56", "1,234.56"); one kind repeated, or followed by exactly
    three digits, groups thousands ("1.000", "1,500"); otherwise it is decimal ("12,50")."""
    raw = raw.replace(" ", "").rstrip("-")
    raw = raw.rstrip(".,") if raw.endswith((".", ",")) else raw
    separators = [ch for ch in raw if ch in ".,"]
    if separators:
        last = max(raw.rfind("."), raw.rfind(","))
        whole, fraction = raw[:last], raw[last + 1 :]
        if len(set(separators)) == 1 and (len(separators) > 1 or (len(fraction) == 3 and whole not in ("", "0"))):
            raw = raw.replace(separators[0], "")
        else:
            raw = whole.replace(".", "").replace(",", "") + "." + fraction
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Candidate:
    """One number in the sentence with what surrounds it; `span` is its place in the text."""

    amount: Amount
    span: tuple[int, int]
    score: int


def _blank(text: str, pattern: re.Pattern[str], minimum_digits: int = 0) -> str:
    def spaces(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return " " * len(match.group(0)) if digits >= minimum_digits else match.group(0)

    return pattern.sub(spaces, text)


# "250 is too much, but 40 works": what follows a contrast is what the speaker settles on.
CONTRAST = re.compile(r"\b(?:but|however|instead|mais|plutôt|plutot|maar|wel|eerder)\b", re.I)

# "… but not 120": a number just after a negation is what the speaker rules out.
NEGATED = re.compile(r"\b(?:not|never|pas|jamais|niet|geen|nooit)\s+(?:\S+\s+)?$", re.I)


def candidates(prepared: str, language: str = "en") -> list[Candidate]:
    """Every number in a prepared sentence that can be money, in order, with its salience."""
    lang = language_of(language)
    text = _blank(_blank(prepared, IBAN, 8), PHONE, 9)
    # What comes before or after a number is read where it is (a window before, a match at its
    # end), never by searching a copy of the text before or after each number: see `ends_at`.
    contrast = CONTRAST.search(text)  # the first one: every number after it is settled on
    found: list[Candidate] = []
    for match in NUMBER.finditer(text):
        start, end = match.span()
        value = to_decimal(match.group("num"))
        if value is None:
            continue
        prefix = ends_at(CURRENCY_BEFORE, text, start)
        suffix = CURRENCY_AFTER.match(text, end)
        currency: str | None = None
        has_currency = False
        if prefix:
            has_currency = True
            currency = CURRENCIES[prefix.group("sign") or prefix.group("word")]
            start = prefix.start()
        elif text[start - 1 : start].isalpha() or ends_at(LETTER_DASH_BEFORE, text, start):
            continue  # part of a reference such as "ACC-1001" or "inv1"
        if suffix and (suffix.group("sign") or suffix.group("word")):
            has_currency = True
            currency = currency or CURRENCIES[suffix.group("sign") or suffix.group("word")]
            end = suffix.end()
            cents = _cents_after(text, end, match.group("num"))
            if cents is not None:
                value += cents[0]
                end = cents[1]
        elif suffix and suffix.group("cents") and not (lang == "fr" and suffix.group("cents") == "cent"):
            word = suffix.group("cents")
            has_currency = True
            currency = currency or (CENTS[word] if lang != "en" or word.startswith("euro") else None)
            value = value / 100
            end = suffix.end()
        if not has_currency and _not_money(match, text, lang, value):
            continue
        rate = bool(RATE_AFTER.match(text, end))
        decimals = bool(re.search(r"[.,]\d{1,2}$", match.group("num"))) or bool(match.group("dash"))
        settled = contrast is not None and contrast.end() <= start
        refused = bool(ends_at(NEGATED, text, start))
        score = 4 * has_currency + 2 * decimals + rate + 5 * settled - 20 * refused
        found.append(Candidate(Amount(value, currency), (start, end), score))
    return found


def _cents_after(text: str, at: int, number: str) -> tuple[Decimal, int] | None:
    """ "cinq euros cinquante", "twelve pounds fifty": the cents said after the currency that
    ends at `at`, as (value, where they end), unless that number is a day, a count or another
    amount."""
    if re.search(r"[.,]\d{1,2}$", number):
        return None
    match = CENTS_AFTER_CURRENCY.match(text, at)
    if not match:
        return None
    after = match.end()
    if NOT_MONEY_AFTER.match(text, after) or MONTH_AFTER.match(text, after) or CURRENCY_AFTER.match(text, after):
        return None
    return Decimal(match.group("cents")) / 100, match.end()


def _not_money(match: re.Match[str], text: str, language: str, value: Decimal) -> bool:
    """A number said without currency that reads as a day, year, count, hour or reference."""
    start, end = match.span()
    raw = match.group("num")
    if match.group("dash"):
        return False
    if NOT_MONEY_AFTER.match(text, end) or MONTH_AFTER.match(text, end) or ends_at(MONTH_BEFORE, text, start):
        return True
    if ends_at(HALF_BEFORE, text, start):
        return True  # "half a million": not a figure we read
    if (
        (ends_at(TIME_BEFORE, text, start) and value <= 24)
        or TIME_AFTER.match(text, end)
        or ends_at(SEPARATOR_BEFORE, text, start)
    ):
        return True
    if ends_at(IDENTIFIER_BEFORE, text, start):
        return True
    if language != "nl" and _counts_things(text, end):
        return True
    whole = value == value.to_integral_value() and not re.search(r"[.,]\d{1,2}$", raw)
    if whole and 1 <= value <= 31 and ends_at(DAY_BEFORE[language], text, start):
        return True
    return whole and 1900 <= value <= 2100 and raw.isdigit()


def _counts_things(text: str, end: int) -> bool:
    """Whether the bare number that ends at `end` is followed by a plural noun ("6 trips",
    "2 credit cards")."""
    match = PLURAL_AFTER.match(text, end)
    if not match:
        return False
    if match.group("noun") is None:
        return True
    first = (match.group("first") or "").lower()
    return match.group("noun").lower() not in NOT_PLURAL and first not in NOT_ADJECTIVE


def parse_amount(text: str, language: str = "en") -> Amount | None:
    """The money amount in `text` ("I can do fifty quid a month" -> 50 GBP), or None.

    When several numbers could be money the most salient wins: one with a currency, then one
    with cents, then a rate ("60 par mois") or one after a contrast ("…, but 40"), then the
    first; days ("le 5"), years, counts
    ("en 3 fois"), hours and phone numbers are never amounts.
    """
    if not text or not text.strip() or answer_too_long(text):
        return None
    found = candidates(prepare(text, language), language)
    if not found:
        return None
    return max(found, key=lambda c: (c.score, -c.span[0])).amount


def mask_money(prepared: str, language: str = "en") -> str:
    """A prepared sentence with phone numbers, IBANs and amounts that carry a currency blanked
    out, so a date reader does not take "250 euros" or "0470 12 34 56" for a day or a year."""
    text = _blank(_blank(prepared, IBAN, 8), PHONE, 9)
    spans = sorted(candidate.span for candidate in candidates(text, language) if candidate.score >= 4)
    # Built once from the pieces: copying the whole text for every amount made this quadratic.
    pieces, done = [], 0
    for start, end in spans:
        start = max(start, done)  # spans can overlap ("5 € 6": the € ends one and starts the other)
        if end > start:
            pieces += [text[done:start], " " * (end - start)]
            done = end
    pieces.append(text[done:])
    return "".join(pieces)


# What an amount in a request for a plan stands for. Only a monthly amount is an offer; the
# total owed ("my debt of 1.234,56 €") or a sum for today is not, and the bot then asks.
# "Monthly" must be said of the amount itself ("50 a month", "mensualités de 50"): in "can we
# split the 750 into monthly payments" the 750 is the total.
_SUM = r"\d[\d.,' ]*\s*(?:€|eur(?:o|os)?\b)?\s*"
MONTHLY = re.compile(
    _SUM + r"(?:(?:a|per|each|every|the|par|chaque|tous\s+les|in\s+de|elke|iedere|/|p/?)\s*"
    r"(?:month|mo|mois|maand|mnd|m)\b|monthly|mensuel|maandelijks|pm\b|p/m\b)"
    r"|(?:monthly|mensualit[ée]s?|maandelijks\w*|par\s+mois|per\s+maand)\s+(?:\w+\s+){0,2}"
    r"(?:of|de|d'|van)?\s*€?\s*\d",
    re.I,
)
TOTAL = re.compile(
    r"\b(?:debt|owe|owing|total|whole|entire|balance|bill\s+of|invoice\s+of|full\s+amount)\b"
    r"|\b(?:dette|dois|doit|devoir|total|totalit[ée]|solde|facture\s+de|montant\s+de|tout\s+le\s+montant)\b"
    r"|\b(?:schuld|verschuldigd|totaal|saldo|volledige|hele\s+bedrag|factuur\s+van|bedrag\s+van)\b",
    re.I,
)
NOW = re.compile(r"\b(?:today|now|right\s+away|aujourd'?hui|maintenant|tout\s+de\s+suite|vandaag|nu|meteen)\b", re.I)


def amount_role(text: str, language: str = "en") -> str:
    """ "monthly", "total" or "today": what a sum in a request for a plan stands for, or
    "unknown". A monthly amount wins ("the debt of 600, I can do 50 a month")."""
    text = words_to_digits(text, language)
    if MONTHLY.search(text):
        return "monthly"
    if TOTAL.search(text):
        return "total"
    if NOW.search(text):
        return "today"
    return "unknown"


EVERYTHING = re.compile(
    r"\b(?:all|everything|whole|entire|in\s+full|full\s+amount|the\s+lot|at\s+once|in\s+one\s+go)\b"
    r"|\b(?:tout|totalit[ée]|int[ée]gralit[ée]|en\s+une\s+(?:seule\s+)?fois|d'un\s+coup|solde)\b"
    r"|\b(?:alles|volledig|helemaal|in\s+(?:één|een|1)\s*(?:keer|x)\b|ineens|het\s+hele|saldo)",
    re.I,
)


def asks_for_everything(text: str) -> bool:
    """Whether a request to pay is for the whole balance ("pay it all off", "tout payer",
    "alles in één keer"), not the next installment of a running plan."""
    return EVERYTHING.search(text or "") is not None
