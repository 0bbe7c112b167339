"""The page behind an outreach email's unsubscribe link, as a French- or Dutch-speaking debtor
opens it: in their language whatever their browser asks for, changing nothing on a GET (link
scanners follow links), saying nothing about the debt, and recording the email opt-out when
its own button is pressed. The email that carries the link says its language in
Content-Language."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from amicable.db.models import ContactEvent, OptOut
from amicable.db.session import transaction
from tests.conftest import AUTH
from tests.email.test_outbound import email_only, parts, run
from tests.outreach.test_campaign import moment, next_open_day

PAGES = {
    "fr": {
        "title": "E-mails concernant votre compte",
        "ask": "Voulez-vous ne plus recevoir d'e-mails concernant ce compte ?",
        "button": "Ne plus recevoir ces e-mails",
        "done": "C'est fait : vous ne recevrez plus d'e-mails concernant ce compte.",
        "footer": "Ne plus recevoir d'e-mails pour ce compte",
    },
    "nl": {
        "title": "E-mails over uw account",
        "ask": "Wilt u geen e-mails meer ontvangen over deze account?",
        "button": "Stop deze e-mails",
        "done": "Klaar: u ontvangt geen e-mails meer over deze account.",
        "footer": "Geen e-mails meer over deze account",
    },
}
ENGLISH = ("Emails about your account", "Stop these emails", "Done: you will not receive")


class Forms(HTMLParser):
    """The forms of a page as a browser submits them: method, action, and the fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (found.get("method") or "get").lower(), "action": found.get("action"), "fields": {}}
            )
        elif tag in ("input", "button") and self.forms and found.get("name"):
            self.forms[-1]["fields"][found["name"]] = found.get("value") or ""


def shown(page: str) -> str:
    """The page's text as a reader sees it: tags gone, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    ("language", "country", "zone"), [("fr", "BE", "Europe/Brussels"), ("nl", "NL", "Europe/Amsterdam")]
)
def test_the_unsubscribe_page_speaks_the_debtors_language_and_its_button_records_the_opt_out(
    client, mailing, mail, factory, language, country, zone
):
    words = PAGES[language]
    day = next_open_day(1)
    body = email_only("MAIL-1", 3 - day, language=language, country=country, timezone=zone)
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    run(factory, mailing, moment(day, 11))
    [message] = mail.inbox.messages
    url = message["List-Unsubscribe"].strip("<>")
    text, html = parts(message)
    # The footer of both parts links to the same page, in the debtor's words.
    assert f'href="{url}"' in html and words["footer"] in unescape(html)
    assert f"{words['footer']}: {url}" in text

    path = url.removeprefix("http://testserver")
    page = client.get(path, headers={"accept-language": "en-GB,en;q=0.9"})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    seen = shown(page.text)
    for key in ("title", "ask", "button"):
        assert words[key] in seen, key
    assert not any(english in seen for english in ENGLISH)
    # Nothing about the debt on a page anyone holding the link can open.
    assert "84" not in seen and "INV-1" not in seen
    # A GET records nothing: mail scanners open links.
    with transaction(factory) as session:
        assert session.scalars(select(OptOut)).all() == []

    parser = Forms()
    parser.feed(page.text)
    [form] = parser.forms
    assert form["method"] == "post" and form["action"] in (None, "", url, path)
    done = client.post(path, data=form["fields"], headers={"accept-language": "en"})

    assert done.status_code == 200
    assert f'<html lang="{language}">' in done.text and words["done"] in shown(done.text)
    account = client.get("/api/v1/accounts/MAIL-1", headers=AUTH).json()
    assert [o["channel"] for o in account["opt_outs"]] == ["email"]
    with transaction(factory) as session:
        [opt_out] = session.scalars(select(OptOut)).all()
        assert (opt_out.channel, opt_out.address) == ("email", "lou.martin@example.org")
        logged = session.scalars(select(ContactEvent.kind).where(ContactEvent.channel == "email")).all()
        assert "opt_out" in logged


def test_the_email_with_the_link_names_its_language(client, mailing, mail, factory):
    """outreach/email_compose.py sets Content-Language to the debtor's language: it must reach
    the debtor's mail client, as the HTML part's own lang does."""
    day = next_open_day(1)
    body = email_only("MAIL-1", 3 - day, language="fr", country="BE", timezone="Europe/Brussels")
    assert client.post("/api/v1/accounts", json=body, headers=AUTH).status_code in (200, 201)
    run(factory, mailing, moment(day, 11))
    [message] = mail.inbox.messages
    assert '<html lang="fr">' in parts(message)[1]
    assert message["Content-Language"] == "fr", sorted(message.keys())
