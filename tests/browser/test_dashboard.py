"""The dashboard in headless Chromium (tests/browser/conftest.py starts it and the app), on the
seeded portfolio: signed in through the console, the charts hold the figures' numbers, a filter
chosen with the keyboard narrows them, the CSV downloaded is the API's, no request leaves our
server, nothing is refused by the page's CSP, every text meets WCAG AA contrast, and neither a
phone nor a desktop screen scrolls sideways."""

from __future__ import annotations

import csv
import io

import pytest

from amicable.db.session import make_engine, make_sessionmaker, transaction
from tests.dashboard.portfolio import OPERATOR_A, PASSWORD, seed

URL = "/dashboard?from=2026-01-01&to=2026-03-31"

# Every element with text of its own, outside the charts (whose SVG text is checked below):
# its colour against the first opaque background behind it, as the web chat's test does.
CONTRAST = """
() => {
  function rgb(value) {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(",").map(Number);
    return { r, g, b, a: a === undefined ? 1 : a };
  }
  function luminance({ r, g, b }) {
    const c = [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  function background(el) {
    for (let node = el; node; node = node.parentElement) {
      const bg = rgb(getComputedStyle(node).backgroundColor);
      if (bg && bg.a > 0.5) return bg;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  function ratio(fg, bg) {
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (l1 + 0.05) / (l2 + 0.05);
  }
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".chart") || el.closest(".skip")) continue;
    const style = getComputedStyle(el);
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || style.visibility === "hidden" || el.offsetParent === null) continue;
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    const value = ratio(rgb(style.color), background(el));
    if (value < (large ? 3 : 4.5)) failures.push(`${el.tagName}.${el.className}: ${value.toFixed(2)} "${el.textContent.trim().slice(0, 30)}"`);
  }
  for (const text of document.querySelectorAll(".chart svg text")) {
    const fill = rgb(getComputedStyle(text).fill);
    if (fill && text.textContent.trim() && ratio(fill, { r: 255, g: 255, b: 255 }) < 4.5) {
      failures.push(`chart text: ${ratio(fill, { r: 255, g: 255, b: 255 }).toFixed(2)} "${text.textContent.trim()}"`);
    }
  }
  return failures;
}
"""


def _traces(page, name: str) -> list[list]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"#chart-{name}[data-drawn='true']", timeout=20_000)
    return page.evaluate(f"document.getElementById('chart-{name}').data.map(t => [t.name, t.x, t.y])")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_dashboard_in_chromium(web, browser, settings):
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        seed(session)
    engine.dispose()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True)
    outside: list[str] = []
    refused: list[str] = []

    def only_ours(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(web):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_ours)
    page = context.new_page()
    page.on(
        "console",
        lambda m: refused.append(f"{page.url} {m.location} {m.text}") if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    try:
        # Not signed in: the console's sign-in, then back.
        page.goto(web + URL)
        assert page.url == f"{web}/agent"
        page.get_by_label("E-mail", exact=True).fill(OPERATOR_A)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#who:has-text('Ana')")
        page.goto(web + URL)
        assert page.locator("#demo").inner_text().startswith("Demo")
        # The charts hold the figures' numbers (tests/dashboard/test_figures.py works them out).
        assert _traces(page, "collected") == [
            ["EUR", ["2026-01", "2026-02", "2026-03"], [100, 30, 170]],
            ["GBP", ["2026-03"], [80]],
        ]
        assert _traces(page, "reasons") == [["Accounts", [2, 1, 1], ["Lost income", "Short of money until payday", "Forgot"]]]  # fmt: skip
        assert page.locator("#collected tbody tr").count() == 4
        assert "€100.00" in page.locator("#collected tbody").inner_text()
        # Plotly's rules went in through the CSSOM, under the page's strict CSP.
        assert page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length") > 0

        # A filter chosen with the keyboard: French debtors only (typing "F" picks "FR").
        page.focus("select[name=language]")
        page.keyboard.press("F")
        for _ in range(12):
            if page.evaluate("document.activeElement.type") == "submit":
                break
            page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "language=fr" in page.url
        assert _traces(page, "collected") == [["EUR", ["2026-02", "2026-03"], [30, 170]]]

        # The CSV downloaded is the API's table.
        with page.expect_download() as download:
            page.click("#collected a.download")
        got = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
        api = page.request.get(f"{web}/dashboard/data?{page.url.split('?', 1)[1]}").json()
        rows = api["figures"]["collected"]["rows"]
        assert got[1:] == [[r["period"], r["currency"], r["received"], r["refunded"], r["net"]] for r in rows]

        assert page.evaluate(CONTRAST) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        context.close()

    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        page.goto(f"{web}/agent")
        page.get_by_label("E-mail", exact=True).fill(OPERATOR_A)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("#who:has-text('Ana')")
        page.goto(web + URL + "&lang=nl")
        _traces(page, "ab_tests")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.locator("h1").inner_text() == "Amicable · Resultaten"
        assert page.evaluate(CONTRAST) == []
    finally:
        phone.close()
    print("REFUSED", *refused, sep="\n")
    assert outside == [] and refused == []
