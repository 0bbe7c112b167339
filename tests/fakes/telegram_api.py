"""A local HTTP server speaking the Telegram Bot API methods Amicable calls (getMe,
sendMessage, answerCallbackQuery), in the documented `{"ok": true, "result": ...}` shape, so
python-telegram-bot runs unchanged against it. Sent messages are kept for the tests to read."""

from __future__ import annotations

import itertools
import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from tests.fakes.local_server import JsonHandler, LocalServer


class FakeTelegram(LocalServer):
    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: list[dict] = []
        self.answered: list[str] = []
        self._ids = itertools.count(1)
        self._start(self._handler())

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if int(m["chat_id"]) == chat_id]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = self.path[len(prefix) :]
                if method == "getMe":
                    result = {"id": 777, "is_bot": True, "first_name": "Amicable", "username": "amicable_test_bot"}
                elif method == "sendMessage":
                    if "reply_markup" in params and isinstance(params["reply_markup"], str):
                        params["reply_markup"] = json.loads(params["reply_markup"])
                    fake.sent.append(params)
                    result = {
                        "message_id": next(fake._ids),
                        "date": int(time.time()),
                        "chat": {"id": int(params["chat_id"]), "type": "private"},
                        "text": params["text"],
                    }
                elif method == "answerCallbackQuery":
                    fake.answered.append(params["callback_query_id"])
                    result = True
                else:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
                    return
                self._reply(200, {"ok": True, "result": result})

        return Handler
