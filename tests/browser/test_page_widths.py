"""The debtor's pages on every common phone width (320 to 430 px), in Chromium: nothing to
scroll sideways, the card never touches the screen's edge, and buttons in the page's font;
and the API docs render with no request leaving our server."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import AUTH
from tests.factories import account_body

WIDTHS = [320, 360, 390, 414, 430]


def _pages(web: str) -> dict[str, str]:
    httpx.post(f"{web}/api/v1/accounts", json=account_body(), headers=AUTH).raise_for_status()
    base = f"{web}/api/v1/accounts/ACC-1001"
    quote = httpx.post(f"{base}/plans/quote", json={"monthly_amount": "40.00"}, headers=AUTH).json()
    plan = httpx.post(f"{base}/plans", json={"monthly_amount": quote["monthly"]}, headers=AUTH).json()
    link = httpx.post(f"{base}/payment-links", json={"whole_balance": True}, headers=AUTH).json()
    autopay = httpx.post(f"{base}/plans/{plan['id']}/autopay", headers=AUTH).json()
    return {"pay": link["url"], "autopay": autopay["url"]}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pay_and_autopay_pages_fit_the_phone(web, browser, width):
    pages = _pages(web)
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for name, url in pages.items():
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            box = page.locator(".card").bounding_box()
            assert box["x"] >= 8 and box["x"] + box["width"] <= width - 8, (name, box)
            body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
            for button in page.locator("button").all():
                assert button.evaluate("b => getComputedStyle(b).fontFamily") == body_font, name
    finally:
        context.close()


def test_the_api_docs_render_without_internet(web, browser):
    context = browser.new_context()
    outside: list[str] = []

    def only_ours(route):
        if route.request.url.startswith(web):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_ours)
    page = context.new_page()
    try:
        page.goto(f"{web}/docs")
        page.wait_for_selector(".opblock", timeout=20_000)
        page.goto(f"{web}/redoc")
        page.wait_for_selector("[role=menuitem], .menu-content", timeout=20_000)
    finally:
        context.close()
    assert outside == []
