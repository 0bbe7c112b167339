"""The accounts, account and outreach pages in headless Chromium (tests/browser/conftest.py
starts it and the app) on the pages' seeded portfolio (tests/web/test_accounts_pages.py):
signed in through the console, a filter reached and submitted with the keyboard narrows the
list, an account opened from it shows its timeline, nothing is refused by the strict CSP,
every text meets WCAG AA contrast, and neither a phone (375 px) nor a desktop scrolls
sideways."""

from __future__ import annotations

import pytest

from amicable.db.session import make_engine, make_sessionmaker, transaction
from tests.browser.test_web_chat import CONTRAST as CHAT_CONTRAST
from tests.web.test_accounts_pages import AGENCY, BULK, PASSWORD, seed

# The web chat's contrast check (its colour against the first opaque background behind it, by
# WCAG's formula), over every element of these pages instead of the chat's.
CONTRAST = CHAT_CONTRAST.replace("[data-amicable] *", "body *")
assert CONTRAST != CHAT_CONTRAST
ROWS = "table.list tbody tr"


def _tab_to(page, selector: str, presses: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element `selector` has the focus, as a keyboard user would."""
    for _ in range(presses):
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_accounts_pages_in_chromium(web, browser, settings):  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        seed(session)
    engine.dispose()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    refused: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda error: refused.append(str(error)))
    try:
        page.goto(f"{web}/accounts")
        assert page.url == f"{web}/agent"  # not signed in: the console's sign-in
        page.get_by_label("E-mail", exact=True).fill(AGENCY)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#who:has-text('Bea')")

        page.goto(f"{web}/accounts")
        assert page.locator("#demo").inner_text().startswith("Demo")
        assert page.locator(ROWS).count() == 5 + BULK
        # From the top of the page, Tab to the search box, type, Enter: the list narrows.
        page.locator("body").focus()
        _tab_to(page, "input[name=q]")
        page.keyboard.type("lotte")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(ROWS).count() == 1
        assert page.locator("#total").inner_text() == "1 account matches."
        # A country chosen with the keyboard ("N" picks NL), the search cleared, submitted
        # with the Apply button reached by Tab.
        _tab_to(page, "input[name=q]")
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        _tab_to(page, "select[name=country]")
        page.keyboard.press("N")
        _tab_to(page, "button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "country=NL" in page.url
        assert page.locator(f"{ROWS} th a").all_inner_texts() == ["BW-2", "PT-1"]
        assert page.evaluate(CONTRAST) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # The account, opened from the list with the keyboard: its header and timeline.
        _tab_to(page, "a[href^='/accounts/BW-2']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator("h1").inner_text() == "Account BW-2"
        assert page.locator("#balance").inner_text() == "€500.00"
        assert page.locator("#timeline li").count() == 2  # the invoice, issued and due
        page.goto(f"{web}/accounts/BW-1")
        assert page.locator("#timeline li[data-kind=message]").count() == 2
        assert page.evaluate(CONTRAST) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.goto(f"{web}/outreach")
        assert page.locator("#planned").inner_text() == f"{5 + BULK} accounts planned."
        assert page.evaluate(CONTRAST) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # A phone: the same pages, nothing to scroll sideways, every text still readable.
        page.set_viewport_size({"width": 375, "height": 812})
        for path in ("/accounts", "/accounts?lang=fr&status=overdue", "/accounts/BW-1?lang=nl", "/outreach?lang=fr"):
            page.goto(web + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
            assert page.evaluate(CONTRAST) == [], path
    finally:
        context.close()
    assert refused == []
