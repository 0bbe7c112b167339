"""Structured payment references for bank transfers, and finding them in statement lines.

Belgian banks carry the structured communication (OGM/VCS, +++123/4567/89012+++, modulo 97
check digits) end to end, and Belgian debtors know it; elsewhere the ISO 11649 creditor
reference (RF..) does the same job. Each account gets one reference for life, derived from its
id, so a transfer can be matched without reading names or free text. Check digits are computed
and checked with python-stdnum, never by hand.
"""

from __future__ import annotations

import re

from schwifty import IBAN
from stdnum import iso11649
from stdnum.be import ogm_vcs
from stdnum.iso7064 import mod_97_10

OGM_COUNTRIES = {"BE"}
# +++123/4567/89012+++ or ***...***, with or without the slashes and spaces banks add.
_OGM = re.compile(r"(?<!\d)(?:\+{3}|\*{3})?\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*(?:\+{3}|\*{3})?(?!\d)")
_RF = re.compile(r"\bRF\s?\d{2}(?:\s?[0-9A-Z]){1,21}\b", re.IGNORECASE)


def ogm(number: int) -> str:
    """The Belgian structured communication for a number below 10^10."""
    base = f"{number:010d}"
    if len(base) != 10:
        raise ValueError("a structured communication holds at most 10 digits")
    return f"+++{ogm_vcs.format(base + ogm_vcs.calc_check_digits(base))}+++"


def rf(number: int) -> str:
    """The ISO 11649 creditor reference, compact (RF + 2 check digits + our digits)."""
    body = f"{number:010d}"
    return "RF" + mod_97_10.calc_check_digits(body + "RF") + body


def for_account(account_id: int, country: str | None) -> str:
    return ogm(account_id) if (country or "").upper() in OGM_COUNTRIES else rf(account_id)


def display(reference: str) -> str:
    """How a person reads and types it: +++…+++ as is, RF in groups of four."""
    return reference if reference.startswith("+++") else iso11649.format(reference)


def display_iban(iban: str) -> str:
    """BE68 5390 0754 7034: the IBAN in the groups people copy from."""
    return IBAN(iban).formatted if iban else ""


def compact(reference: str) -> str:
    """The one form stored and compared: +++ddd/dddd/ddddd+++ or RF… without spaces."""
    text = reference.strip().upper()
    if text.startswith("RF"):
        return iso11649.compact(text)
    digits = re.sub(r"\D", "", text)
    return f"+++{ogm_vcs.format(digits)}+++"


def find(text: str) -> list[str]:
    """Valid references in a statement line's remittance text, in compact form. Numbers that
    merely look like one (an invoice number, a phone number) fail the check digits."""
    found: list[str] = []
    for match in _OGM.finditer(text or ""):
        digits = "".join(match.groups())
        if ogm_vcs.is_valid(digits):
            found.append(f"+++{ogm_vcs.format(digits)}+++")
    for match in _RF.finditer(text or ""):
        # The pattern may run on into the next word ("RF74 0000 0000 01 ok"): take the
        # longest start of it whose check digits are right.
        candidate = re.sub(r"\s", "", match.group(0))
        for end in range(len(candidate), 4, -1):
            if iso11649.is_valid(candidate[:end]):
                found.append(iso11649.compact(candidate[:end]))
                break
    return list(dict.fromkeys(found))
