"""uvicorn as `goalengine serve` runs it: a connection cap, a deadline for each request's headers, and a keep-alive
longer than clients keep idle connections for.

uvicorn has no header timeout of its own (its keep-alive timer stops at the first byte), so a client sending a
byte every few seconds could hold a connection for ever; this protocol closes a connection whose request has not
arrived in full within the header timeout, counted from the connection or from the first byte of the next request.
Between requests, a kept-alive connection may stay idle for the keep-alive timeout (75 s by default): longer than
common clients reuse an idle connection (httpx and undici about 5 s, aiohttp 15 s, Chromium's unused sockets 10 s),
so the client drops it first and never sends a request on a connection the server is closing at that moment.
The server cannot announce an idle close (HTTP/1.1 has no unsolicited answer), so `Keep-Alive: timeout=N` tells
clients that read it the window, and an answer sent while the server stops carries `Connection: close`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.guards.config import GuardSettings


class HeaderDeadlineProtocol(H11Protocol):
    header_timeout = 5.0
    keep_alive_timeout = 75.0
    _idle = False  # between an answer and the first byte of the next request
    _stopping = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        if self._idle:  # the next request has begun: its headers must arrive within the header timeout
            self._idle = False
            if self.cycle is None or self.cycle.response_complete:  # (not a pipelined one already running)
                self._arm_header_deadline()
        super().data_received(data)
        self._mark_closing_answer()

    def on_response_complete(self) -> None:
        self._idle = True
        super().on_response_complete()

    def shutdown(self) -> None:
        self._stopping = True
        self._mark_closing_answer()
        super().shutdown()

    def _mark_closing_answer(self) -> None:
        """While the server stops, an answer not yet begun says `Connection: close` (it is the connection's last)."""
        cycle = self.cycle
        if self._stopping and cycle is not None and not cycle.response_started:
            cycle.default_headers = [*cycle.default_headers, (b"connection", b"close")]
            cycle.keep_alive = False

    def _arm_header_deadline(self) -> None:
        awaited = self.cycle  # a new request replaces the cycle; if it has not by the deadline, give up
        self.loop.call_later(self.header_timeout, self._header_deadline_passed, awaited)

    def _header_deadline_passed(self, awaited: Any) -> None:
        if self.cycle is awaited and not self.transport.is_closing():
            self.transport.close()


def protocol_for(guards: GuardSettings) -> type[H11Protocol]:
    return type("GuardedH11Protocol", (HeaderDeadlineProtocol,), {
        "header_timeout": guards.header_timeout, "keep_alive_timeout": guards.keep_alive_timeout})


class EnvHeaderDeadlineProtocol(HeaderDeadlineProtocol):
    """The protocol worker processes import by name (a class made at run time cannot be sent to them): each reads
    GOALENGINE_HEADER_TIMEOUT itself, as it reads the rest of its settings."""

    header_timeout = GuardSettings.from_env().header_timeout
    keep_alive_timeout = GuardSettings.from_env().keep_alive_timeout


WORKER_PROTOCOL = "api.guards.server:EnvHeaderDeadlineProtocol"


def uvicorn_config(app: Any, host: str, port: int, guards: GuardSettings, **options: Any) -> uvicorn.Config:
    """The server's settings: the guarded protocol, the connection cap, the keep-alive, a graceful stop."""
    protocol = WORKER_PROTOCOL if options.get("workers", 1) > 1 else protocol_for(guards)
    keep_alive = max(1, round(guards.keep_alive_timeout))
    return uvicorn.Config(
        app, host=host, port=port, http=protocol, limit_concurrency=guards.max_connections,
        timeout_keep_alive=keep_alive, timeout_graceful_shutdown=10, log_config=None,
        headers=[("Keep-Alive", f"timeout={keep_alive}")], **options,
    )
