"""Each HTTP request runs under a trace context: the caller's W3C traceparent (or a fresh one) and a correlation id.

The events a command stores carry both (application/store/tracing.py, ADR 0018); the answer echoes the traceparent.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.store.tracing import TraceContext, traced


class TraceContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        context = TraceContext.of_request(headers.get("traceparent"), headers.get("tracestate"))

        async def send_with_trace(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"traceparent", context.traceparent.encode())]
            await send(message)

        with traced(context):
            await self.app(scope, receive, send_with_trace)
