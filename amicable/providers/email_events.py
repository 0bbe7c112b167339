"""Delivery events that email services post to a webhook, read into one shape: which address
bounced for good or complained, and what the service said. Temporary failures (a full
mailbox, a greylisting server) are not events here: the service retries them itself.

Shapes read: SendGrid's Event Webhook (a list of {"email", "event"}), Mailgun's webhooks
({"event-data": {...}}), Postmark's bounce and spam-complaint webhooks ({"RecordType"}), and
Amazon SES notifications, bare or in their SNS envelope ({"notificationType"})."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Undeliverable:
    address: str
    kind: str  # bounced, complained
    detail: str


def read_events(payload: Any) -> list[Undeliverable]:
    """Every permanent bounce and complaint in `payload`; anything else is skipped."""
    items = payload if isinstance(payload, list) else [payload]
    found: list[Undeliverable] = []
    for item in items:
        if isinstance(item, dict):
            found.extend(_one(item))
    return found


def _one(item: dict[str, Any]) -> list[Undeliverable]:
    if item.get("Type") == "Notification" and isinstance(item.get("Message"), str):  # SES through SNS
        try:
            return _one(json.loads(item["Message"]))
        except ValueError:
            return []
    if "event-data" in item and isinstance(item["event-data"], dict):  # Mailgun
        data = item["event-data"]
        address = str(data.get("recipient", ""))
        if data.get("event") == "failed" and data.get("severity") == "permanent":
            status = data.get("delivery-status") or {}
            return [
                Undeliverable(
                    address, "bounced", f"Mailgun: {status.get('message') or status.get('description') or 'failed'}"
                )
            ]
        if data.get("event") == "complained":
            return [Undeliverable(address, "complained", "Mailgun: marked as spam")]
        return []
    if "RecordType" in item:  # Postmark
        address = str(item.get("Email", ""))
        if item["RecordType"] == "Bounce" and item.get("Type") in (
            "HardBounce",
            "BadEmailAddress",
            "ManuallyDeactivated",
        ):
            return [Undeliverable(address, "bounced", f"Postmark: {item.get('Description') or item.get('Type')}")]
        if item["RecordType"] == "SpamComplaint":
            return [Undeliverable(address, "complained", "Postmark: marked as spam")]
        return []
    if "notificationType" in item:  # Amazon SES
        if item["notificationType"] == "Bounce" and (item.get("bounce") or {}).get("bounceType") == "Permanent":
            bounce = item["bounce"]
            return [
                Undeliverable(
                    str(r.get("emailAddress", "")),
                    "bounced",
                    f"SES: {r.get('diagnosticCode') or bounce.get('bounceSubType', '')}",
                )
                for r in bounce.get("bouncedRecipients") or []
            ]
        if item["notificationType"] == "Complaint":
            return [
                Undeliverable(str(r.get("emailAddress", "")), "complained", "SES: marked as spam")
                for r in (item.get("complaint") or {}).get("complainedRecipients") or []
            ]
        return []
    if "event" in item and "email" in item:  # SendGrid
        address = str(item["email"])
        if item["event"] in ("bounce", "dropped") and item.get("type") != "blocked":
            return [Undeliverable(address, "bounced", f"SendGrid: {item.get('reason') or item['event']}")]
        if item["event"] == "spamreport":
            return [Undeliverable(address, "complained", "SendGrid: marked as spam")]
    return []
