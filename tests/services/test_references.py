"""Structured payment references: Belgian OGM/VCS (+++ddd/dddd/ddddd+++, modulo 97) and the
ISO 11649 creditor reference (RF..), made for each account and found in statement text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649
from stdnum.be import ogm_vcs

from amicable.services import references


def test_a_belgian_structured_reference_ends_in_the_number_modulo_97():
    # 0909337554 = 97 × 9374613 + 93: the check digits are 93.
    assert references.ogm(909337554) == "+++090/9337/55493+++"
    # A multiple of 97 leaves 0, which is written 97.
    assert references.ogm(97 * 1000) == "+++000/0097/00097+++"
    assert references.ogm(1) == "+++000/0000/00101+++"


def test_more_than_ten_digits_cannot_be_a_structured_reference():
    with pytest.raises(ValueError):
        references.ogm(10**10)


def test_the_creditor_reference_carries_iso_11649_check_digits():
    # 0000000001 followed by RF00 (R=27, F=15): 1271500 mod 97 = 24, and 98 - 24 = 74.
    assert references.rf(1) == "RF740000000001"
    assert references.display("RF740000000001") == "RF74 0000 0000 01"
    assert references.display("+++090/9337/55493+++") == "+++090/9337/55493+++"


def test_belgian_accounts_get_a_structured_reference_and_others_an_rf():
    assert references.for_account(1, "be") == "+++000/0000/00101+++"
    assert references.for_account(1, "NL") == "RF740000000001"
    assert references.for_account(1, None) == "RF740000000001"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("090/9337/55493", "+++090/9337/55493+++"),
        ("***090/9337/55493***", "+++090/9337/55493+++"),
        ("090 9337 55493", "+++090/9337/55493+++"),
        ("rf74 0000 0000 01", "RF740000000001"),
    ],
)
def test_references_are_compared_in_one_compact_form(typed, stored):
    assert references.compact(typed) == stored


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Payment +++090/9337/55493+++ thanks", ["+++090/9337/55493+++"]),
        ("invoice 090/9337/55494", []),  # one check digit off: an invoice number, not a reference
        ("*** 090 9337 55493 *** and again 090933755493", ["+++090/9337/55493+++"]),  # found once
        ("see RF74 0000 0000 01 ok", ["RF740000000001"]),
        ("RF75 0000 0000 01", []),
        ("call me on 0470 12 34 56", []),
        ("", []),
    ],
)
def test_only_references_with_right_check_digits_are_found_in_statement_text(text, found):
    assert references.find(text) == found


def test_an_iban_is_shown_in_groups_of_four():
    assert references.display_iban("BE68539007547034") == "BE68 5390 0754 7034"
    assert references.display_iban("") == ""


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_every_account_number_gives_valid_references_that_are_found_again(number):
    structured = references.ogm(number)
    assert ogm_vcs.is_valid(structured.strip("+"))
    assert int(ogm_vcs.compact(structured.strip("+"))[:10]) == number
    assert references.find(f"pay with {structured} please") == [structured]
    creditor = references.rf(number)
    assert iso11649.is_valid(creditor)
    assert references.find(f"ref {references.display(creditor)}") == [creditor]
    assert references.compact(references.display(creditor)) == creditor
