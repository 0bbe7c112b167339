"""The one small typed client the action server uses to reach the Amicable API."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from actions import log_masking

logger = logging.getLogger(__name__)
# The paths logged below name the conversation, and its id carries the debtor's number.
log_masking.install(logger)


class ApiError(Exception):
    """The API refused or failed; `status` 422 carries a message about the request itself."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class ApiConfig:
    base_url: str
    api_key: str

    @classmethod
    def from_env(cls) -> ApiConfig:
        return cls(
            base_url=os.environ.get("AMICABLE_API_URL", "http://127.0.0.1:8000").rstrip("/"),
            # The action server's own key: it opens conversation routes only, never the admin API.
            api_key=os.environ.get("AMICABLE_ACTIONS_KEY", ""),
        )


_session: aiohttp.ClientSession | None = None


def _shared_session() -> aiohttp.ClientSession:
    """One connection pool for the action server's process: a turn makes several API calls,
    and each reuses a pooled connection instead of opening its own."""
    global _session
    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
    return _session


def _path(reference: str) -> str:
    """A file reference in a URL path, as creditors print them ("FAC/2025/00123" keeps its "/")."""
    return quote(reference, safe="/+")


class AmicableApi:
    def __init__(self, config: ApiConfig | None = None) -> None:
        self.config = config or ApiConfig.from_env()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.config.api_key}"}
        try:
            async with _shared_session().request(
                method, self.config.base_url + path, json=body, headers=headers
            ) as response:
                data = await response.json(content_type=None)
                if response.status >= 400:
                    detail = data.get("detail") if isinstance(data, dict) else data
                    logger.warning("API %s %s answered %s: %s", method, path, response.status, detail)
                    raise ApiError(response.status, str(detail))
                return data
        except aiohttp.ClientError as error:
            logger.warning("API %s %s unreachable: %s", method, path, error)
            raise ApiError(503, f"API unreachable: {error}") from error

    async def verify(self, conversation_id: str, reference: str, answer: str, fact: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/v1/conversations/{conversation_id}/verification",
            {"reference": reference, "answer": answer, "fact": fact},
        )

    async def new_session(self, conversation_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/v1/conversations/{conversation_id}/session", {})

    async def bound(self, conversation_id: str) -> bool:
        return bool((await self._call("GET", f"/api/v1/conversations/{conversation_id}/binding"))["bound"])

    async def account(self, conversation_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/api/v1/conversations/{conversation_id}/account")

    async def payment_link(self, reference: str, conversation_id: str, whole_balance: bool = False) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/v1/accounts/{_path(reference)}/payment-links",
            # The whole balance, less the creditor's pay-in-full discount when it offers one;
            # while a plan runs, its next installment unless the debtor asked to pay everything.
            {"conversation_id": conversation_id, "discount": True, "whole_balance": whole_balance},
        )

    async def promise(self, reference: str, conversation_id: str, due_on: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/v1/accounts/{_path(reference)}/promises",
            {"due_on": due_on, "conversation_id": conversation_id},
        )

    async def plan_quote(self, reference: str, conversation_id: str, monthly: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/v1/accounts/{_path(reference)}/plans/quote",
            {"monthly_amount": monthly, "conversation_id": conversation_id},
        )

    async def plan(self, reference: str, conversation_id: str, monthly: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/v1/accounts/{_path(reference)}/plans",
            {"monthly_amount": monthly, "conversation_id": conversation_id},
        )

    async def dispute(self, reference: str, conversation_id: str, reason: str, details: str) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/v1/accounts/{_path(reference)}/disputes",
            {"reason": reason, "details": details[:4000], "conversation_id": conversation_id},
        )

    async def reason(
        self, reference: str, conversation_id: str, reason: str, vulnerability_consent: bool | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"reason": reason, "conversation_id": conversation_id}
        if vulnerability_consent is not None:
            body["vulnerability_consent"] = vulnerability_consent
        return await self._call("PUT", f"/api/v1/accounts/{_path(reference)}/reason", body)

    async def handoff(self, conversation_id: str, reason: str, summary: str) -> dict[str, Any]:
        return await self._call(
            "POST", f"/api/v1/conversations/{conversation_id}/handoffs", {"reason": reason, "summary": summary[:4000]}
        )

    async def callback(self, conversation_id: str, at: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/v1/conversations/{conversation_id}/callback", {"at": at})

    async def opt_out(self, conversation_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/v1/conversations/{conversation_id}/opt-outs", {})
