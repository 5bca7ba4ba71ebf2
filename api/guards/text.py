"""Paths and query strings with control characters (NUL above all) are refused before any route sees them.

PostgreSQL refuses NUL in text outright (a DataError, hence a 500); no id, filter or moment ever means one.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

from starlette.types import Receive, Scope, Send

from api.guards.asgi import answer_problem

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MESSAGE = "must not contain control characters"


async def refused_control_characters(scope: Scope, receive: Receive, send: Send) -> bool:
    """Whether the request was answered 422 for a control character in its path or query (a step of the request
    layer, api/request_layer.py)."""
    field = offending_field(scope.get("path", ""), scope.get("query_string", b""))
    if field is None:
        return False
    await answer_problem(scope, receive, send, 422, "invalid_request", f"{field}: {MESSAGE}",
                         errors=[{"field": field, "message": MESSAGE}])
    return True


def offending_field(path: str, query_string: bytes) -> str | None:
    """`path` or `query.<name>` if it holds a control character, else None."""
    if CONTROL.search(path):
        return "path"
    if not query_string:
        return None
    query = query_string.decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if CONTROL.search(name) or CONTROL.search(value):
            return f"query.{CONTROL.sub('', name)[:50] or '?'}"
    if CONTROL.search(unquote(query)):  # e.g. a NUL in a malformed pair that parse_qsl drops
        return "query"
    return None
