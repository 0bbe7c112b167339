"""The web chat as a debtor uses it, in headless Chromium on a phone-sized screen: opened with
the keyboard, a message survives a network drop and is sent when the connection returns, a
reminder's signed link ties the chat to the file, and a colleague's reply appears by itself."""

from __future__ import annotations

import httpx

from amicable.db.session import make_engine, make_sessionmaker, transaction
from amicable.services import conversations
from tests.conftest import AUTH
from tests.factories import account_body


def _open_chat(page, url: str) -> None:
    """The page opens the chat by itself; if it is closed, the launcher opens it by keyboard."""
    page.goto(url)
    page.wait_for_selector("#amicable-input", state="attached")
    if not page.is_visible("#amicable-input"):
        page.focus("#amicable-launcher")
        page.keyboard.press("Enter")
    page.wait_for_selector("#amicable-input", state="visible")
    page.focus("#amicable-input")


def test_keyboard_labels_and_a_message_kept_through_a_network_drop(web, phone):
    _open_chat(phone, f"{web}/?lang=fr")
    assert phone.get_attribute("#amicable-launcher", "aria-expanded") == "true"
    assert phone.get_by_label("Votre message").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.context.set_offline(True)
    phone.fill("#amicable-input", "bonjour")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".amicable-notice-text:has-text('hors ligne'), .amicable-notice-text:has-text('connexion')")
    phone.context.set_offline(False)
    # Back online: the message goes out without being typed again (the bot is not running in
    # this test, so the gateway's calm answer comes back).
    phone.wait_for_selector(".amicable-log :text('gardé votre message')", timeout=20_000)
    phone.keyboard.press("Escape")
    assert phone.get_attribute("#amicable-launcher", "aria-expanded") == "false"
    phone.focus("#amicable-launcher")
    phone.keyboard.press("Enter")
    # The conversation is still there after closing and reopening.
    assert phone.is_visible(".amicable-log :text('gardé votre message')")


def test_a_signed_link_and_a_colleagues_reply(web, phone, settings):
    httpx.post(f"{web}/api/v1/accounts", json=account_body(), headers=AUTH).raise_for_status()
    links = httpx.post(f"{web}/api/v1/accounts/ACC-1001/links", headers=AUTH).json()
    _open_chat(phone, links["web_chat"])
    phone.fill("#amicable-input", "hello")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".amicable-log :text('I have kept your message')", timeout=20_000)
    sender = phone.evaluate("Object.keys(localStorage).map(k => localStorage.getItem(k)).find(v => /^web-/.test(v))")
    sessionmaker = make_sessionmaker(make_engine(settings.database_url))
    with transaction(sessionmaker) as session:
        conversation = conversations.get(session, sender)
        assert conversation.account is not None and not conversation.verified  # bound, not disclosed
        conversations.hand_over(session, conversation, "asked_for_person", "")
        conversations.record_message(session, conversation, "agent", "Hello, this is Ana from the team.")
    phone.wait_for_selector(".amicable-log :text('Hello, this is Ana from the team.')", timeout=15_000)


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
  const failures = [];
  for (const el of document.querySelectorAll("[data-amicable] *")) {
    const style = getComputedStyle(el);
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || style.visibility === "hidden" || el.offsetParent === null) continue;
    const fg = rgb(style.color), bg = background(el);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${el.className || el.tagName}: ${ratio.toFixed(2)} "${el.textContent.trim().slice(0, 30)}"`);
  }
  return failures;
}
"""


def test_every_text_in_the_chat_meets_wcag_aa_contrast(web, phone):
    _open_chat(phone, f"{web}/?lang=nl")
    phone.fill("#amicable-input", "hallo")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".amicable-log :text('Ik heb uw bericht bewaard')", timeout=20_000)
    assert phone.evaluate(CONTRAST) == []


def test_a_french_debtors_signed_link_opens_the_chat_in_french(web, browser):
    """The browser says English; the file says French: the link carries the debtor's language,
    so the widget's own labels are French from the first screen."""
    httpx.post(f"{web}/api/v1/accounts", json=account_body(language="fr"), headers=AUTH).raise_for_status()
    links = httpx.post(f"{web}/api/v1/accounts/ACC-1001/links", headers=AUTH).json()
    assert links["web_chat"].endswith("&lang=fr")
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _open_chat(page, links["web_chat"])
        assert page.get_attribute("#amicable-input", "placeholder") == "Écrivez votre message…"
        assert page.get_attribute(".amicable-root", "lang") == "fr"
    finally:
        context.close()
