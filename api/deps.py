"""Named dependencies: what a route needs is in its signature, and auth cannot be forgotten."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

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


def require_api_key(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    expected = settings.amicable_api_key
    given = credentials.credentials if credentials else ""
    if not expected or not given or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing or wrong API key", headers={"WWW-Authenticate": "Bearer"}
        )


ApiKey = Depends(require_api_key)


def _matches(given: str, expected: str) -> bool:
    return bool(expected) and bool(given) and secrets.compare_digest(given.encode(), expected.encode())


def caller(
    settings: SettingsDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Literal["operator", "bot"]:
    """Who calls: an operator with the admin key, or the bot's action server with its own key,
    which opens conversation routes only and a file only through a verified conversation."""
    given = credentials.credentials if credentials else ""
    if _matches(given, settings.amicable_api_key):
        return "operator"
    if _matches(given, settings.amicable_actions_key):
        return "bot"
    raise HTTPException(
        status.HTTP_401_UNAUTHORIZED, "missing or wrong API key", headers={"WWW-Authenticate": "Bearer"}
    )


CallerDep = Annotated[Literal["operator", "bot"], Depends(caller)]


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
