"""uvicorn as `goalengine serve` runs it: on uvloop and httptools (ADR 0049), with a connection cap, a deadline for
each request's headers (api/uvicorn_internals.py), and a keep-alive longer than clients keep idle connections for.

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

from typing import Any

import uvicorn

from api.bootstrap import worker_guard_settings
from api.guards.config import GuardSettings
from api.uvicorn_internals import HeaderDeadlineProtocol


def protocol_for(guards: GuardSettings) -> type[HeaderDeadlineProtocol]:
    return type("GuardedProtocol", (HeaderDeadlineProtocol,), {
        "header_timeout": guards.header_timeout, "keep_alive_timeout": guards.keep_alive_timeout})


class EnvHeaderDeadlineProtocol(HeaderDeadlineProtocol):
    """The protocol worker processes import by name (a class made at run time cannot be sent to them): each worker
    asks the composition root for GOALENGINE_HEADER_TIMEOUT, as for the rest of its settings, at its first
    connection (nothing is read at import)."""

    @property  # type: ignore[override]
    def header_timeout(self) -> float:
        return worker_guard_settings().header_timeout

    @property  # type: ignore[override]
    def keep_alive_timeout(self) -> float:
        return worker_guard_settings().keep_alive_timeout


WORKER_PROTOCOL = "api.guards.server:EnvHeaderDeadlineProtocol"
SERVER_LOOP = "uvloop"  # the bench's anchor runs on the same (bench/anchor.py)
# Seconds a worker of `serve --workers N` may take to answer its supervisor's ping before it is replaced (uvicorn:
# 5). A worker pings back once its imports are done; on a loaded 2-core machine they take longer than 5 s, and a
# worker replaced before it ever answered is replaced again, for ever.
WORKER_HEALTHCHECK = 60


def uvicorn_config(app: Any, host: str, port: int, guards: GuardSettings, **options: Any) -> uvicorn.Config:
    """The server's settings: uvloop, the guarded httptools protocol, the connection cap, the keep-alive, a
    graceful stop."""
    protocol = WORKER_PROTOCOL if options.get("workers", 1) > 1 else protocol_for(guards)
    keep_alive = max(1, round(guards.keep_alive_timeout))
    return uvicorn.Config(
        app, host=host, port=port, loop=SERVER_LOOP, http=protocol, limit_concurrency=guards.max_connections,
        timeout_keep_alive=keep_alive, timeout_graceful_shutdown=10, log_config=None,
        headers=[("Keep-Alive", f"timeout={keep_alive}")], timeout_worker_healthcheck=WORKER_HEALTHCHECK, **options,
    )
