"""A write is committed before its response is sent."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn
from sqlalchemy import event
from sqlalchemy.orm import Session

from amicable.runtime.stack import free_port
from server.app import create_app
from tests.conftest import AUTH
from tests.factories import account_body


def test_the_commit_happens_before_the_response(settings):
    """Served for real (the test client waits for everything, a real server does not): the
    commit is slowed down, and the response must still come only after it."""
    committed: list[float] = []

    def slow(_session):  # type: ignore[no-untyped-def]
        time.sleep(0.5)

    def record(_session):  # type: ignore[no-untyped-def]
        committed.append(time.monotonic())

    event.listen(Session, "before_commit", slow)
    event.listen(Session, "after_commit", record)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        response = httpx.post(f"http://127.0.0.1:{port}/api/v1/accounts", json=account_body(), headers=AUTH, timeout=10)
        answered = time.monotonic()
        assert response.status_code == 201
        assert committed and committed[0] <= answered
    finally:
        event.remove(Session, "before_commit", slow)
        event.remove(Session, "after_commit", record)
        server.should_exit = True
        thread.join(timeout=10)
