"""Every private part of Starlette goalengine relies on, in one module, checked when it is imported (ADR 0031).

- `Request._json`: where `Request.json()` caches the parsed body; api/json_route.py parses a large body in a
  worker thread and leaves it there, so FastAPI's own `await request.json()` finds it parsed.

pyproject.toml bounds starlette (and fastapi, which calls `request.json()`) below the next minor version.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from application.store.internals import require_in_source

LIBRARY = "starlette"


def check() -> None:
    """LibraryInternalsError unless `Request.json` still caches its result in `_json`."""
    require_in_source(LIBRARY, Request.json, ["self._json"])


def cache_parsed_json(request: Request, value: Any) -> None:
    """Have `request.json()` answer this value without parsing the body again."""
    request._json = value


check()
