"""Named dependencies: what a route needs is in its signature, and auth cannot be forgotten."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from amicable import ratelimit
from amicable.services import api_keys
from amicable.settings import Settings

_bearer = HTTPBearer(auto_error=False)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with request.app.state.sessionmaker() as session, session.begin():
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": the transaction commits before the response is sent. Otherwise a client
# (the action server, reading right after verifying) can overtake the commit, and a commit that
# fails would do so after the client was already told it succeeded.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Operator:
    """Who calls the API with an operator's key: the agency (`AMICABLE_API_KEY`, every
    creditor) or one creditor (a key made by `amicable apikey-add --creditor NAME`)."""

    creditor_id: int | None = None
    creditor: str | None = None

    @property
    def agency(self) -> bool:
        return self.creditor_id is None


def _given(credentials: HTTPAuthorizationCredentials | None) -> str:
    return credentials.credentials if credentials else ""


def _unauthorized() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, "missing or wrong API key", headers={"WWW-Authenticate": "Bearer"}
    )


def _matches(given: str, expected: str) -> bool:
    return bool(expected) and bool(given) and secrets.compare_digest(given.encode(), expected.encode())


def _too_many(why: str) -> HTTPException:
    return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, why, headers={"Retry-After": "60"})


def operator_key(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Operator:
    """The agency's key, or a creditor's key (found by its digest, unless revoked); 401 else.
    Each key has its own request budget (amicable/ratelimit.py), and a source sending wrong
    keys is stopped after a few: 429 with Retry-After."""
    throttle: ratelimit.Throttle = request.app.state.throttle
    source = request.client.host if request.client else "unknown"
    if not throttle.allowed(ratelimit.API_WRONG_KEY_PER_SOURCE, source):
        raise _too_many("too many requests with a wrong key from here; try again in a minute")
    given = _given(credentials)
    if _matches(given, settings.amicable_api_key):
        operator, budget = Operator(), "agency"
    else:
        key = api_keys.find(session, given)
        if key is None:
            throttle.hit(ratelimit.API_WRONG_KEY_PER_SOURCE, source)
            raise _unauthorized()
        operator, budget = Operator(creditor_id=key.creditor_id, creditor=key.creditor.name), f"key:{key.id}"
    if not throttle.hit(ratelimit.API_PER_KEY, budget):
        raise _too_many("too many requests for this key; try again in a minute")
    return operator


OperatorDep = Annotated[Operator, Depends(operator_key)]


def require_api_key(operator: OperatorDep) -> None:
    """Routes for the agency's key only (outreach, refunds, bank statements): a creditor's key
    is told so, with 403, rather than seeing every creditor's data."""
    if not operator.agency:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this route needs the agency's key (AMICABLE_API_KEY)")


ApiKey = Depends(require_api_key)


def caller(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Literal["operator", "bot"]:
    """Who calls the conversation routes: an operator with the agency's key, or the bot's
    action server with its own key, which opens a file only through a verified conversation."""
    given = _given(credentials)
    if _matches(given, settings.amicable_api_key):
        return "operator"
    if _matches(given, settings.amicable_actions_key):
        return "bot"
    raise _unauthorized()


CallerDep = Annotated[Literal["operator", "bot"], Depends(caller)]


def account_caller(
    request: Request,
    settings: SettingsDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Operator | Literal["bot"]:
    """The outcome routes of a file (links, promises, plans, disputes, the reason): the bot's
    action server, or an operator (agency or creditor) whose scope the file must be in."""
    if _matches(_given(credentials), settings.amicable_actions_key):
        return "bot"
    return operator_key(request, settings, session, credentials)


AccountCallerDep = Annotated[Operator | Literal["bot"], Depends(account_caller)]


async def uploaded_file(request: Request, what: str) -> bytes:
    """A file sent as `multipart/form-data` (field `file`) or as the request body itself;
    400 when there is none or it is empty."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        upload = (await request.form()).get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"send the {what} in a form field named 'file'")
        raw = await upload.read()
    else:
        raw = await request.body()
    if not raw.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "the file is empty")
    return raw
