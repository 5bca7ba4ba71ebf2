"""One pure-ASGI layer in front of the app (ADR 0049), instead of five stacked middlewares.

In order, for every HTTP request: its id, in-flight gauge, metrics sample and log line (ADR 0021), around
everything, the guards' refusals included; then the guards (ADR 0020), cheapest refusal first: control characters
in the path or query, the caller's writes and open streams, the body's size and time; then the trace context the
request's events are stored with (ADR 0018). One pass picks the headers it reads, and one wrapper around `send`
adds X-Request-ID and (once the guards let the request through) the traceparent to the answer.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.guards.body import BodyLimit
from api.guards.rate import STREAM_PATH, RateLimits
from api.guards.text import refused_control_characters
from api.observability.metrics import Metrics
from api.observability.requests import record, request_id_of
from application.store.tracing import TraceContext, traced

READ_HEADERS = frozenset({b"x-request-id", b"traceparent", b"tracestate", b"authorization", b"cookie"})


class RequestLayer:
    def __init__(self, app: ASGIApp, metrics: Metrics, limits: RateLimits, body: BodyLimit) -> None:
        self.app, self.metrics, self.limits, self.body = app, metrics, limits, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name: value for name, value in scope["headers"] if name in READ_HEADERS}
        request_id = request_id_of(headers.get(b"x-request-id"))
        added = [(b"x-request-id", request_id.encode())]
        status = 500  # if the app fails before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), *added]
            await send(message)

        async def traced_app(scope: Scope, receive: Receive, send: Send) -> None:
            context = TraceContext.of_request(_text(headers.get(b"traceparent")), _text(headers.get(b"tracestate")))
            added.insert(0, (b"traceparent", context.traceparent.encode()))
            with traced(context):
                await self.app(scope, receive, send)

        streaming = scope.get("path") == STREAM_PATH
        started = time.perf_counter()
        self._opened(streaming)
        try:
            if not await refused_control_characters(scope, receive, sending):
                await self.limits.guard(scope, receive, sending,
                                        lambda s, r, w: self.body.guard(s, r, w, traced_app))
        finally:
            self._closed(streaming)
            seconds = time.perf_counter() - started
            record(self.metrics, scope, request_id, status, seconds, self._caller(scope, headers))

    def _opened(self, streaming: bool) -> None:
        self.metrics.in_flight.inc()
        if streaming:
            self.metrics.open_streams.inc()

    def _closed(self, streaming: bool) -> None:
        self.metrics.in_flight.dec()
        if streaming:
            self.metrics.open_streams.dec()

    def _caller(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[str, str] | None:
        """Who the log line names: as the guards or the route's authentication found them, else as a signature
        vouches (read only when the request carried credentials)."""
        known: tuple[str, str] | None = scope.get("state", {}).get("caller")
        if known is None and (b"authorization" in headers or b"cookie" in headers):
            known = self.limits.person(scope)
        return known


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")
