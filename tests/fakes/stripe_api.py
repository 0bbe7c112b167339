"""A local HTTP server that answers the Stripe API calls Amicable makes, in Stripe's shapes.

Stripe cannot be reached from the test machine, so the real `stripe` library is pointed here
(`STRIPE_API_BASE`). Responses start from Stripe's own OpenAPI fixture objects
(tests/fixtures/stripe) with the request's values filled in, errors use Stripe's error
envelope, and requests are form-encoded with bracketed keys as Stripe's API expects. The
server can also act as Stripe's webhook sender: `complete()` signs a
`checkout.session.completed` event with the documented scheme and posts it.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import stripe

from tests.fakes.local_server import JsonHandler, LocalServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "stripe"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def decode_form(body: str) -> dict:
    """`a[b][0][c]=1` → {"a": {"b": [{"c": "1"}]}}: Stripe's form encoding of nested params."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: dict | list = root
        for here, after in itertools.pairwise(parts):
            nxt: dict | list = [] if after.isdigit() else {}
            if isinstance(node, list):
                index = int(here)
                while len(node) <= index:
                    node.append(copy.copy(nxt))
                node = node[index]
            else:
                node = node.setdefault(here, nxt)
        last = parts[-1]
        if isinstance(node, list):
            node.append(value)
        else:
            node[last] = value
    return root


class FakeStripe(LocalServer):
    def __init__(self, api_key: str = "sk_test_amicable") -> None:
        self.api_key = api_key
        self.sessions: dict[str, dict] = {}
        self.setup_intents: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, params, headers
        self.fail_next: dict | None = None
        self._ids = itertools.count(1)
        self._start(self._handler())

    # What Stripe would do -------------------------------------------------------------
    def create_session(self, params: dict) -> tuple[int, dict]:
        required_params = ("mode", "success_url") + (("line_items",) if params.get("mode") == "payment" else ())
        if params.get("mode") == "setup":
            return self._setup_session(params)
        for required in required_params:
            if required not in params:
                return 400, _error(f"Missing required param: {required}.", required)
        item = params["line_items"][0]
        unit = int(item["price_data"]["unit_amount"])
        quantity = int(item.get("quantity", 1))
        number = next(self._ids)
        session = fixture("checkout_session")
        session.update(
            id=f"cs_test_amicable{number:04d}",
            amount_subtotal=unit * quantity,
            amount_total=unit * quantity,
            cancel_url=params.get("cancel_url"),
            client_reference_id=params.get("client_reference_id"),
            created=int(time.time()),
            currency=item["price_data"]["currency"],
            customer_email=params.get("customer_email"),
            expires_at=int(params.get("expires_at", int(time.time()) + 86400)),
            locale=params.get("locale"),
            metadata=params.get("metadata", {}),
            mode=params["mode"],
            payment_intent=None,
            payment_method_types=params.get("payment_method_types", ["card"]),
            payment_status="unpaid",
            status="open",
            success_url=params["success_url"],
            url=f"https://checkout.stripe.com/c/pay/cs_test_amicable{number:04d}",
        )
        self.sessions[session["id"]] = session
        return 200, session

    def _setup_session(self, params: dict) -> tuple[int, dict]:
        if "customer" not in params:
            return 400, _error("Missing required param: customer.", "customer")
        number = next(self._ids)
        session = fixture("checkout_session")
        session.update(
            id=f"cs_test_setup{number:04d}",
            amount_subtotal=None,
            amount_total=None,
            client_reference_id=params.get("client_reference_id"),
            currency=params.get("currency"),
            customer=params["customer"],
            metadata=params.get("metadata", {}),
            mode="setup",
            payment_intent=None,
            payment_method_types=params.get("payment_method_types", ["card"]),
            setup_intent=f"seti_test_{number:04d}",
            status="open",
            success_url=params["success_url"],
            cancel_url=params.get("cancel_url"),
            url=f"https://checkout.stripe.com/c/setup/cs_test_setup{number:04d}",
        )
        self.sessions[session["id"]] = session
        self.setup_intents[session["setup_intent"]] = {
            "id": session["setup_intent"],
            "object": "setup_intent",
            "customer": params["customer"],
            "payment_method": None,
            "payment_method_types": session["payment_method_types"],
            "status": "requires_payment_method",
            "usage": "off_session",
        }
        return 200, session

    def complete_setup(self, session_id: str) -> dict:
        """The debtor saved the method (and, for SEPA, accepted the mandate)."""
        session = self.sessions[session_id]
        session.update(status="complete")
        intent = self.setup_intents[session["setup_intent"]]
        intent.update(status="succeeded", payment_method=f"pm_test_{session_id[-4:]}")
        return session

    def create_customer(self, params: dict) -> tuple[int, dict]:
        number = next(self._ids)
        customer = {"id": f"cus_test_{number:04d}", "object": "customer", "livemode": False, **params}
        self.customers[customer["id"]] = customer
        return 200, customer

    def create_payment_intent(self, params: dict) -> tuple[int, dict]:
        for required in ("amount", "currency"):
            if required not in params:
                return 400, _error(f"Missing required param: {required}.", required)
        intent = fixture("payment_intent")
        number = next(self._ids)
        sepa = params.get("payment_method_types") == ["sepa_debit"]
        intent.update(
            id=f"pi_test_auto{number:04d}",
            amount=int(params["amount"]),
            amount_received=0 if sepa else int(params["amount"]),
            currency=params["currency"],
            customer=params.get("customer"),
            payment_method=params.get("payment_method"),
            payment_method_types=params.get("payment_method_types", ["card"]),
            metadata=params.get("metadata", {}),
            # A SEPA debit settles days later; a saved card at once.
            status="processing" if sepa else "succeeded",
        )
        self.payment_intents[intent["id"]] = intent
        return 200, intent

    def complete(self, session_id: str, *, method: str = "card") -> dict:
        """The debtor paid: Stripe marks the session paid (the caller sends the event)."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=f"pi_test_{session_id[-8:]}")
        session["payment_method_types"] = [method]
        return session

    def signed_event(self, secret: str, kind: str, obj: dict) -> tuple[str, dict[str, str]]:
        """An event as Stripe posts it: the fixture envelope, signed with Stripe's scheme."""
        event = fixture("event")
        event.update(id=f"evt_test_{next(self._ids):06d}", created=int(time.time()), type=kind, data={"object": obj})
        payload = json.dumps(event)
        timestamp = int(time.time())
        signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload}", secret)
        return payload, {"Stripe-Signature": f"t={timestamp},v1={signature}", "Content-Type": "application/json"}

    def send(self, webhook_url: str, secret: str, kind: str, obj: dict) -> httpx.Response:
        payload, headers = self.signed_event(secret, kind, obj)
        return httpx.post(webhook_url, content=payload, headers=headers)

    # HTTP -------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(JsonHandler):
            def _reply(self, code: int, body: object, headers: dict[str, str] | None = None) -> None:
                super()._reply(code, body, {"Request-Id": f"req_{next(fake._ids)}"})

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self._reply(401, _error("Invalid API Key provided.", None, "invalid_request_error"))
                    return False
                return True

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                params = decode_form(self.rfile.read(length).decode())
                fake.requests.append(("POST", self.path, params, dict(self.headers)))
                if not self._authorised():
                    return
                if fake.fail_next is not None:
                    failure, fake.fail_next = fake.fail_next, None
                    self._reply(failure.get("status", 500), _error(failure.get("message", "An error occurred."), None))
                    return
                if self.path == "/v1/checkout/sessions":
                    self._reply(*fake.create_session(params))
                elif self.path == "/v1/customers":
                    self._reply(*fake.create_customer(params))
                elif self.path == "/v1/payment_intents":
                    self._reply(*fake.create_payment_intent(params))
                elif self.path == "/v1/refunds":
                    refund = {
                        "id": f"re_{next(fake._ids)}",
                        "object": "refund",
                        "amount": int(params["amount"]),
                        "payment_intent": params["payment_intent"],
                        "currency": "eur",
                        "status": "succeeded",
                    }
                    fake.refunds.append(refund)
                    self._reply(200, refund)
                elif self.path.startswith("/v1/checkout/sessions/") and self.path.endswith("/expire"):
                    session = fake.sessions.get(self.path.split("/")[4])
                    if session is None:
                        self._reply(404, _error("No such checkout.session", "session"))
                        return
                    session["status"] = "expired"
                    self._reply(200, session)
                else:
                    self._reply(404, _error(f"Unrecognized request URL (POST: {self.path}).", None))

            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(("GET", self.path, {}, dict(self.headers)))
                if not self._authorised():
                    return
                found = self.path.rsplit("/", 1)[-1]
                session = fake.sessions.get(found)
                if self.path.startswith("/v1/checkout/sessions/") and session is not None:
                    self._reply(200, session)
                elif self.path.startswith("/v1/setup_intents/") and found.split("?")[0] in fake.setup_intents:
                    self._reply(200, fake.setup_intents[found.split("?")[0]])
                else:
                    self._reply(404, _error("No such checkout.session", "session"))

        return Handler


def _error(message: str, param: str | None, kind: str = "invalid_request_error") -> dict:
    return {"error": {"message": message, "param": param, "type": kind}}
