"""uvicorn as `goalengine serve` runs it: a connection cap, and a deadline for each request's headers.

uvicorn has no header timeout of its own (its keep-alive timer stops at the first byte), so a client sending a
byte every few seconds could hold a connection for ever; this protocol closes a connection whose request has not
arrived in full within the header timeout, counted from the connection or from the end of the previous answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from api.guards.config import GuardSettings


class HeaderDeadlineProtocol(H11Protocol):
    header_timeout = 5.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        awaited = self.cycle  # a new request replaces the cycle; if it has not by the deadline, give up
        self.loop.call_later(self.header_timeout, self._header_deadline_passed, awaited)

    def _header_deadline_passed(self, awaited: Any) -> None:
        if self.cycle is awaited and not self.transport.is_closing():
            self.transport.close()


def protocol_for(guards: GuardSettings) -> type[H11Protocol]:
    return type("GuardedH11Protocol", (HeaderDeadlineProtocol,), {"header_timeout": guards.header_timeout})


class EnvHeaderDeadlineProtocol(HeaderDeadlineProtocol):
    """The protocol worker processes import by name (a class made at run time cannot be sent to them): each reads
    GOALENGINE_HEADER_TIMEOUT itself, as it reads the rest of its settings."""

    header_timeout = GuardSettings.from_env().header_timeout


WORKER_PROTOCOL = "api.guards.server:EnvHeaderDeadlineProtocol"


def uvicorn_config(app: Any, host: str, port: int, guards: GuardSettings, **options: Any) -> uvicorn.Config:
    """The server's settings: the guarded protocol, the connection cap, a short keep-alive, a graceful stop."""
    protocol = WORKER_PROTOCOL if options.get("workers", 1) > 1 else protocol_for(guards)
    return uvicorn.Config(
        app, host=host, port=port, http=protocol, limit_concurrency=guards.max_connections,
        timeout_keep_alive=5, timeout_graceful_shutdown=10, log_config=None,
        **options,
    )
