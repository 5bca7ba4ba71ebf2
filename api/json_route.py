"""Request bodies parsed off the event loop: a large JSON body is decoded in a worker thread, so while it is being
parsed the server keeps answering other requests (/health included). The body limit (api/guards) bounds its size.

FastAPI reads a JSON body with `await request.json()`, which parses on the event loop; Starlette caches the parsed
value on the request (a private attribute: api/starlette_internals.py), so decoding it first in a thread and
leaving it there is all it takes. A body that does not
decode is left alone: FastAPI then parses it itself and answers its usual 422.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Coroutine
from typing import Any

import anyio.to_thread
from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.starlette_internals import cache_parsed_json

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_loads(body: bytes) -> Any:
    return json.loads(body)


class OffLoopJSONRoute(APIRoute):
    """An API route whose JSON body is decoded in a worker thread before FastAPI reads it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def decode_then_handle(request: Request) -> Response:
            if request.method in BODY_METHODS and "json" in request.headers.get("content-type", "json"):
                body = await request.body()
                # Not JSON: left for FastAPI, which parses it again and answers 422 naming the body.
                with contextlib.suppress(ValueError, RecursionError):
                    if body:
                        cache_parsed_json(request, await anyio.to_thread.run_sync(json_loads, body))
            return await handle(request)

        return decode_then_handle
