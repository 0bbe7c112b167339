"""Nobody pays more than they owe through us, whatever order things happen in. Hypothesis
drives random sequences through the HTTP API and the pay page: links for the balance (with and
without the pay-in-full discount, or for the whole balance during a plan), links for part of
it, plans, payments of any link ever sent (old messages included), replayed payments, and
refunds of what is listed. After every step:

- the money received, net of refunds, never exceeds what was invoiced plus what is listed
  for refund (and with only our links in play, nothing is ever listed);
- at most one link per account and purpose is open.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import AUTH
from tests.factories import account_body

steps = st.lists(
    st.one_of(
        st.tuples(st.just("link"), st.booleans(), st.booleans()),  # discount, whole_balance
        st.tuples(st.just("part"), st.integers(1, 99)),  # a link for this percent of the balance
        st.tuples(st.just("plan"), st.integers(2, 6)),  # a plan over about this many months
        st.tuples(st.just("pay"), st.integers(0, 20)),  # pay the n-th link ever sent (modulo)
        st.tuples(st.just("replay"), st.integers(0, 20)),  # pay it again
        st.tuples(st.just("refund"), st.just(0)),
    ),
    min_size=1,
    max_size=14,
)
_ids = itertools.count(1)


def _state(client, reference: str) -> dict:
    return client.get(f"/api/v1/accounts/{reference}", headers=AUTH).json()


def _check(client, reference: str) -> None:
    state = _state(client, reference)
    ledger = client.get(f"/api/v1/accounts/{reference}/ledger", headers=AUTH).json()
    # Payments are entered as money in, refunds as money back (negative).
    received = sum(
        (
            abs(Decimal(e["amount"])) * (-1 if e["kind"] == "refund" else 1)
            for e in ledger["entries"]
            if e["kind"] in ("payment", "refund")
        ),
        Decimal("0"),
    )
    invoiced = sum((Decimal(i["amount"]) for i in state["invoices"]), Decimal("0"))
    listed = sum(
        (
            Decimal(r["amount"])
            for r in client.get("/api/v1/refunds", headers=AUTH).json()
            if r["account_reference"] == reference
        ),
        Decimal("0"),
    )
    assert received <= invoiced + listed, (received, invoiced, listed)
    assert listed == 0, "a debtor paid more than owed through our own links"
    open_purposes = [link["purpose"] for link in state["payment_links"] if link["status"] == "open"]
    assert len(open_purposes) == len(set(open_purposes)), state["payment_links"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_money_received_never_exceeds_what_was_owed(client, sequence):
    reference = f"PAY-{next(_ids):05d}"
    assert client.post("/api/v1/accounts", json=account_body(reference), headers=AUTH).status_code == 201
    base = f"/api/v1/accounts/{reference}"
    sent: list[str] = []
    for step in sequence:
        kind = step[0]
        balance = Decimal(_state(client, reference)["balance"])
        if kind == "link":
            made = client.post(
                f"{base}/payment-links", json={"discount": step[1], "whole_balance": step[2]}, headers=AUTH
            )
            assert made.status_code in (201, 409), made.text
            if made.status_code == 201:
                sent.append(made.json()["id"])
        elif kind == "part" and balance > Decimal("0.01"):
            amount = max(Decimal("0.01"), (balance * step[1] / 100).quantize(Decimal("0.01")))
            made = client.post(f"{base}/payment-links", json={"amount": str(amount)}, headers=AUTH)
            assert made.status_code == 201, made.text
            sent.append(made.json()["id"])
        elif kind == "plan" and balance > 0:
            monthly = (balance / step[1]).quantize(Decimal("0.01"))
            quote = client.post(f"{base}/plans/quote", json={"monthly_amount": str(monthly)}, headers=AUTH).json()
            client.post(f"{base}/plans", json={"monthly_amount": quote["monthly"]}, headers=AUTH)
        elif kind in ("pay", "replay") and sent:
            link = sent[step[1] % len(sent)]
            times = 2 if kind == "replay" else 1
            for _ in range(times):
                page = client.post(f"/pay/{link}", data={"method": "card"}, follow_redirects=False)
                assert page.status_code in (200, 303, 409, 410), page.text
        elif kind == "refund":
            for due in client.get("/api/v1/refunds", headers=AUTH).json():
                if due["account_reference"] == reference:
                    assert client.post(f"/api/v1/refunds/{due['id']}", headers=AUTH).status_code == 200
        _check(client, reference)


def test_a_link_that_now_asks_more_than_is_owed_is_reissued_not_charged(client):
    """During a plan: a link for everything, then the first installment paid by its own link.
    The first link now asks more than is owed; paying it leads to a link for what is owed."""
    client.post("/api/v1/accounts", json=account_body("STALE-1"), headers=AUTH)
    base = "/api/v1/accounts/STALE-1"
    quote = client.post(f"{base}/plans/quote", json={"monthly_amount": "40.00"}, headers=AUTH).json()
    client.post(f"{base}/plans", json={"monthly_amount": quote["monthly"]}, headers=AUTH)
    everything = client.post(f"{base}/payment-links", json={"whole_balance": True}, headers=AUTH).json()
    installment = client.post(f"{base}/payment-links", json={}, headers=AUTH).json()
    assert (everything["purpose"], everything["amount"]) == ("balance", "120.50")
    assert (installment["purpose"], installment["amount"]) == ("installment", "40.00")
    client.post(f"/pay/{installment['id']}", data={"method": "card"})
    assert "changed" in client.get(f"/pay/{everything['id']}").text
    paid = client.post(f"/pay/{everything['id']}", data={"method": "card"}, follow_redirects=False)
    assert paid.status_code == 303
    fresh = paid.headers["location"].rsplit("/", 1)[-1]
    assert fresh != everything["id"]
    state = client.get(base, headers=AUTH).json()
    assert state["balance"] == "80.50"
    assert {link["id"]: link["amount"] for link in state["payment_links"]}[fresh] == "80.50"
    client.post(f"/pay/{fresh}", data={"method": "card"})
    state = client.get(base, headers=AUTH).json()
    assert state["balance"] == "0.00"
    assert [plan["status"] for plan in state["plans"]] == ["completed"]  # at once, not at the next run
    plan_id = state["plans"][0]["id"]
    assert client.post(f"{base}/plans/{plan_id}/autopay", headers=AUTH).status_code == 409  # nothing left to take
    assert "no longer active" in client.get(f"/plans/{plan_id}/autopay").text
    assert all(link["status"] != "open" for link in state["payment_links"])
    assert client.get("/api/v1/refunds", headers=AUTH).json() == []
