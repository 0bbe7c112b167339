"""A read whose client went away is stopped (server/abandoned.py); a change is finished even
when its sender stopped waiting. Through a real server (uvicorn) and real disconnects."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from amicable.runtime.stack import free_port
from server.abandoned import CancelAbandonedReads

EVENTS: list[str] = []


async def slow(request: Request) -> JSONResponse:
    try:
        await asyncio.sleep(3)
    except asyncio.CancelledError:
        EVENTS.append(f"{request.method} cancelled")
        raise
    EVENTS.append(f"{request.method} finished")
    return JSONResponse({"ok": True})


async def stream(request: Request) -> StreamingResponse:
    async def lines():  # noqa: ANN202
        for n in range(3):
            yield f"line {n}\n"
            await asyncio.sleep(0.05)
        EVENTS.append("stream finished")

    return StreamingResponse(lines(), media_type="text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = CancelAbandonedReads(
        Starlette(routes=[Route("/slow", slow, methods=["GET", "POST"]), Route("/stream", stream)])
    )
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def _until(expected: str, seconds: float = 6) -> None:
    deadline = time.monotonic() + seconds
    while expected not in EVENTS:
        assert time.monotonic() < deadline, EVENTS
        time.sleep(0.05)


def test_an_abandoned_read_is_cancelled(server: str) -> None:
    EVENTS.clear()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server}/slow", timeout=0.5)
    _until("GET cancelled", seconds=2)  # well before its 3 s would have finished
    time.sleep(3)
    assert "GET finished" not in EVENTS


def test_an_abandoned_change_is_finished(server: str) -> None:
    EVENTS.clear()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{server}/slow", json={}, timeout=0.5)
    _until("POST finished")
    assert "POST cancelled" not in EVENTS


def test_a_read_its_client_waits_for_is_answered(server: str) -> None:
    EVENTS.clear()
    assert httpx.get(f"{server}/slow", timeout=10).json() == {"ok": True}
    assert httpx.get(f"{server}/stream", timeout=10).text == "line 0\nline 1\nline 2\n"
    assert EVENTS == ["GET finished", "stream finished"]


def test_the_app_stops_abandoned_reads(settings) -> None:
    from server.app import create_app

    assert CancelAbandonedReads in [layer.cls for layer in create_app(settings).user_middleware]
