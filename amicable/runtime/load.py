"""The load script: N web-chat conversations at once against a running stack, each a scripted
conversation typed one message after another as a person would, then a check of the record.

Latency alone would hide the failures that matter under load, so after each level the
transcripts are read back from the database and every conversation is checked for

- completeness: each message the client sent is stored once, and answered (at least one bot
  or agent message follows it before the next one);
- order: the stored debtor messages are in the order they were typed;
- replies: every request got an answer with at least one message (a 200 with an empty list is
  an error; a 429 "slow down" is counted apart, since it is the answer the throttle means).

`amicable bench --load` runs it on a stack of its own (`amicable.runtime.stack`);
`amicable load --url ... --database-url ...` runs it against one already running, such as
`make run-scaled`.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from dataclasses import dataclass, field
from datetime import date

import httpx
from sqlalchemy import create_engine, text

from amicable.demo import demo_accounts

# A conversation as the benchmark has it: greeting, identity (reference, date of birth,
# postcode), two questions, thanks. The date of birth is stored masked (amicable/text), the
# only line whose stored text differs from the typed one.
SCRIPT = ["hello", "{reference}", "12/03/1985", "1000", "how much do I owe?", "which invoices is it?", "thanks"]
MASKED_LINES = {2}


@dataclass
class Level:
    """What one level of concurrency measured."""

    conversations: int
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    slowed: int = 0
    incomplete: list[str] = field(default_factory=list)
    reordered: list[str] = field(default_factory=list)
    # CPU milliseconds per turn of each process, when the caller can see them (the benchmark).
    cpu_ms: dict[str, float] = field(default_factory=dict)

    def merge(self, other: Level) -> None:
        """Add a later round at the same concurrency (the serial figure takes several)."""
        self.latencies += other.latencies
        self.seconds += other.seconds
        self.errors += other.errors
        self.slowed += other.slowed
        self.incomplete += other.incomplete
        self.reordered += other.reordered

    @property
    def turns(self) -> int:
        return len(self.latencies)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, round(q * len(ordered)) - 1)] if ordered else float("nan")

    @property
    def ok(self) -> bool:
        return not (self.errors or self.incomplete or self.reordered)

    def row(self) -> str:
        p50 = statistics.median(self.latencies) if self.latencies else float("nan")
        return (
            f"| {self.conversations:>4} | {self.turns:>6} | {p50:>6.2f} | {self.percentile(0.95):>6.2f} | "
            f"{self.turns / self.seconds if self.seconds else 0:>7.1f} | {self.errors:>6} | {self.slowed:>6} | "
            f"{len(self.incomplete):>10} | {len(self.reordered):>9} |"
        )


HEADER = (
    "|    N |  turns | p50 s  | p95 s  | turns/s | errors |    429 | incomplete | reordered |\n"
    "|------|--------|--------|--------|---------|--------|--------|------------|-----------|"
)


def seed_accounts(base_url: str, api_key: str, count: int, prefix: str) -> list[str]:
    """`count` accounts through the API (as a creditor's import would), one reference each."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would bury the table
    references = []
    with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {api_key}"}) as client:
        for i in range(count):
            reference = f"{prefix}-{i:05d}"
            response = client.post(
                f"{base_url}/api/v1/accounts", json={**demo_accounts(date.today())[0], "reference": reference}
            )
            if response.status_code == 409:  # already there from an earlier run against this stack
                references.append(reference)
                continue
            response.raise_for_status()
            references.append(reference)
    return references


async def _conversation(
    client: httpx.AsyncClient, base_url: str, reference: str, level: Level
) -> tuple[str, list[str]]:
    sender = (await client.post(f"{base_url}/webhooks/rest/conversations")).json()["sender"]
    sent = []
    for line in SCRIPT:
        message = line.format(reference=reference)
        started = time.perf_counter()
        try:
            response = await client.post(
                f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
            )
        except httpx.HTTPError:  # a dropped or refused connection: an error, and the conversation ends
            level.latencies.append(time.perf_counter() - started)
            level.errors += 1
            sent.append(message)
            return sender, sent
        level.latencies.append(time.perf_counter() - started)
        sent.append(message)
        if response.status_code == 429:
            level.slowed += 1
        elif response.status_code != 200 or not response.json():
            level.errors += 1
    return sender, sent


def check_record(database_url: str, sent: dict[str, list[str]], level: Level) -> None:
    """Read each conversation back: every typed message stored once, in order, each answered."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        for sender, lines in sent.items():
            rows = connection.execute(
                text("SELECT author, text FROM messages WHERE conversation_id = :id ORDER BY id"), {"id": sender}
            ).all()
            debtor = [i for i, row in enumerate(rows) if row.author == "debtor"]
            if len(debtor) != len(lines):
                level.incomplete.append(f"{sender}: {len(debtor)} of {len(lines)} messages stored")
                continue
            unanswered = [
                n
                for n, i in enumerate(debtor)
                if not any(rows[j].author in ("bot", "agent") for j in range(i + 1, (debtor + [len(rows)])[n + 1]))
            ]
            if unanswered:
                level.incomplete.append(f"{sender}: messages {unanswered} have no answer")
            typed = [rows[i].text for i in debtor]
            if any(
                got != want for n, (got, want) in enumerate(zip(typed, lines, strict=True)) if n not in MASKED_LINES
            ):
                level.reordered.append(f"{sender}: stored {typed}")
    engine.dispose()


async def one_level(base_url: str, references: list[str], database_url: str | None) -> Level:
    level = Level(len(references))
    limits = httpx.Limits(max_connections=len(references) + 8, max_keepalive_connections=len(references) + 8)
    async with httpx.AsyncClient(timeout=180, limits=limits) as client:
        started = time.perf_counter()
        done = await asyncio.gather(*(_conversation(client, base_url, r, level) for r in references))
        level.seconds = time.perf_counter() - started
    if database_url:
        check_record(database_url, dict(done), level)
    return level


def run_levels(
    base_url: str, api_key: str, levels: list[int], database_url: str | None, echo=print, prefix: str = "LOAD"
) -> list[Level]:
    """Each level in turn on fresh accounts; prints the table as it goes."""
    references = seed_accounts(base_url, api_key, sum(levels), f"{prefix}{int(time.time()) % 100000}")
    echo(HEADER)
    results, start = [], 0
    for n in levels:
        level = asyncio.run(one_level(base_url, references[start : start + n], database_url))
        start += n
        results.append(level)
        echo(level.row())
        for problem in (level.incomplete + level.reordered)[:5]:
            echo(f"  {problem}")
    return results
