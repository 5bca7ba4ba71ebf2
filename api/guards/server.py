"""uvicorn as `goalengine serve` runs it: a connection cap, and a deadline for each request's headers
(api/uvicorn_internals.py)."""

from __future__ import annotations

from typing import Any

import uvicorn

from api.bootstrap import worker_guard_settings
from api.guards.config import GuardSettings
from api.uvicorn_internals import HeaderDeadlineProtocol


def protocol_for(guards: GuardSettings) -> type[HeaderDeadlineProtocol]:
    return type("GuardedH11Protocol", (HeaderDeadlineProtocol,), {"header_timeout": guards.header_timeout})


class EnvHeaderDeadlineProtocol(HeaderDeadlineProtocol):
    """The protocol worker processes import by name (a class made at run time cannot be sent to them): each worker
    asks the composition root for GOALENGINE_HEADER_TIMEOUT, as for the rest of its settings, at its first
    connection (nothing is read at import)."""

    @property  # type: ignore[override]
    def header_timeout(self) -> float:
        return worker_guard_settings().header_timeout


WORKER_PROTOCOL = "api.guards.server:EnvHeaderDeadlineProtocol"


def uvicorn_config(app: Any, host: str, port: int, guards: GuardSettings, **options: Any) -> uvicorn.Config:
    """The server's settings: the guarded protocol, the connection cap, a short keep-alive, a graceful stop."""
    protocol = WORKER_PROTOCOL if options.get("workers", 1) > 1 else protocol_for(guards)
    return uvicorn.Config(
        app, host=host, port=port, http=protocol, limit_concurrency=guards.max_connections,
        timeout_keep_alive=5, timeout_graceful_shutdown=10, log_config=None,
        **options,
    )
