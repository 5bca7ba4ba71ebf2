"""Request bodies: capped in size and in time, read in full before the app parses or authenticates anything.

A body over the limit is answered 413 as soon as its Content-Length (or its running length) says so, without
keeping what was sent; a body that does not arrive within the body timeout is answered 408. Both close the
connection, so the rest of the body is never read.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from api.guards.asgi import answer_problem, header, replaying

CLOSE = {"Connection": "close"}


class BodyLimit:
    """A step of the request layer (api/request_layer.py): `guard` reads the body, then hands it to `app`."""

    def __init__(self, max_bytes: int, timeout: float) -> None:
        self.max_bytes, self.timeout = max_bytes, timeout

    async def guard(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        if not _has_body(scope):
            await app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.max_bytes):
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.timeout) as deadline:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_bytes:
                    await self._too_large(scope, receive, send)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        if deadline.cancelled_caught:
            await answer_problem(scope, receive, send, 408, "body_timeout",
                                 f"the request body did not arrive within {self.timeout:g} seconds", headers=CLOSE)
            return
        await app(scope, replaying(b"".join(chunks), receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer_problem(scope, receive, send, 413, "body_too_large",
                             f"the request body is larger than {self.max_bytes} bytes", headers=CLOSE,
                             limit=self.max_bytes)


def _has_body(scope: Scope) -> bool:
    length = header(scope, b"content-length")
    return header(scope, b"transfer-encoding") is not None or (length is not None and length.strip() != b"0")
