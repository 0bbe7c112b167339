"""The web chat page: the widget creditors embed, served from our origin at `/`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from web import STATIC

router = APIRouter(include_in_schema=False)


@router.get("/")
def web_chat() -> FileResponse:
    return FileResponse(STATIC / "index.html")
