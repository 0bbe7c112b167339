"""The portfolio these tests seed through the public API, what each filter should find in it
(computed here, from what was sent and from the account read-back that already existed), and
helpers to walk the list's pages, read the CSV exports and make a creditor's API key."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from fastapi.testclient import TestClient

from tests.conftest import AUTH

LIST = "/api/v1/accounts"
EXPORTS = "/api/v1/exports"

BRIGHTWATER = "Brightwater Energy"
POLDER = "Polder Telecom"
MAISON = "Maison Lumière SA"
CREDITORS = (BRIGHTWATER, POLDER, MAISON)

# What the account read-back said before this feature (every key, in this order), and the keys
# of each of its invoices: "existing keys stay exactly as they are".
READBACK_KEYS = (
    "reference",
    "creditor",
    "currency",
    "balance",
    "status",
    "language",
    "reason",
    "vulnerable",
    "payment_reference",
    "invoices",
    "payment_links",
    "adjustments",
    "plans",
    "promises",
    "disputes",
    "handoffs",
    "opt_outs",
    "contact_log",
)
INVOICE_KEYS = ("number", "amount", "amount_due", "due_on", "status")
DEBTOR_KEYS = ("name", "language", "phone", "email", "country", "timezone")

# Statuses the read-back gives (observed on the API before this feature).
STATUSES = ("open", "overdue", "promised", "in_plan", "disputed", "on_hold", "paid")
REASONS = (
    "forgot",
    "cash_flow",
    "income_loss",
    "illness",
    "bereavement",
    "overwhelmed",
    "dispute",
    "technical",
    "refuses",
    "other",
)


@dataclass(frozen=True)
class Seed:
    reference: str
    creditor: str
    name: str
    language: str
    country: str
    timezone: str
    email: str | None
    phone: str
    # (amount, due date in days from today); negative: already overdue.
    invoices: tuple[tuple[str, int], ...]
    # plan, dispute, promise, vulnerable (illness, with consent) or cash_flow (a reason only).
    outcome: str | None = None
    date_of_birth: str = "1984-06-21"
    postcode: str = "1000"


# Every account that has an outcome (plan, dispute, promise, hold) is overdue by less than
# ten days and has a reference a URL path can carry; every threshold the tests use for
# `overdue_min_days` (10, 30, 90) is at least two days from any account's overdue days, so the
# date the server calls "today" (UTC or Brussels) changes nothing.
SEEDS: tuple[Seed, ...] = (
    Seed("BW-2025-0001", BRIGHTWATER, "Zoë Vandenbroucke", "nl", "BE", "Europe/Brussels",
         "Zoe.Vandenbroucke@Proximus.be", "+32470112233", (("84.20", -45), ("36.30", 5))),
    Seed("BW-2025-0002", BRIGHTWATER, "François Lefèvre", "fr", "BE", "Europe/Brussels",
         "francois.lefevre@skynet.be", "+32485998877", (("1234.56", -120),)),
    Seed("BW-2025-0003", BRIGHTWATER, "Sofie Janssens", "nl", "BE", "Europe/Brussels",
         "sofie.janssens@telenet.be", "+32496554433", (("45.10", -15),)),
    Seed("BW-2025-0004", BRIGHTWATER, "Mohamed El Amrani", "fr", "BE", "Europe/Brussels",
         "M.ElAmrani@Gmail.com", "+32468223344", (("980.00", -6),), outcome="plan"),
    Seed("BW-2025-0005", BRIGHTWATER, "Anneke de Vries", "nl", "NL", "Europe/Amsterdam",
         "anneke.devries@ziggo.nl", "+31612345678", (("310.00", 12),), postcode="1017 CE"),
    Seed("BW-2025-0006", BRIGHTWATER, "Émilie Dubois", "fr", "FR", "Europe/Paris",
         "emilie.dubois@orange.fr", "+33612345678", (("75.00", -7),), outcome="dispute", postcode="75011"),
    Seed("BW-2025-0007", BRIGHTWATER, "Pieter Claes", "nl", "BE", "Europe/Brussels",
         None, "+32471000111", (("2000.00", -200), ("500.00", -13)), outcome="cash_flow"),
    Seed("BW-2025-0008", BRIGHTWATER, "Ana Sofía Núñez", "en", "ES", "Europe/Madrid",
         "ana.nunez@correo.es", "+34612345678", (("99.00", 30),), postcode="28013"),
    Seed("HE-A16DD6E4", BRIGHTWATER, "Sam Peeters", "en", "BE", "Europe/Brussels",
         "sam@example.com", "+32470123456", (("84.20", -13), ("41.30", 5))),
    Seed("PT/NL/7781", POLDER, "Jan de Boer", "nl", "NL", "Europe/Amsterdam",
         "jan.deboer@kpnmail.nl", "+31687654321", (("59.99", -33),), postcode="3511 AB"),
    Seed("PT/NL/7782", POLDER, "Fatima Bakkali", "nl", "NL", "Europe/Amsterdam",
         "f.bakkali@Hotmail.com", "+31622334455", (("149.95", -70),), postcode="1102 AB"),
    Seed("PT/NL/7783", POLDER, "Liam O'Brien", "en", "GB", "Europe/London",
         "liam.obrien@btinternet.com", "+447700900123", (("420.00", -60),), postcode="SW1A 1AA"),
    Seed("PT/BE/0091", POLDER, "Chloé Martin", "fr", "BE", "Europe/Brussels",
         "chloe.martin@voo.be", "+32497112200", (("19.99", -95),), postcode="4000"),
    Seed("PT/BE/0092", POLDER, "Bram Willems", "nl", "BE", "Europe/Brussels",
         "bram.willems@telenet.be", "+32478445566", (("88.00", 20),), postcode="2000"),
    Seed("INV-2025-00871", POLDER, "Lotte Peeters", "nl", "BE", "Europe/Brussels",
         "lotte.peeters@Outlook.com", "+32479876543", (("512.00", -3),), outcome="promise", postcode="9000"),
    Seed("INV-2025-00872", POLDER, "Noor Visser", "en", "NL", "Europe/Amsterdam",
         "noor.visser@xs4all.nl", "+31655443322", (("3050.75", -8),), outcome="vulnerable", postcode="2511 CV"),
    Seed("FAC/2025/00123", MAISON, "Élodie Rousseau", "fr", "FR", "Europe/Paris",
         "Elodie.Rousseau@Free.fr", "+33698765432", (("1500.00", -37),), postcode="69002"),
    Seed("FAC/2025/00124", MAISON, "Jean-Luc Moreau", "fr", "FR", "Europe/Paris",
         "jl.moreau@laposte.net", "+33611223344", (("230.40", -2),), postcode="13001"),
    Seed("FAC/2024/00987", MAISON, "Inès Girard", "fr", "FR", "Europe/Paris",
         "ines.girard@sfr.fr", "+33677889900", (("64.00", -400),), postcode="31000"),
    Seed("FAC/2025/00125", MAISON, "Hélène Petit", "en", "LU", "Europe/Luxembourg",
         "helene.petit@pt.lu", "+352621123456", (("812.30", -25),), postcode="L-1111"),
    Seed("MLS-2025-0042", MAISON, "Marc Dupont", "fr", "BE", "Europe/Brussels",
         "marc.dupont@Belgacom.net", "+32475667788", (("640.00", -4),), outcome="dispute", postcode="5000"),
)  # fmt: skip

BY_REF = {seed.reference: seed for seed in SEEDS}


def invoice_number(seed: Seed, index: int) -> str:
    """Invoice numbers unlike any reference: FKT-BW20250001-1."""
    return "FKT-" + re.sub(r"[^A-Z0-9]", "", seed.reference.upper()) + f"-{index + 1}"


def account_json(seed: Seed) -> dict:
    today = date.today()
    debtor = {
        "name": seed.name,
        "language": seed.language,
        "phone": seed.phone,
        "timezone": seed.timezone,
        "country": seed.country,
        "date_of_birth": seed.date_of_birth,
        "postcode": seed.postcode,
    }
    if seed.email:
        debtor["email"] = seed.email
    return {
        "reference": seed.reference,
        "creditor": seed.creditor,
        "debtor": debtor,
        "invoices": [
            {
                "number": invoice_number(seed, index),
                "amount": amount,
                "currency": "EUR",
                "issued_on": (today + timedelta(days=due - 30)).isoformat(),
                "due_on": (today + timedelta(days=due)).isoformat(),
            }
            for index, (amount, due) in enumerate(seed.invoices)
        ],
    }


def create(client: TestClient, body: dict, headers: dict | None = None) -> dict:
    response = client.post(LIST, json=body, headers=headers or AUTH)
    assert response.status_code == 201, (body["reference"], response.status_code, response.text)
    return response.json()


def readback(client: TestClient, reference: str, headers: dict | None = None) -> dict:
    """The account's full state through the older contract (`?reference=`), which carries any
    reference, slashes included."""
    response = client.get(LIST, params={"reference": reference}, headers=headers or AUTH)
    assert response.status_code == 200, (reference, response.status_code, response.text)
    return response.json()


def _record_outcome(client: TestClient, seed: Seed) -> None:
    path = f"{LIST}/{seed.reference}"
    if seed.outcome == "plan":
        response = client.post(f"{path}/plans", json={"monthly_amount": "100.00"}, headers=AUTH)
        assert response.status_code == 201, response.text
    elif seed.outcome == "dispute":
        response = client.post(
            f"{path}/disputes", json={"reason": "not_mine", "details": "Never lived there"}, headers=AUTH
        )
        assert response.status_code == 201, response.text
    elif seed.outcome == "promise":
        due = (date.today() + timedelta(days=7)).isoformat()
        response = client.post(f"{path}/promises", json={"due_on": due}, headers=AUTH)
        assert response.status_code == 201, response.text
    elif seed.outcome == "vulnerable":
        response = client.put(f"{path}/reason", json={"reason": "illness", "vulnerability_consent": True}, headers=AUTH)
        assert response.status_code == 200, response.text
    elif seed.outcome == "cash_flow":
        response = client.put(f"{path}/reason", json={"reason": "cash_flow"}, headers=AUTH)
        assert response.status_code == 200, response.text


@dataclass
class Portfolio:
    seeds: dict[str, Seed]
    # The read-back of every account after seeding (the older `?reference=` contract).
    states: dict[str, dict] = field(default_factory=dict)

    @property
    def references(self) -> set[str]:
        return set(self.seeds)

    def where(self, predicate) -> set[str]:  # type: ignore[no-untyped-def]
        return {ref for ref, seed in self.seeds.items() if predicate(seed, self.states[ref])}

    def balance(self, reference: str) -> Decimal:
        return Decimal(self.states[reference]["balance"])

    def overdue_days(self, reference: str) -> int:
        """Days since the oldest unpaid invoice fell due (0 when none is overdue)."""
        today = date.today()
        days = [
            (today - date.fromisoformat(invoice["due_on"])).days
            for invoice in self.states[reference]["invoices"]
            if Decimal(invoice["amount_due"]) > 0 and date.fromisoformat(invoice["due_on"]) < today
        ]
        return max(days, default=0)

    def has_plan(self, reference: str) -> bool:
        return any(plan["status"] == "active" for plan in self.states[reference]["plans"])

    def has_dispute(self, reference: str) -> bool:
        return any(dispute["status"] == "open" for dispute in self.states[reference]["disputes"])


def seed_portfolio(client: TestClient) -> Portfolio:
    for seed in SEEDS:
        create(client, account_json(seed))
        _record_outcome(client, seed)
    portfolio = Portfolio(seeds=dict(BY_REF))
    for seed in SEEDS:
        portfolio.states[seed.reference] = readback(client, seed.reference)
    # The seed is what the tests believe it is.
    states = portfolio.states
    assert states["BW-2025-0004"]["status"] == "in_plan", states["BW-2025-0004"]["status"]
    assert states["INV-2025-00872"]["vulnerable"] is True
    assert portfolio.has_dispute("MLS-2025-0042") and portfolio.has_dispute("BW-2025-0006")
    for seed in SEEDS:
        if seed.outcome in ("plan", "dispute", "promise", "vulnerable"):
            assert portfolio.overdue_days(seed.reference) < 9, seed.reference
    return portfolio


# --- the list ----------------------------------------------------------------------------


@dataclass
class Walk:
    items: list[dict]
    totals: list[int]
    pages: list[list[dict]]

    @property
    def references(self) -> list[str]:
        return [item["reference"] for item in self.items]


def list_page(client: TestClient, params: dict | None = None, headers: dict | None = None):  # type: ignore[no-untyped-def]
    return client.get(LIST, params=params or {}, headers=headers or AUTH)


def walk(
    client: TestClient, params: dict | None = None, headers: dict | None = None, limit: int = 3, max_pages: int = 300
) -> Walk:
    """Every page of the list for these parameters, following `next_cursor` until it is null."""
    items: list[dict] = []
    totals: list[int] = []
    pages: list[list[dict]] = []
    cursor = None
    for _ in range(max_pages):
        query = {**(params or {}), "limit": limit}
        if cursor is not None:
            query["cursor"] = cursor
        response = client.get(LIST, params=query, headers=headers or AUTH)
        assert response.status_code == 200, (query, response.status_code, response.text)
        body = response.json()
        assert {"items", "next_cursor", "total"} <= set(body), body
        assert isinstance(body["items"], list) and isinstance(body["total"], int)
        assert len(body["items"]) <= limit, (query, len(body["items"]))
        items.extend(body["items"])
        totals.append(body["total"])
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return Walk(items, totals, pages)
        assert isinstance(cursor, str) and cursor, cursor
    raise AssertionError(f"next_cursor still not null after {max_pages} pages of {limit} ({params})")


def walked_set(walk_result: Walk) -> set[str]:
    """The references of a walk, which must hold no account twice."""
    references = walk_result.references
    duplicates = sorted({ref for ref in references if references.count(ref) > 1})
    assert not duplicates, f"accounts listed more than once: {duplicates}"
    return set(references)


# --- CSV -------------------------------------------------------------------------------------


def read_csv(response) -> tuple[list[str], list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    """The header and rows of a CSV answer, whatever its separator (`,`, `;` or a tab)."""
    text = response.content.decode("utf-8-sig")
    assert text.strip(), "empty CSV"
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [cell.strip() for cell in rows[0]]
    assert len(header) >= 2, f"a header row of one column: {first_line!r}"
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    for row in body:
        assert len(row) == len(header), f"a row of {len(row)} cells under a header of {len(header)}: {row}"
    return header, [dict(zip(header, row, strict=True)) for row in body]


def column(header: list[str], word: str, avoid: tuple[str, ...] = ()) -> str:
    """The header cell naming `word` (formats may follow the name: "balance (0.00)")."""
    candidates = [cell for cell in header if word in cell.lower() and not any(other in cell.lower() for other in avoid)]
    assert candidates, f"no {word!r} column in {header}"
    # The shortest is the plainest: "reference" before "payment_reference".
    return min(candidates, key=len)


def reference_column(header: list[str]) -> str:
    return column(header, "reference", avoid=("payment", "invoice", "structured"))


def parse_decimal(text: str) -> Decimal:
    """An amount however an export writes it: 1234.56, 1234,56, 1.234,56, 1,234.56, € 12."""
    cleaned = re.sub(r"[^\d,.\-]", "", text)
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise AssertionError(f"not an amount: {text!r}") from error


DECIMAL_FORMAT = re.compile(r"decimal|0[.,]00|\bdot\b|\bcomma\b|\bpoint\b|virgule|#[.,]#", re.IGNORECASE)
DATE_FORMAT = re.compile(r"yyyy|iso[ _-]?8601|%Y|aaaa|jjjj|dd[/.-]mm", re.IGNORECASE)


def assert_header_states_formats(header: list[str]) -> None:
    text = " | ".join(header)
    assert DECIMAL_FORMAT.search(text), f"the header row does not state the decimal format: {text}"
    assert DATE_FORMAT.search(text), f"the header row does not state the date format: {text}"


def cells(rows: list[dict[str, str]]) -> set[str]:
    return {value.strip() for row in rows for value in row.values()}


# --- tenancy ---------------------------------------------------------------------------------


def creditor_key(database_url: str, creditor: str) -> dict:
    """A key scoped to one creditor, made by the command line as an operator would, as the
    Authorization header."""
    from typer.testing import CliRunner

    from amicable.cli import app

    result = CliRunner().invoke(app, ["apikey-add", "--creditor", creditor], env={"DATABASE_URL": database_url})
    output = getattr(result, "stdout", None) or result.output
    assert result.exit_code == 0, (result.exit_code, result.output, repr(result.exception))
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    assert lines, f"apikey-add printed nothing: {result.output!r}"
    key = lines[-1]
    assert " " not in key and len(key) >= 16, f"the last line is not a key alone: {key!r}"
    return {"Authorization": f"Bearer {key}"}
