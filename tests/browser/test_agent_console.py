"""The agent console in headless Chromium: sign in, the queue updates without reloading, open
a conversation, take it, reply (the debtor's web chat shows it), note, hand back."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from amicable.services import agents, conversations, link_tokens
from tests.conftest import AUTH, LINK_SECRET
from tests.factories import account_body, verify

PASSWORD = "correct horse battery staple"
WEB = link_tokens.issue_web_id(LINK_SECRET)


def _setup(web: str, sessionmaker) -> None:
    from amicable.db.session import transaction

    httpx.post(f"{web}/api/v1/accounts", json=account_body(), headers=AUTH).raise_for_status()
    with httpx.Client(base_url=web) as client:
        assert verify(client, WEB)["verified"]
    with transaction(sessionmaker) as session:
        agents.create_agent(session, "ana@example.com", "Ana", "agent", PASSWORD)


def _hand_over(sessionmaker) -> None:
    from amicable.db.session import transaction

    with transaction(sessionmaker) as session:
        conversation = conversations.get_or_create(session, WEB, "web")
        conversations.record_message(session, conversation, "debtor", "Can I speak to someone please?")
        conversations.hand_over(session, conversation, "request_human", "wants a person about a plan")


def test_an_agent_signs_in_takes_a_conversation_and_replies(web, browser, settings):
    from amicable.db.session import make_engine, make_sessionmaker

    sessionmaker = make_sessionmaker(make_engine(settings.database_url))
    _setup(web, sessionmaker)
    page = browser.new_page()
    page.goto(f"{web}/agent")
    page.wait_for_selector("#login:not([hidden])")
    # A first visit is a sign-in, not "your session has ended".
    assert page.inner_text("#login-status") == ""
    page.get_by_label("E-mail", exact=True).fill("ana@example.com")
    page.get_by_label("Password", exact=True).fill("wrong password!!")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#login-status:has-text('wrong e-mail or password')")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#who:has-text('Ana (agent)')")
    page.wait_for_selector("#queue-count:has-text('(0)')")
    # A debtor asks for a person: the queue shows it within a few seconds, no reload.
    _hand_over(sessionmaker)
    page.wait_for_selector("#queue button:has-text('ACC-1001')", timeout=10_000)
    page.click("#queue button:has-text('ACC-1001')")
    page.wait_for_selector("#transcript li:has-text('Can I speak to someone please?')")
    # The file panel: balance, invoices and the latest history, the whole file one link away.
    page.wait_for_selector("#file-summary:has-text('balance €120.50')")
    assert page.locator("#file-parts table tbody tr").count() == 2
    assert "INV-1" in page.inner_text("#file-parts") and "€84.20" in page.inner_text("#file-parts")
    assert page.get_attribute("#file-link", "href") == "/accounts/ACC-1001?lang=en"
    # Only the action that fits: the assistant has it, so it can be taken, not handed back,
    # and there is no replying before taking it.
    assert page.is_hidden("#release") and page.is_disabled("#reply")
    page.get_by_role("button", name="Take the conversation").click()
    page.wait_for_selector("#status:has-text('the bot is silent')")
    page.wait_for_selector("#take", state="hidden")
    page.get_by_label("Reply to the debtor").fill("Hello Sam, this is Ana. Let's find a plan together.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_selector("#status:has-text('shown in the web chat')")
    polled = httpx.get(f"{web}/webhooks/rest/messages", params={"sender": WEB, "after": 0}).json()
    assert polled[-1]["text"] == "Hello Sam, this is Ana. Let's find a plan together."
    # The debtor was told a person joined, and sees who writes.
    assert polled[0]["text"].startswith("Ana from Brightwater Energy has joined the conversation.")
    assert {m["name"] for m in polled} == {"Ana"}
    page.get_by_label("Note for colleagues").fill("Prefers calls after 6pm")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_selector("#notes li:has-text('Prefers calls after 6pm')")
    # An outcome recorded shows in the panel at once, in the console's language too.
    page.select_option("#kind", "promise")
    page.fill("#due", (date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Record outcome").click()
    page.wait_for_selector("#file-parts h4:has-text('Promises to pay')")
    page.select_option("#lang", "fr")
    page.wait_for_selector("#file-parts h4:has-text('Promesses de paiement')")
    page.wait_for_selector("#file-summary:has-text('120,50')")
    page.select_option("#lang", "en")
    page.get_by_role("button", name="Hand back to the bot").click()
    page.wait_for_selector("#status:has-text('Handed back to the bot')")
    page.wait_for_selector("#queue-count:has-text('(0)')", timeout=10_000)
    page.close()


def test_a_supervisor_adds_a_colleague_and_removes_their_access(web, browser, settings):
    from amicable.db.session import make_engine, make_sessionmaker, transaction

    with transaction(make_sessionmaker(make_engine(settings.database_url))) as session:
        agents.create_agent(session, "sue@example.com", "Sue", "supervisor", PASSWORD)
    page = browser.new_page()
    page.goto(f"{web}/agent")
    page.get_by_label("E-mail", exact=True).fill("sue@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#team:not([hidden])")
    page.fill("#invite-email", "bo@example.com")
    page.fill("#invite-name", "Bo Jansen")
    page.fill("#invite-password", "short")
    page.get_by_role("button", name="Add colleague").click()  # the browser asks for 12 characters
    assert page.inner_text("#team-list").count("@") == 1
    page.fill("#invite-password", "a long first password")
    page.get_by_role("button", name="Add colleague").click()
    page.wait_for_selector("#status:has-text('bo@example.com can now sign in')")
    page.locator("#team-list li", has_text="bo@example.com").get_by_role("button", name="Remove access").click()
    page.wait_for_selector("#team-list li:has-text('bo@example.com'):has-text('no access')")
    refused = httpx.post(
        f"{web}/agent/api/login", json={"email": "bo@example.com", "password": "a long first password"}
    )
    assert refused.status_code == 401
    page.close()
