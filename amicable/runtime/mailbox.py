"""The embedded demo's mail server: what outreach and the bot send by email in `make run`
lands here, on this machine, and is shown at /mailbox, so a new user sees exactly what a
debtor would receive, and nothing leaves the machine.

A real SMTP server (aiosmtpd) on 127.0.0.1 keeps each message as one .eml file in
`var/mailbox/`, named by arrival; the page reads them back with the standard `email` package.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from amicable.paths import ROOT

MAILBOX = ROOT / "var" / "mailbox"
PORT = 8025
KEEP = 500  # the newest messages; older ones are removed as new ones arrive
_NAME = re.compile(r"^[0-9]{13}-[0-9a-f]{32}\.eml$")


class _Keeper:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{int(time.time() * 1000):013d}-{uuid.uuid4().hex}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        for old in sorted(self.folder.glob("*.eml"))[:-KEEP]:
            old.unlink(missing_ok=True)
        return "250 kept in the demo mailbox"


def serve(folder: Path = MAILBOX, port: int = PORT) -> None:
    """Run the mail server until stopped (`amicable mailserver`)."""
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # not every SMTP command in the log
    controller = Controller(_Keeper(folder), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


@dataclass(frozen=True)
class Kept:
    id: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> str:
        return str(self.message.get("To", ""))

    @property
    def date(self) -> str:
        return str(self.message.get("Date", ""))

    def part(self, kind: str) -> str:
        body = self.message.get_body((kind,))
        try:
            return str(body.get_content()) if body is not None else ""
        except (LookupError, UnicodeError):
            return ""


def _read(path: Path) -> Kept:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return Kept(path.stem, message)  # type: ignore[arg-type]


def messages(folder: Path = MAILBOX, limit: int = 100) -> list[Kept]:
    """The newest messages first."""
    if not folder.exists():
        return []
    return [_read(p) for p in sorted(folder.glob("*.eml"), reverse=True)[:limit]]


def message(message_id: str, folder: Path = MAILBOX) -> Kept | None:
    name = f"{message_id}.eml"
    if not _NAME.match(name) or not (folder / name).exists():
        return None
    return _read(folder / name)
