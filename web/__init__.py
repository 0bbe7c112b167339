"""The pages people open in a browser: the pay and autopay pages debtors reach from a
message, the web chat, and the agent console. Each is a thin door onto the core."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
