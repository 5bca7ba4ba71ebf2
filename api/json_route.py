"""Request bodies decoded where it costs least: a small JSON body where the request is handled (microseconds, less
than a hop to a thread), a large one in a worker thread, so that while it is parsed the server keeps answering
other requests (/health included). The body limit (api/guards) bounds its size.

FastAPI reads a JSON body with `await request.json()`, which parses on the event loop; Starlette caches the parsed
value on the request (a private attribute: api/starlette_internals.py), so decoding a large one first in a thread
and leaving it there is all it takes. A body that does not decode is left alone: FastAPI then parses it itself
and answers its usual 422. Decoding stays with the standard library: orjson would read an integer beyond 64 bits
as a float, and what a body means must not depend on which parser read it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import anyio.to_thread
from fastapi import Request

from api.starlette_internals import cache_parsed_json

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Above this, decoding (about a millisecond per few hundred KiB) would hold up every other request on the loop.
OFF_LOOP_BYTES = 64 * 1024


def json_loads(body: bytes) -> Any:
    return json.loads(body)


async def decode_large_json_off_loop(request: Request) -> None:
    """Decode a JSON body ahead of FastAPI: off the loop when it is large; left for FastAPI when it does not decode."""
    if request.method not in BODY_METHODS or "json" not in request.headers.get("content-type", "json"):
        return
    body = await request.body()
    if not body:
        return
    with contextlib.suppress(ValueError, RecursionError):
        if len(body) > OFF_LOOP_BYTES:
            cache_parsed_json(request, await anyio.to_thread.run_sync(json_loads, body))
        else:
            cache_parsed_json(request, json_loads(body))
