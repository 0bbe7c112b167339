"""The pay page as a debtor meets it: on a phone, in their language, usable with the keyboard
alone, and paying settles the balance."""

from __future__ import annotations

import httpx

from tests.conftest import AUTH
from tests.factories import account_body


def _link(web: str, **debtor) -> dict:
    httpx.post(f"{web}/api/v1/accounts", json=account_body(**debtor), headers=AUTH).raise_for_status()
    return httpx.post(f"{web}/api/v1/accounts/ACC-1001/payment-links", json={}, headers=AUTH).json()


def test_a_french_debtor_pays_with_bancontact_using_only_the_keyboard(web, phone):
    link = _link(web, language="fr")
    phone.goto(link["url"])
    assert phone.get_attribute("html", "lang") == "fr"
    assert phone.inner_text("h1") == "Paiement à Brightwater Energy"
    assert phone.inner_text("#amount").replace("\u202f", " ").replace("\xa0", " ") == "120,50 €"
    # The whole card fits the phone's width: nothing to scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Every method is a labelled radio button; the button names the amount.
    assert phone.get_by_role("radio", name="Bancontact").count() == 1
    [label] = phone.get_by_role("button").all_inner_texts()
    assert label.replace("\u202f", " ").replace("\xa0", " ") == "Payer 120,50 €"
    # Keyboard only: focus the first method, arrow to Bancontact, tab to the button, Enter.
    phone.get_by_role("radio", name="Carte").focus()
    phone.keyboard.press("ArrowDown")
    assert phone.get_by_role("radio", name="Bancontact").is_checked()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.tagName") == "BUTTON"
    phone.keyboard.press("Enter")
    phone.wait_for_selector("[role=status]")
    assert "ce paiement est terminé" in phone.inner_text("[role=status]")
    state = httpx.get(f"{web}/api/v1/accounts/ACC-1001", headers=AUTH).json()
    assert state["balance"] == "0.00"
    assert any("bancontact" in c["detail"] or c["kind"] == "payment" for c in state["contact_log"])


def test_a_cancelled_payment_says_nothing_was_charged_and_offers_a_retry(web, phone):
    link = _link(web, language="nl")
    phone.goto(f"{link['url']}?cancelled=1")
    assert "er is niets afgeschreven" in phone.inner_text("[role=status]")
    assert phone.get_by_role("button").count() == 1
    assert "BE68 5390 0754 7034" in phone.inner_text("#transfer")


def test_an_unknown_link_is_a_clear_404(web, phone):
    response = phone.goto(f"{web}/pay/pl_unknown")
    assert response.status == 404
