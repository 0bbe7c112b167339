"""Bank statements (CAMT.053 XML or CSV): credit lines matched to accounts by their
structured reference, booked as payments, the rest listed for a person.

A line is matched only by a reference whose check digits are right and that belongs to an
account in the same currency; names and free text are never guessed from. A partial payment
reduces the balance, an overpayment is booked and flagged for refund, and a line already
imported (same bank entry reference, or the same line again) books nothing twice. A file
that cannot be read is refused whole, so nothing of it is half-imported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree
from sqlalchemy import select
from sqlalchemy.orm import Session

from amicable.db.models import Account, StatementLine
from amicable.money import CENT
from amicable.services import ServiceError, references
from amicable.services.payments import book_payment
from amicable.settings import Settings


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
    for entry in root.iter():
        if _local(entry.tag) != "Ntry":
            continue
        if _text(entry, "CdtDbtInd") != "CRDT":
            debits += 1
            continue
        if _text(entry, "RvslInd").lower() == "true":
            debits += 1
            continue
        details = [d for d in (_child(entry, "NtryDtls") or []) if _local(d.tag) == "TxDtls"]
        booked = _date(_text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10])
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
            lines.append(
                Line(
                    amount=_amount(amount_node.text or ""),
                    currency=(amount_node.get("Ccy") or "").upper(),
                    booked_on=booked,
                    remittance=remittance.strip(),
                    counterparty=_text(tx, "RltdPties", "Dbtr", "Nm") if tx is not None else "",
                    counterparty_iban=(_text(tx, "RltdPties", "DbtrAcct", "Id", "IBAN") or None)
                    if tx is not None
                    else None,
                    bank_reference=bank_reference or None,
                    structured=structured,
                )
            )
    return lines, debits


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
            amount = _amount(value("amount"))
        except ServiceError as error:
            raise ServiceError(f"line {number}: {error.message}") from None
        if amount <= 0:
            debits += 1
            continue
        lines.append(
            Line(
                amount=amount,
                currency=(value("currency") or "EUR").upper(),
                booked_on=_date(value("date")),
                remittance=value("reference"),
                counterparty=value("counterparty"),
                counterparty_iban=value("iban") or None,
                bank_reference=value("bank_reference") or None,
            )
        )
    return lines, debits


def _amount(text: str) -> Decimal:
    """ "1234.56", "1.234,56", "1 234,56", "-12,00": the last separator is the decimal one."""
    cleaned = re.sub(r"[\s\u00a0€]", "", text)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace("." if cleaned.rfind(",") > cleaned.rfind(".") else ",", "")
    cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ServiceError(f'"{text}" is not an amount') from None
    if amount != amount.quantize(CENT):
        raise ServiceError(f'"{text}" has more than two decimals')
    return amount.quantize(CENT)


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
