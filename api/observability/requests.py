"""One JSON log line and one metrics sample per request, with a request id echoed in X-Request-ID (ADR 0021)."""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from uuid import uuid4

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.guards.asgi import header
from api.guards.rate import STREAM_PATH
from api.observability.metrics import Metrics

log = logging.getLogger("goalengine.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = time.perf_counter()
        status = 500  # if the app fails before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        streaming = scope.get("path") == STREAM_PATH
        if streaming:
            self.metrics.open_streams.inc()
        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, sending)
        finally:
            self.metrics.in_flight.dec()
            if streaming:
                self.metrics.open_streams.dec()
            self._record(scope, request_id, status, time.perf_counter() - started)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        self.metrics.observe(route, scope["method"], status, seconds)
        subject, role = scope.get("state", {}).get("caller", (None, None))
        client = scope.get("client")
        fields: dict[str, Any] = {
            "request_id": request_id, "method": scope["method"], "route": route, "path": scope.get("path"),
            "status": status, "duration_ms": round(seconds * 1000, 2), "subject": subject, "role": role,
            "client": client[0] if client else None,
        }
        log.info("%s %s %s", scope["method"], route, status, extra=fields)


def request_id_of(scope: Scope) -> str:
    """The caller's X-Request-ID if it is a plain token (so it cannot forge log lines), else a new one."""
    given = (header(scope, b"x-request-id") or b"").decode("latin-1")
    return given if REQUEST_ID.fullmatch(given) else uuid4().hex
