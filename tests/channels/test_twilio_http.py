"""The Twilio library's HTTP client on urllib3 (providers/twilio.py `Http`): what the
library sends reaches Twilio's API as its reference documents it, and a network fault never
sends a message twice nor hangs a worker, and reads as a calm failure to the callers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import urllib3
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from amicable.providers import outbound, twilio
from amicable.settings import Settings
from tests.fakes.twilio_api import FakeTwilio

SID, TOKEN = "AC" + "7" * 32, "http-client-token-0123456789"


def _client(base: str, timeout: urllib3.Timeout = twilio.TIMEOUT) -> Client:
    made = Client(SID, TOKEN, http_client=twilio.Http(base, timeout))
    made.api.base_url = base
    return made


def test_a_message_and_a_call_reach_twilios_api_as_the_library_writes_them() -> None:
    with FakeTwilio(SID, TOKEN) as fake:
        message = _client(fake.url).messages.create(to="+32470123456", from_="+3228080000", body="Bonjour é ✓ & =")
        call = _client(fake.url).calls.create(
            to="+32470123456", from_="+3228080000", url="https://example.org/voice", status_callback="https://x/s"
        )
    assert message.sid.startswith("SM") and message.status == "queued"
    assert fake.messages[0]["body"] == "Bonjour é ✓ & =" and fake.messages[0]["to"] == "+32470123456"
    assert call.sid.startswith("CA") and fake.calls[0]["status_callback"] == "https://x/s"


def test_wrong_credentials_are_twilios_own_error() -> None:
    with FakeTwilio(SID, "another-token-0123456789") as fake, pytest.raises(TwilioException, match="Authenticate"):
        _client(fake.url).messages.create(to="+32470123456", from_="+3228080000", body="x")


@contextmanager
def _raw_server(answer: bytes | None) -> Iterator[tuple[str, list[bytes]]]:
    """A socket that reads each request and then answers `answer`, or never answers (None)
    and closes the connection when the test ends; what it received."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                received.append(connection.recv(65536))
                if answer is not None:
                    connection.sendall(answer)
                else:
                    stop.wait(5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_a_silent_twilio_is_a_failure_that_says_the_message_may_have_gone_and_is_never_resent() -> None:
    with _raw_server(None) as (url, received):
        client = _client(url, urllib3.Timeout(connect=1.0, read=0.5))
        with pytest.raises(TwilioException, match="may have gone through"):
            client.messages.create(to="+32470123456", from_="+3228080000", body="x")
    assert len(received) == 1


def test_a_connection_dropped_after_the_request_is_not_retried() -> None:
    with _raw_server(b"") as (url, received), pytest.raises(TwilioException, match="could not be reached"):
        _client(url).messages.create(to="+32470123456", from_="+3228080000", body="x")
    assert len(received) == 1


def test_an_unreachable_twilio_is_a_calm_not_sent() -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    settings = Settings(
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_from_number="+3228080000",
        twilio_api_base=f"http://127.0.0.1:{port}",
        _env_file=None,
    )
    with pytest.raises(outbound.NotSent, match="Twilio could not be reached"):
        outbound._twilio(None, settings, "sms", "+32470123456", "x", window_open=None)  # type: ignore[arg-type]


def test_the_proxy_the_environment_names_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert isinstance(twilio.Http("https://api.twilio.com").pool, urllib3.ProxyManager)
    monkeypatch.setenv("NO_PROXY", "api.twilio.com")
    assert not isinstance(twilio.Http("https://api.twilio.com").pool, urllib3.ProxyManager)
