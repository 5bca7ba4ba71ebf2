"""Per-caller limits: writes by a token bucket, open event streams by a count; both answer 429 with Retry-After.

The caller is a person whenever a signature vouches for one: a local token, a provider token whose key is already
cached, or a workspace session cookie. Everything else is anonymous and counts against its address, in buckets that
are never a person's, so an anonymous flood (620 POST /login) cannot starve the people signed in behind that address.
Nothing here decides access: the routes still do that.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable

import jwt
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth import ALGORITHM
from api.guards.asgi import answer_problem, header
from api.identity.service import Identity, unverified_header
from api.problems import Problem
from api.web.session import SESSION_AUDIENCE, SESSION_COOKIE

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
                 clock: Callable[[], float] = time.monotonic,
                 identity: Callable[[], Identity | None] = lambda: None) -> None:
        self.app, self.secret, self.identity = app, secret, identity
        self.writes = TokenBuckets(writes_per_minute, clock)
        self.max_streams = streams_per_caller
        self.streams: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.guard(scope, receive, send, self.app)

    async def guard(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        """Count the caller's write or stream (429 beyond the limit), then hand the request to `app`. Other
        requests pass unread: the route's authentication names their caller for the log (api/deps.py)."""
        streaming = scope["method"] == "GET" and scope.get("path") == STREAM_PATH
        if scope["method"] not in WRITES and not streaming:
            await app(scope, receive, send)
            return
        caller = self.caller(scope)
        if scope["method"] in WRITES:
            wait = self.writes.take(caller)
            if wait > 0:
                await _too_many(scope, receive, send, wait, "writes", f"{self.writes.capacity:g} per minute")
                return
        if streaming:
            await self._stream(caller, scope, receive, send, app)
            return
        await app(scope, receive, send)

    async def _stream(self, caller: str, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        if self.streams.get(caller, 0) >= self.max_streams:
            await _too_many(scope, receive, send, 5, "streams", f"{self.max_streams} open streams",
                            code="too_many_streams")
            return
        self.streams[caller] = self.streams.get(caller, 0) + 1
        try:
            await app(scope, receive, send)
        finally:
            self.streams[caller] -= 1
            if not self.streams[caller]:
                del self.streams[caller]

    def caller(self, scope: Scope) -> str:
        """`person:<id>` when a signature vouches for the caller, else `address:<ip>`."""
        person = self.person(scope)
        if person is not None:
            return f"person:{person[0]}"
        client = scope.get("client")
        return f"address:{client[0] if client else '?'}"

    def person(self, scope: Scope) -> tuple[str, str] | None:
        """The (id, role) a signature vouches for, also kept in the request's state for its log line; or None."""
        authorization = (header(scope, b"authorization") or b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            person = self._bearer_person(token.strip())
        else:
            cookie = header(scope, b"cookie")
            cookies = cookie_parser(cookie.decode("latin-1")) if cookie else {}
            person = self._signed(cookies.get(SESSION_COOKIE, ""), SESSION_AUDIENCE)
        if person is not None:
            scope.setdefault("state", {})["caller"] = person
        return person

    def _bearer_person(self, token: str) -> tuple[str, str] | None:
        local = self._signed(token, None)
        identity = self.identity()
        if local is not None or identity is None or identity.provider is None:
            return local
        try:  # only keys already cached: a rate limit never waits for the provider
            claims = identity.provider_claims(token, unverified_header(token), refetch=False)
        except Problem:
            return None
        person = claims.get(identity.settings.person_claim)
        return (person[:200], "provider") if isinstance(person, str) else None

    def _signed(self, token: str, audience: str | None) -> tuple[str, str] | None:
        """The (subject, role) of a token or session this server signed, or None."""
        if not token:
            return None
        try:
            claims = jwt.decode(token, self.secret(), algorithms=[ALGORITHM], audience=audience,
                                options={"verify_exp": False})
        except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
            return None
        return (str(claims.get("sub"))[:200], str(claims.get("role"))[:20])


async def _too_many(scope: Scope, receive: Receive, send: Send, wait: float, what: str, limit: str,
                    code: str = "rate_limited") -> None:
    await answer_problem(scope, receive, send, 429, code,
                         f"too many {what} from this caller (at most {limit}); retry after {math.ceil(wait)} s",
                         headers={"Retry-After": str(max(1, math.ceil(wait)))}, limit=what)
