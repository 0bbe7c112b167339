"""The demo's mail server and mailbox page: what the demo sends by email is kept on this
machine and shown to the operator as the debtor would get it; outside the demo there is no
such page."""

from __future__ import annotations

import smtplib
import threading
import time
from email.message import EmailMessage

from fastapi.testclient import TestClient

from amicable.runtime import mailbox
from server.app import create_app
from tests.email.mail_server import free_port


def test_the_demo_mail_server_keeps_what_it_receives_and_the_page_shows_it(settings, tmp_path):
    port = free_port()
    threading.Thread(target=mailbox.serve, args=(tmp_path, port), daemon=True).start()
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@amicable.localhost", "lou@example.org", "Your bill"
    message.set_content("Hello Lou")
    message.add_alternative("<p style='color:#1f2937'>Hello <b>Lou</b></p><script>alert(1)</script>", subtype="html")
    for _ in range(50):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                smtp.send_message(message)
            break
        except OSError:
            time.sleep(0.1)
    [kept] = mailbox.messages(tmp_path)
    assert kept.subject == "Your bill"
    with TestClient(create_app(settings.model_copy(update={"mailbox_dir": tmp_path}))) as client:
        listing = client.get("/mailbox")
        assert listing.status_code == 200 and "Your bill" in listing.text and "Demo" in listing.text
        page = client.get(f"/mailbox/{kept.id}")
        assert "Hello Lou" in page.text and "lou@example.org" in page.text
        html = client.get(f"/mailbox/{kept.id}/html")
        # The email's own HTML, under a policy that runs nothing it carries.
        assert "<b>Lou</b>" in html.text
        policy = html.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy and "sandbox" in policy
        assert client.get("/mailbox/../../etc/passwd").status_code == 404
        assert client.get("/mailbox/0000000000000-" + "0" * 32).status_code == 404
    with TestClient(
        create_app(
            settings.model_copy(
                update={
                    "mailbox_dir": tmp_path,
                    "amicable_demo": False,
                    "amicable_api_key": "a" * 32,
                    "amicable_actions_key": "b" * 32,
                    "amicable_link_secret": "c" * 32,
                    "rasa_token": "d" * 32,
                    "stripe_api_key": "sk_test_x",
                    "stripe_webhook_secret": "whsec_x",
                }
            )
        )
    ) as client:
        assert client.get("/mailbox").status_code == 404
