"""Every private part of uvicorn goalengine relies on, in one module, checked when it is imported (ADR 0031).

- `H11Protocol` (uvicorn.protocols.http.h11_impl), subclassed, and its `cycle`, `loop` and `transport` attributes
  and `connection_made` / `on_response_complete` hooks: a deadline for each request's headers, which uvicorn has
  not (its keep-alive timer stops at the first byte), so a client sending a byte every few seconds could hold a
  connection for ever. This protocol closes a connection whose request has not arrived in full within the header
  timeout, counted from the connection or from the first byte of the next request (between requests the keep-alive
  timeout rules). `data_received` and `shutdown` are hooked, and the cycle's `response_complete`,
  `response_started`, `default_headers` and `keep_alive`, so that an answer begun while the server stops says
  `Connection: close`.

pyproject.toml bounds uvicorn below the next minor version.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

from application.store.internals import require_attributes, require_in_source

LIBRARY = "uvicorn"


def check() -> None:
    """LibraryInternalsError unless H11Protocol still has the hooks and attributes used here."""
    require_attributes(LIBRARY, H11Protocol, ["connection_made", "data_received", "on_response_complete", "shutdown"])
    require_in_source(LIBRARY, H11Protocol, ["self.cycle", "self.loop", "self.transport"])
    require_in_source(LIBRARY, RequestResponseCycle, ["self.response_complete", "self.response_started",
                                                      "self.default_headers", "self.keep_alive"])


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


check()
