"""Never twice for one contact, at the SMTP level: once the message's text has gone out, a
server that falls silent may have it, so it is not handed over again; one that accepted it and
then fails at QUIT has sent it. A "not now" before that is retried (tests/email/test_outbound.py)."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiosmtpd.controller import Controller

from amicable.providers import email as email_provider
from amicable.providers.errors import NotSent
from tests.email.mail_server import free_port


class _Server:
    """Keeps every message it is given; answers DATA and QUIT after the delays asked."""

    def __init__(self, data_delay: float = 0.0, quit_delay: float = 0.0) -> None:
        self.got: list[bytes] = []
        self.data_delay, self.quit_delay = data_delay, quit_delay

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802, ANN001
        self.got.append(envelope.content)
        await asyncio.sleep(self.data_delay)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope) -> str:  # noqa: N802, ANN001
        await asyncio.sleep(self.quit_delay)
        return "221 Bye"


@pytest.fixture
def slow(monkeypatch):  # noqa: ANN201
    servers: list[Controller] = []
    monkeypatch.setattr(email_provider, "TIMEOUT_SECONDS", 1.0)

    def start(handler: _Server) -> str:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return f"smtp://127.0.0.1:{controller.port}"

    yield start
    for controller in servers:
        controller.stop()


def _message(settings):  # noqa: ANN001, ANN202
    return email_provider.plain_message(settings, 1, "lou@example.org", "Your reminder", "A reminder")


def test_a_server_silent_after_the_message_went_out_gets_it_once_and_the_failure_says_so(mailing, slow):
    handler = _Server(data_delay=2.5)
    settings = mailing.model_copy(update={"smtp_url": slow(handler)})
    with pytest.raises(NotSent, match="may have arrived, so it is not sent again"):
        email_provider.send(settings, _message(settings), sleep=lambda _: None)
    time.sleep(2)  # what a retry would have delivered by now
    assert len(handler.got) == 1


def test_a_server_that_accepted_the_message_and_then_stalls_at_quit_has_sent_it(mailing, slow):
    handler = _Server(quit_delay=2.5)
    settings = mailing.model_copy(update={"smtp_url": slow(handler)})
    message = _message(settings)
    assert email_provider.send(settings, message, sleep=lambda _: None) == message["Message-ID"]
    time.sleep(1)
    assert len(handler.got) == 1


def test_a_server_that_cannot_be_reached_is_tried_again_then_given_up_with_the_reason(mailing):
    settings = mailing.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    waits: list[float] = []
    with pytest.raises(NotSent, match="could not be reached.*tried 3 times"):
        email_provider.send(settings, _message(settings), sleep=waits.append)
    assert waits == [1.0, 2.0]
