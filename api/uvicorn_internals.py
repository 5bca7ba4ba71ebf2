"""Every private part of uvicorn goalengine relies on, in one module, checked when it is imported (ADR 0031).

- `HttpToolsProtocol` (uvicorn.protocols.http.httptools_impl, what `serve` runs on since ADR 0049) and
  `H11Protocol` (h11_impl), subclassed through one mixin, and their `cycle`, `loop` and `transport` attributes
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

from uvicorn.protocols.http import h11_impl, httptools_impl
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from application.store.internals import require_attributes, require_in_source

LIBRARY = "uvicorn"


def check() -> None:
    """LibraryInternalsError unless both protocols still have the hooks and attributes used here."""
    for protocol, cycle in ((H11Protocol, h11_impl.RequestResponseCycle),
                            (HttpToolsProtocol, httptools_impl.RequestResponseCycle)):
        require_attributes(LIBRARY, protocol, ["connection_made", "data_received", "on_response_complete",
                                               "shutdown"])
        require_in_source(LIBRARY, protocol, ["self.cycle", "self.loop", "self.transport"])
        require_in_source(LIBRARY, cycle, ["self.response_complete", "self.response_started",
                                           "self.default_headers", "self.keep_alive"])


class HeaderDeadline:
    """The header deadline and the closing answer, for either protocol (mixed in before it)."""

    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    header_timeout = 5.0
    keep_alive_timeout = 75.0
    _idle = False  # between an answer and the first byte of the next request
    _stopping = False

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        if self._idle:  # the next request has begun: its headers must arrive within the header timeout
            self._idle = False
            if self.cycle is None or self.cycle.response_complete:  # (not a pipelined one already running)
                self._arm_header_deadline()
        super().data_received(data)  # type: ignore[misc]
        self._mark_closing_answer()

    def on_response_complete(self) -> None:
        self._idle = True
        super().on_response_complete()  # type: ignore[misc]

    def shutdown(self) -> None:
        self._stopping = True
        self._mark_closing_answer()
        super().shutdown()  # type: ignore[misc]

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


class HeaderDeadlineProtocol(HeaderDeadline, HttpToolsProtocol):
    """httptools' parser (C), as `serve` runs it."""


class H11HeaderDeadlineProtocol(HeaderDeadline, H11Protocol):
    """h11's parser (pure Python), for a deployment that must do without httptools."""


check()
