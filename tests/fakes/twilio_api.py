"""A local HTTP server answering Twilio's Messages resource (POST .../Messages.json) in the
shape of Twilio's API reference, so the twilio library sends texts unchanged against it."""

from __future__ import annotations

import base64
import itertools
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from tests.fakes.local_server import JsonHandler, LocalServer


class FakeTwilio(LocalServer):
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict] = []
        self.calls: list[dict] = []
        # Seconds each message takes to be accepted: a slow provider, for the tests that stop a
        # sender in the middle of its work.
        self.delay = 0.0
        self._ids = itertools.count(1)
        self._start(self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self
        expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()

        class Handler(JsonHandler):
            def do_POST(self) -> None:  # noqa: N802
                if self.headers.get("Authorization") != expected:
                    self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return
                base = f"/2010-04-01/Accounts/{fake.account_sid}"
                if self.path == f"{base}/Calls.json":
                    length = int(self.headers.get("Content-Length") or 0)
                    params = dict(parse_qsl(self.rfile.read(length).decode()))
                    if not params.get("To") or not (params.get("Url") or params.get("Twiml")):
                        self._reply(400, {"code": 21205, "message": "Url parameter is required.", "status": 400})
                        return
                    sid = f"CA{next(fake._ids):032d}"
                    call = {
                        "sid": sid,
                        "account_sid": fake.account_sid,
                        "to": params["To"],
                        "from": params.get("From"),
                        "status": "queued",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "uri": f"{base}/Calls/{sid}.json",
                        "url": params.get("Url"),
                    }
                    fake.calls.append({**call, "status_callback": params.get("StatusCallback")})
                    self._reply(201, call)
                    return
                if self.path != f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json":
                    self._reply(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode()))
                if not params.get("To") or not (params.get("Body") or params.get("ContentSid")):
                    self._reply(400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400})
                    return
                time.sleep(fake.delay)
                sid = f"SM{next(fake._ids):032d}"
                message = {
                    "sid": sid,
                    "account_sid": fake.account_sid,
                    "to": params["To"],
                    "from": params.get("From"),
                    "body": params.get("Body", ""),
                    "content_sid": params.get("ContentSid"),
                    "status": "queued",
                    "num_segments": str(max(1, (len(params.get("Body", "")) + 152) // 153)),
                    "direction": "outbound-api",
                    "api_version": "2010-04-01",
                    "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
                }
                fake.messages.append(message)
                self._reply(201, message)

        return Handler
