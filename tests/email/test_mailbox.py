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


def test_the_mailserver_command_keeps_mail_where_the_page_reads_it(tmp_path):
    """`amicable mailserver` (started by `make run`) keeps messages in MAILBOX_DIR, the folder
    the /mailbox page reads, not in a fixed one."""
    import os
    import subprocess
    import sys

    from amicable.paths import ROOT

    port = free_port()
    folder = tmp_path / "kept"
    env = {**os.environ, "MAILBOX_DIR": str(folder), "AMICABLE_DEMO": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "amicable", "mailserver", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@amicable.localhost", "lou@example.org", "Hi"
        message.set_content("Hello Lou")
        for _ in range(100):
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
                    smtp.send_message(message)
                break
            except OSError:
                time.sleep(0.1)
        assert [kept.subject for kept in mailbox.messages(folder)] == ["Hi"]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert str(folder) in output
