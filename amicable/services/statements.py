"""Bank statements (CAMT.053 XML or CSV): credit lines matched to accounts by their
structured reference, booked as payments, the rest listed for a person.

A line is matched only by a reference whose check digits are right and that belongs to an
account in the same currency; names and free text are never guessed from. A partial payment
reduces the balance, an overpayment is booked and flagged for refund, and a line already
imported (same bank entry reference, or the same line again) books nothing twice. A file
that cannot be read is refused whole, so nothing of it is half-imported.

Amounts are plain decimals: never an exponent, infinity or NaN, at most the currency's
decimals, below a sane maximum, and (CAMT, where the direction is CdtDbtInd) more than zero.
A line that breaks this refuses the file with a message naming the line or entry: nothing of
it is booked, and the corrected file imports whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.numbers import get_currency_precision
from defusedxml import ElementTree
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, StatementLine
from amicable.money import CENT
from amicable.services import ServiceError, references
from amicable.services.payments import book_payment
from amicable.settings import Settings

# As `money.parse_amount`: more is no transfer to a collections account (nor fits the books).
MAX_AMOUNT = Decimal("100000000")
# What the books keep (Numeric(12, 2)): a currency with more decimals cannot be booked exactly.
BOOK_DECIMALS = 2
_CSV_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_XML_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_CURRENCY = re.compile(r"[A-Z]{3}")
MAX_BANK_REFERENCE = 100
MAX_IBAN = 34


@dataclass
class Line:
    amount: Decimal
    currency: str
    booked_on: date | None
    remittance: str
    counterparty: str = ""
    counterparty_iban: str | None = None
    bank_reference: str | None = None
    structured: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    lines: int = 0
    matched: int = 0
    overpaid: int = 0
    unmatched: int = 0
    duplicates: int = 0
    debits_skipped: int = 0
    results: list[dict] = field(default_factory=list)


def parse(raw: bytes) -> tuple[list[Line], int]:
    """Credit lines of a CAMT.053 or CSV statement, and how many debit lines were skipped."""
    head = raw.lstrip()[:200]
    if head.startswith(b"<"):
        return _parse_camt(raw)
    return _parse_csv(raw)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node, *path: str):  # type: ignore[no-untyped-def]
    """The first descendant along `path`, matching local names whatever the namespace."""
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if _local(c.tag) == name), None)
    return node


def _text(node, *path: str) -> str:  # type: ignore[no-untyped-def]
    found = _child(node, *path)
    return (found.text or "").strip() if found is not None else ""


def _parse_camt(raw: bytes) -> tuple[list[Line], int]:
    try:
        root = ElementTree.fromstring(raw)
    except Exception as error:  # defusedxml raises for bombs and entities too
        raise ServiceError(f"the statement is not readable XML: {error}") from None
    if "camt.053" not in root.tag and _child(root, "BkToCstmrStmt") is None:
        raise ServiceError("the XML is not a CAMT.053 bank statement (no BkToCstmrStmt)")
    lines, debits = [], 0
    entries = (entry for entry in root.iter() if _local(entry.tag) == "Ntry")
    for number, entry in enumerate(entries, start=1):
        try:
            credits, debit = _camt_entry(entry)
        except ServiceError as error:
            reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
            where = f"entry {number}" + (f" ({reference[:40]})" if reference else "")
            raise ServiceError(f"{where}: {error.message}") from None
        lines += credits
        debits += debit
    return lines, debits


def _camt_entry(entry) -> tuple[list[Line], int]:  # type: ignore[no-untyped-def]
    """The credit lines of one statement entry (one per transaction), and 1 for a debit."""
    if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd").lower() == "true":
        return [], 1
    details = [d for d in (_child(entry, "NtryDtls") or []) if _local(d.tag) == "TxDtls"]
    booked = _date(_text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10])
    lines = []
    for position, tx in enumerate(details or [None]):
        amount_node = _child(tx, "AmtDtls", "TxAmt", "Amt") if tx is not None else None
        if amount_node is None or len(details) <= 1:
            amount_node = _child(entry, "Amt")
        if amount_node is None:
            raise ServiceError("a statement entry has no amount")
        structured = []
        remittance = ""
        if tx is not None:
            info = _child(tx, "RmtInf")
            for node in info.iter() if info is not None else []:
                if _local(node.tag) == "Ref" and node.text:
                    structured.append(node.text.strip())
                elif _local(node.tag) == "Ustrd" and node.text:
                    remittance += " " + node.text.strip()
        bank_reference = _text(tx, "Refs", "AcctSvcrRef") if tx is not None else ""
        bank_reference = bank_reference or _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        if bank_reference and len(details) > 1:
            bank_reference += f"#{position}"
        currency = _currency(amount_node.get("Ccy") or "")
        amount = _amount(amount_node.text or "", currency, xml=True)
        if amount <= 0:
            raise ServiceError(f'"{amount_node.text}" is not more than zero (the direction is CdtDbtInd)')
        lines.append(
            Line(
                amount=amount,
                currency=currency,
                booked_on=booked,
                remittance=remittance.strip(),
                counterparty=_text(tx, "RltdPties", "Dbtr", "Nm") if tx is not None else "",
                counterparty_iban=_iban(_text(tx, "RltdPties", "DbtrAcct", "Id", "IBAN") if tx is not None else ""),
                bank_reference=_bank_reference(bank_reference),
                structured=structured,
            )
        )
    return lines, 0


CSV_COLUMNS = {
    "date": ("date", "booking_date", "booked_on", "datum", "boekdatum"),
    "amount": ("amount", "bedrag", "montant"),
    "currency": ("currency", "valuta", "munt", "devise"),
    "reference": ("reference", "communication", "mededeling", "omschrijving", "remittance", "description"),
    "counterparty": ("counterparty", "name", "naam", "nom"),
    "iban": ("iban", "counterparty_iban", "tegenrekening", "compte"),
    "bank_reference": ("bank_reference", "transaction_id", "id"),
}


def _parse_csv(raw: bytes) -> tuple[list[Line], int]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError("the statement is neither CAMT.053 XML nor a UTF-8 CSV") from None
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    columns = {key: next((header[n] for n in names if n in header), None) for key, names in CSV_COLUMNS.items()}
    missing = [key for key in ("amount", "reference") if columns[key] is None]
    if missing:
        raise ServiceError(f"the CSV needs columns for {' and '.join(missing)} (found: {', '.join(header) or 'none'})")
    lines, debits = [], 0
    for number, row in enumerate(reader, start=2):

        def value(key: str, row: dict = row) -> str:
            column = columns[key]
            return (row.get(column) or "").strip() if column else ""

        try:
            currency = _currency(value("currency") or "EUR")
            amount = _amount(value("amount"), currency)
            if amount <= 0:  # money going out (or nothing): not a payment to us
                debits += 1
                continue
            line = Line(
                amount=amount,
                currency=currency,
                booked_on=_date(value("date")),
                remittance=value("reference"),
                counterparty=value("counterparty"),
                counterparty_iban=_iban(value("iban")),
                bank_reference=_bank_reference(value("bank_reference")),
            )
        except ServiceError as error:
            raise ServiceError(f"line {number}: {error.message}") from None
        lines.append(line)
    return lines, debits


def _amount(text: str, currency: str, xml: bool = False) -> Decimal:
    """A line's amount, signed in a CSV ("-12,00" is money going out), unsigned in CAMT.

    CSV: "1234.56", "1.234,56", "1 234,56": the last separator is the decimal one. CAMT: an
    XML decimal with a point. Only plain decimals: "Infinity", "NaN", "1e400" or "1,5e3" are
    not amounts a bank writes, and neither is one with more than the currency's decimals
    ("1,000" is refused rather than guessed to be one euro) or beyond MAX_AMOUNT."""
    shown = text.strip()[:40]
    if xml:
        cleaned = text.strip()
        plain = _XML_AMOUNT
    else:
        cleaned = re.sub(r"[\s\u00a0€]", "", text)
        if "," in cleaned and "." in cleaned:
            cleaned = cleaned.replace("." if cleaned.rfind(",") > cleaned.rfind(".") else ",", "")
        cleaned = cleaned.replace(",", ".")
        plain = _CSV_AMOUNT
    if not plain.fullmatch(cleaned):
        raise ServiceError(f'"{shown}" is not an amount' + (" (CAMT amounts are unsigned, like 120.50)" if xml else ""))
    decimals = min(get_currency_precision(currency), BOOK_DECIMALS)
    if len(cleaned.partition(".")[2]) > decimals:
        raise ServiceError(f'"{shown}" has more than {decimals} decimals, the most {currency} has')
    amount = Decimal(cleaned)
    if abs(amount) >= MAX_AMOUNT:
        raise ServiceError(f'"{shown}" is more than a transfer to us can be')
    return amount.quantize(CENT)


def _currency(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ServiceError(f'"{text[:40]}" is not a currency code (three letters, like EUR)')
    return code


def _iban(text: str) -> str | None:
    iban = re.sub(r"\s", "", text)
    if len(iban) > MAX_IBAN:
        raise ServiceError(f'"{text[:40]}..." is longer than an IBAN can be')
    return iban or None


def _bank_reference(text: str) -> str | None:
    if len(text) > MAX_BANK_REFERENCE:
        raise ServiceError(f"the bank reference is longer than {MAX_BANK_REFERENCE} characters")
    return text or None


def _date(text: str) -> date | None:
    text = text.strip()
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{2})[/.-](\d{2})[/.-](\d{4})"):
        match = re.fullmatch(pattern, text)
        if match:
            parts = match.groups()
            year, month, day = (parts[0], parts[1], parts[2]) if len(parts[0]) == 4 else (parts[2], parts[1], parts[0])
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                raise ServiceError(f'"{text}" is not a date') from None
    if text:
        raise ServiceError(f'"{text}" is not a date (use YYYY-MM-DD or DD/MM/YYYY)')
    return None


def _key(line: Line, occurrence: int) -> str:
    if line.bank_reference:
        return f"bank:{line.bank_reference}"
    content = "|".join(
        [
            str(line.booked_on),
            str(line.amount),
            line.currency,
            line.remittance,
            line.counterparty or "",
            str(occurrence),
        ]
    )
    return "digest:" + hashlib.sha256(content.encode()).hexdigest()


def import_statement(session: Session, settings: Settings, raw: bytes) -> ImportResult:
    lines, debits = parse(raw)
    result = ImportResult(lines=len(lines), debits_skipped=debits)
    seen: dict[str, int] = {}
    for line in lines:
        base = _key(line, 0)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        key = _key(line, occurrence)
        summary = {"amount": str(line.amount), "currency": line.currency, "remittance": line.remittance}
        if session.scalar(select(StatementLine.id).where(StatementLine.source_key == key)) is not None:
            result.duplicates += 1
            result.results.append({**summary, "status": "duplicate"})
            continue
        record = StatementLine(
            source_key=key,
            booked_on=line.booked_on,
            amount=line.amount,
            currency=line.currency,
            remittance=line.remittance,
            counterparty=line.counterparty[:200],
            counterparty_iban=line.counterparty_iban,
            status="unmatched",
        )
        with session.no_autoflush:
            _match(session, settings, line, record)
        session.add(record)
        setattr(result, record.status, getattr(result, record.status) + 1)
        result.results.append(
            {
                **summary,
                "status": record.status,
                "account_reference": record.account.reference if record.account else None,
                "reason": record.reason,
            }
        )
    session.flush()
    return result


def _match(session: Session, settings: Settings, line: Line, record: StatementLine) -> None:
    candidates = [r for r in line.structured if references.find(r)] + references.find(line.remittance)
    found = list(dict.fromkeys(references.compact(r) for r in candidates))
    accounts = [a for a in (_account_by_reference(session, r) for r in found) if a is not None]
    if not accounts:
        record.status = "unmatched"
        record.reason = "no known structured reference" if not found else f"no account has {', '.join(found)}"
        return
    if len({a.id for a in accounts}) > 1:
        record.status = "unmatched"
        record.reason = f"references of several accounts: {', '.join(a.reference for a in accounts)}"
        return
    account = accounts[0]
    if line.currency != account.currency:
        record.status = "unmatched"
        record.reason = f"{line.currency} transfer for an account in {account.currency}"
        return
    reference = line.bank_reference or record.source_key[:120]
    payment, left = book_payment(
        session, settings, account, line.amount, "bank_transfer", reference, "by bank transfer"
    )
    record.account, record.payment = account, payment
    if left > 0:
        record.status = "overpaid"
        record.reason = f"{left} {line.currency} more than owed: refund it"
    else:
        record.status = "matched"


def _account_by_reference(session: Session, reference: str) -> Account | None:
    return session.scalar(select(Account).where(Account.payment_reference == reference))


def unmatched_lines(session: Session) -> list[StatementLine]:
    return list(
        session.scalars(select(StatementLine).where(StatementLine.status == "unmatched").order_by(StatementLine.id))
    )
