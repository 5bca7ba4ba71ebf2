"""Per-caller limits: writes by a token bucket, open event streams by a count; both answer 429 with Retry-After.

The caller is the token's role and subject when the token's signature holds, else the client's address, so an
unauthenticated flood shares one bucket per address. Nothing here decides access: the routes still do that.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

import jwt
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import ALGORITHM
from api.guards.asgi import answer_problem, header

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STREAM_PATH = "/events/stream"
MAX_CALLERS = 10_000  # buckets kept; the least recently used one goes first


class TokenBuckets:
    """`rate` writes per minute per caller, with a burst of the same size."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity, self.per_second, self.clock = float(per_minute), per_minute / 60.0, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, caller: str) -> float:
        """0 if the caller may write now (one token taken), else the seconds until it may."""
        now = self.clock()
        tokens, since = self.buckets.pop(caller, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - since) * self.per_second)
        wait = 0.0 if tokens >= 1 - 1e-9 else (1 - tokens) / self.per_second
        self.buckets[caller] = (tokens - 1 if wait == 0 else tokens, now)
        while len(self.buckets) > MAX_CALLERS:
            self.buckets.popitem(last=False)
        return wait


class RateLimits:
    def __init__(self, app: ASGIApp, secret: Callable[[], str], writes_per_minute: int, streams_per_caller: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.secret = app, secret
        self.writes = TokenBuckets(writes_per_minute, clock)
        self.max_streams = streams_per_caller
        self.streams: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller = self.caller(scope)
        if scope["method"] in WRITES:
            wait = self.writes.take(caller)
            if wait > 0:
                await _too_many(scope, receive, send, wait, "writes", f"{self.writes.capacity:g} per minute")
                return
        if scope["method"] == "GET" and scope.get("path") == STREAM_PATH:
            await self._stream(caller, scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _stream(self, caller: str, scope: Scope, receive: Receive, send: Send) -> None:
        if self.streams.get(caller, 0) >= self.max_streams:
            await _too_many(scope, receive, send, 5, "streams", f"{self.max_streams} open streams",
                            code="too_many_streams")
            return
        self.streams[caller] = self.streams.get(caller, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.streams[caller] -= 1
            if not self.streams[caller]:
                del self.streams[caller]

    def caller(self, scope: Scope) -> str:
        authorization = (header(scope, b"authorization") or b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            try:
                claims = jwt.decode(token.strip(), self.secret(), algorithms=[ALGORITHM])
                scope.setdefault("state", {})["caller"] = (str(claims.get("sub"))[:200], str(claims.get("role"))[:20])
                return f"token:{claims.get('role')}:{claims.get('sub')}"
            except jwt.InvalidTokenError:
                pass
        client = scope.get("client")
        return f"address:{client[0] if client else '?'}"


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: float, what: str, limit: str,
                    code: str = "rate_limited") -> None:
    await answer_problem(scope, receive, send, 429, code,
                         f"too many {what} from this caller (at most {limit}); retry after {math.ceil(wait)} s",
                         headers={"Retry-After": str(max(1, math.ceil(wait)))}, limit=what)
