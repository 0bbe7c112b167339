"""An outreach email as a phone shows it, in headless Chromium at 390 px: nothing wider than the
screen, text large enough, every text at WCAG AA contrast, and the pay button reached with the
keyboard. The email is the one a real campaign run handed to a real SMTP server."""

from __future__ import annotations

import pytest

from tests.browser.test_web_chat import CONTRAST
from tests.conftest import AUTH
from tests.email.test_outbound import email_only, run
from tests.outreach.test_campaign import moment, next_open_day

EVERY_TEXT = CONTRAST.replace('document.querySelectorAll("[data-amicable] *")', 'document.querySelectorAll("body *")')


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_email_reads_well_on_a_phone_and_its_button_is_reachable_by_keyboard(
    client, mailing, mail, factory, phone, language
):
    day = next_open_day(1)
    body = email_only("MAIL-1", 3 - day, language=language, country="BE", timezone="Europe/Brussels")
    client.post("/api/v1/accounts", json=body, headers=AUTH)
    run(factory, mailing, moment(day, 11))
    [message] = mail.inbox.messages
    phone.set_content(message.get_body(("html",)).get_content())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    sizes = phone.evaluate(
        "[...document.querySelectorAll('p, td, th, a')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert min(sizes) >= 13
    assert phone.evaluate(EVERY_TEXT) == []
    for _ in range(6):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.classList.contains('button')"):
            break
    else:
        pytest.fail("the pay button was not reached with the keyboard")
    box = phone.locator("a.button").bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
